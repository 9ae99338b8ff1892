import AccessPolicy
import Foundation
import GatewayAPI
import History

extension GatewayCore {
    /// What happened while carrying out one batch of door effects.
    struct DoorOutcome {
        /// The door was opened, for this event.
        var opened: AccessPolicy.DoorEvent?
        /// The attempt was refused, with this reason.
        var refusal: DoorRefusal?
        /// A record failed, so the door stayed shut.
        var historyFailed = false
    }

    /// On ``queue``: feeds one input to door `id` and carries out its effects.
    @discardableResult
    func feedDoor(_ id: String, _ input: DoorInput, at now: Date = Date()) -> DoorOutcome {
        guard let effects = doors[id]?.machine.handle(input, at: now, occupancy: occupancy) else { return DoorOutcome() }
        return runDoorEffects(id, effects)
    }

    /// On ``queue``: carries out door effects in order; a failed record keeps the door shut and is not applied to
    /// the occupancy.
    @discardableResult
    func runDoorEffects(_ id: String, _ effects: [DoorEffect], check: CardCheck? = nil) -> DoorOutcome {
        guard let configuration = doors[id]?.machine.configuration else { return DoorOutcome() }
        var outcome = DoorOutcome()
        var recordFailed = false
        for effect in effects {
            if recordFailed && effect.grantsAccess {
                outcome.historyFailed = true
                continue
            }
            switch effect {
            case .verifyCard(let presentation):
                let verdict = check?.doorVerdict
                    ?? DoorCardVerdict(genuine: false, cardStatus: .unknown, operatorID: nil, operatorActive: false, grants: [])
                let next = doors[id]?.machine.handle(.cardVerified(presentation.card.id, verdict), at: Date(), occupancy: occupancy) ?? []
                let nested = runDoorEffects(id, next)
                outcome.opened = outcome.opened ?? nested.opened
                outcome.refusal = outcome.refusal ?? nested.refusal
                outcome.historyFailed = outcome.historyFailed || nested.historyFailed
            case .askForPIN(_, let operatorID, _):
                publishDoor(configuration, .awaitingPIN, operatorID: operatorID, reason: nil)
            case .record(let event):
                if append(HistoryRecords.event(event)) {
                    occupancy.apply(event)
                    if event.kind == .refused {
                        outcome.refusal = event.refusal
                        publishDoor(configuration, .refused, operatorID: event.operatorID, reason: event.refusal?.rawValue)
                    } else {
                        outcome.opened = event
                    }
                } else {
                    recordFailed = true
                    if event.kind == .refused { outcome.refusal = event.refusal }
                }
            case .openDoor(let doorID, let duration):
                let opened = outcome.opened
                let argv = self.configuration.commands.doorOpen.render([
                    .door: doorID, .room: configuration.roomID,
                    .direction: opened?.direction.rawValue ?? "in", .seconds: String(duration.components.seconds),
                ])
                commands.start(argv, what: "door-open \(doorID)")
                publishDoor(configuration, .opened, operatorID: opened?.operatorID, reason: nil)
            }
        }
        scheduleDoorTimer(id)
        return outcome
    }

    func publishDoor(_ configuration: DoorConfiguration, _ outcome: GatewayAPI.DoorEvent.Outcome, operatorID: String?, reason: String?) {
        let summary = operatorID.map { OperatorSummary(id: $0, name: doors[configuration.doorID]?.operatorName ?? $0) }
        broadcaster.publish(.door(GatewayAPI.DoorEvent(
            door: configuration.doorID, room: configuration.roomID, outcome: outcome, operator: summary, reason: reason, at: Date())))
    }

    /// Sleeps until the PIN deadline of the door, if one is pending.
    func scheduleDoorTimer(_ id: String) {
        doors[id]?.timer?.cancel()
        doors[id]?.timer = nil
        guard let deadline = doors[id]?.machine.nextDeadline else { return }
        let item = DispatchWorkItem { [weak self] in
            guard let self else { return }
            self.doors[id]?.timer = nil
            self.feedDoor(id, .tick)
        }
        doors[id]?.timer = item
        queue.asyncAfter(deadline: .now() + max(0, deadline.timeIntervalSinceNow) + 0.001, execute: item)
    }
}
