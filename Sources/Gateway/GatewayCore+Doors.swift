import AccessPolicy
import Foundation
import GatewayAPI
import History
import Vocabulary

extension GatewayCore {
    /// A door's state (its clients and the supervisors).
    public func door(id: String, caller: Peer) async throws -> DoorView {
        let place = try door(id)
        try access.requireDoor(id, caller, "see door \(id)", supervisorsToo: true)
        return try await place.ask { .view($0) }
    }

    /// The door controller's contact report (the door's clients only).
    public func reportDoorContact(door id: String, open: Bool, caller: Peer) async throws -> DoorView {
        let place = try door(id)
        try access.requireDoor(id, caller, "report the contact of door \(id)")
        return try await place.ask { .report(.contact(open: open), $0) }
    }

    /// The door controller's exit button (the door's clients only).
    public func requestToExit(door id: String, caller: Peer) async throws -> DoorView {
        let place = try door(id)
        try access.requireDoor(id, caller, "open door \(id) from inside")
        return try await place.ask { .report(.requestToExit, $0) }
    }

    /// A visitor announced at the door (the door's clients only).
    public func announceVisitor(door id: String, visitor: Visitor, caller: Peer) async throws -> DoorView {
        let place = try door(id)
        try access.requireDoor(id, caller, "announce a visitor at door \(id)")
        return try await place.ask { .report(.visitorAnnounced(visitor), $0) }
    }

    /// A supervisor's override of the two-person rule for the next exit at the door.
    public func overrideTwoPerson(door id: String, caller: Peer) async throws -> DoorView {
        let place = try door(id)
        try access.requireSupervisor(caller, "override the two-person rule at door \(id)")
        return try await place.ask { .report(.overrideTwoPerson(by: Self.actor(caller)), $0) }
    }

    /// The alarms the caller may see: all for a supervisor, its doors' for a door client.
    public func alarms(caller: Peer) async throws -> AlarmList {
        guard access.mayConnect(caller) else { throw access.refuse(caller, "see the alarms", place: nil) }
        let access = self.access
        return AlarmList(alarms: alarmBoard.list { access.maySee(door: $0, caller) })
    }

    /// A supervisor acknowledges an alarm; recorded first (no record, no acknowledgement).
    public func acknowledgeAlarm(id: Int, caller: Peer) async throws -> AlarmView {
        try access.requireSupervisor(caller, "acknowledge alarms")
        guard let alarm = alarmBoard.alarm(id), alarm.acknowledgedAt == nil else {
            throw GatewayError(.notFound, "no unacknowledged alarm \(id); see GET /v1/alarms")
        }
        let by = Self.actor(caller)
        guard await context.history.append(NewEvent(
            kind: .doorAlarmAcknowledged, result: .success, actor: by, place: alarm.room,
            details: EventDetails(reason: alarm.alarm, door: alarm.door))) != nil
        else { throw GatewayError.historyUnavailable("the acknowledgement could not be recorded") }
        guard let acknowledged = alarmBoard.acknowledge(id, by: by, at: Date()) else {
            throw GatewayError(.notFound, "alarm \(id) was acknowledged meanwhile")
        }
        context.broadcaster.publish(.door(DoorNotice(
            door: alarm.door, room: alarm.room, outcome: .alarmAcknowledged, reason: alarm.alarm, at: Date())))
        return acknowledged
    }

    /// Fire and evacuation: records the emergency, locks every terminal, then releases every door (each recorded;
    /// a door whose record failed is still opened, and named in the answer).
    public func releaseDoors(reason: String?, caller: Peer) async throws -> DoorReleaseResult {
        try access.requireFirePanel(caller, "release the doors")
        let now = Date()
        let by = Self.actor(caller)
        await context.history.append(NewEvent(
            kind: .adminEmergency, result: .success, actor: by,
            details: EventDetails(reason: reason ?? "evacuation", operation: "release-doors")))
        let unrecorded = await everyDoor { place in (try? await place.ask { .release(true, by: by, $0) }) ?? false }
        await lockAll(.emergency)
        return DoorReleaseResult(
            released: true, doors: doors.keys.sorted(), lockedTerminals: terminals.keys.sorted(), unrecorded: unrecorded,
            reason: reason, at: now)
    }

    /// Ends a release: every door is secured again (recorded per door).
    public func restoreDoors(caller: Peer) async throws -> DoorReleaseResult {
        try access.requireFirePanel(caller, "restore the doors")
        let now = Date()
        let by = Self.actor(caller)
        let unrecorded = await everyDoor { place in (try? await place.ask { .release(false, by: by, $0) }) ?? false }
        await context.history.append(NewEvent(
            kind: .adminEmergency, result: .success, actor: by, details: EventDetails(reason: "restore", operation: "restore-doors")))
        return DoorReleaseResult(released: false, doors: doors.keys.sorted(), lockedTerminals: [], unrecorded: unrecorded, reason: nil, at: now)
    }

    /// Runs `body` on every door at once; answers the ids of the doors for which it returned false, sorted.
    private func everyDoor(_ body: @escaping @Sendable (DoorPlace) async -> Bool) async -> [String] {
        await withTaskGroup(of: (String, Bool).self) { group in
            for (id, place) in doors { group.addTask { (id, await body(place)) } }
            var failed: [String] = []
            for await (id, ok) in group where !ok { failed.append(id) }
            return failed.sorted()
        }
    }

    /// How an API caller is named in the history: `uid:N`.
    static func actor(_ caller: Peer) -> String { "uid:\(caller.uid)" }

    private func door(_ id: String) throws(GatewayError) -> DoorPlace {
        guard let place = doors[id] else { throw GatewayError.unknownDoor(id) }
        return place
    }
}
