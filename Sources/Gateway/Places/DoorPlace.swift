import AccessPolicy
import Foundation
import GatewayAPI
import Vocabulary

/// One door with its entry and exit readers, its contact and its exit button: the unit of state of a door. Like
/// ``TerminalPlace``, it handles its inbox one message at a time; card checks, PIN hashes and the door commands run
/// elsewhere and come back as messages.
actor DoorPlace {
    /// What the door hears of.
    enum Message: Sendable {
        case cardPresented(reader: String)
        case readerLost
        case checked(generation: UInt64, reader: String, CardCheck)
        case submitPIN(PIN, Reply<DoorOpening>)
        case pinChecked(PresenceID, PINResult, Reply<DoorOpening>)
        case tick
        /// The door controller's report (contact, exit button), a visitor, or a supervisor's override.
        case report(DoorInput, Reply<DoorView>)
        /// Fire release (`true`) or restore; answers whether the door's record was written.
        case release(Bool, by: String, Reply<Bool>)
        /// The room's rules in the registry changed.
        case rules(RoomRules)
        case view(Reply<DoorView>)
        /// A released door without a `door-hold` command is opened again.
        case pulse(UInt64)
    }

    /// The room's own rules from the registry, added to the configuration's.
    struct RoomRules: Sendable, Equatable {
        var requiresPIN: Bool
        var antiPassback: Bool
        var twoPerson: Bool
        var occupancyLimit: Int?
    }

    /// The door id.
    nonisolated let id: String
    /// The door's rules from the configuration (the room's rules from the registry are added to the machine's copy).
    nonisolated let configuration: DoorConfiguration
    private let context: PlaceContext
    private let book: RoomBook
    private let alarmBoard: AlarmBoard
    private var machine: DoorStateMachine
    private var operatorName: String?
    private var readerGeneration: UInt64 = 0
    private var pulseGeneration: UInt64 = 0
    private var timer: Task<Void, Never>?
    private let inbox = PlaceInbox<Message>()

    /// How long a released door without a `door-hold` command is opened each time, and how often again.
    static let pulseOpen: Duration = .seconds(60)
    static let pulseEvery: Duration = .seconds(50)

    init(
        configuration: DoorConfiguration, room: RoomRules?, entryReader: String?, exitReader: String?, context: PlaceContext,
        book: RoomBook, alarms: AlarmBoard
    ) {
        id = configuration.doorID
        self.configuration = configuration
        self.context = context
        self.book = book
        alarmBoard = alarms
        machine = DoorStateMachine(
            configuration: Self.rules(configuration, room: room, bothSides: entryReader != nil && exitReader != nil),
            entryReader: entryReader, exitReader: exitReader)
    }

    /// Puts `message` in the inbox; never waits.
    nonisolated func send(_ message: Message) { inbox.send(message) }

    /// Asks something of the door and waits for the answer.
    nonisolated func ask<T: Sendable>(_ make: (Reply<T>) -> Message) async throws -> T { try await inbox.ask(make) }

    /// Handles the inbox until ``finish()``.
    func run() async {
        for await message in inbox.messages {
            await handle(message)
        }
    }

    /// Ends the loop once the messages already sent are handled.
    nonisolated func finish() { inbox.finish() }

    /// The machine's rules: the configuration's, with the room's registry flags added (a flag set in either place
    /// applies; anti-passback only with readers on both sides).
    static func rules(_ base: DoorConfiguration, room: RoomRules?, bothSides: Bool) -> DoorConfiguration {
        var rules = base
        guard let room else { return rules }
        rules.roomRequiresPIN = base.roomRequiresPIN || room.requiresPIN
        rules.antiPassback = base.antiPassback || (room.antiPassback && bothSides)
        rules.twoPerson = base.twoPerson || room.twoPerson
        rules.occupancyLimit = room.occupancyLimit ?? base.occupancyLimit
        return rules
    }

    private func handle(_ message: Message) async {
        let now = Date()
        switch message {
        case .cardPresented(let reader):
            readerGeneration += 1
            let generation = readerGeneration
            let (context, room) = (self.context, configuration.roomID)
            context.watch.set(id, holdsCard: true)
            Task.detached { [weak self] in
                let check = await context.checkCard(in: reader, room: room)
                self?.send(.checked(generation: generation, reader: reader, check))
            }
        case .checked(let generation, let reader, let check):
            guard generation == readerGeneration else { return }
            if let problem = check.problem {
                context.logger.info("card check stopped", metadata: ["door": "\(id)", "problem": "\(problem)"])
            }
            operatorName = check.holderName
            _ = await feed(.cardPresented(reader: reader, cardGUID: check.card.guid), at: now, check: check)
        case .readerLost:
            readerGeneration += 1
            _ = await feed(.readerLost, at: now)
        case .submitPIN(let pin, let reply):
            guard let pending = machine.pendingPIN, let guid = pending.presentation.card.cardGUID else {
                reply.resume(throwing: GatewayError(.notAwaitingPIN, "no card waits for a PIN at door \(id), or its time ran out; present the card again"))
                return
            }
            let (registry, threads) = (context.registry, context.pinThreads)
            Task.detached { [weak self] in
                let result = await threads.run { PINCheck.run(card: guid, pin: pin, registry: registry) }
                self?.send(.pinChecked(pending.presentation.card.id, result, reply))
            }
        case .pinChecked(let presence, let result, let reply):
            let outcome = await feed(.pinResult(presence, result), at: now)
            answer(reply, result: result, outcome: outcome)
        case .tick:
            _ = await feed(.tick, at: now)
        case .report(let input, let reply):
            await report(input, at: now, reply: reply)
        case .release(let release, let by, let reply):
            let outcome = await feed(release ? .release(by: by) : .restore(by: by), at: now)
            reply.resume(returning: !outcome.historyFailed)
        case .rules(let room):
            machine.configuration = Self.rules(
                configuration, room: room, bothSides: machine.entryReader != nil && machine.exitReader != nil)
        case .view(let reply):
            reply.resume(returning: view(at: now))
        case .pulse(let generation):
            guard generation == pulseGeneration, machine.isReleased else { return }
            openFor(Self.pulseOpen, direction: .exit)
            schedulePulse()
        }
    }

    private func report(_ input: DoorInput, at now: Date, reply: Reply<DoorView>) async {
        switch input {
        case .overrideTwoPerson:
            guard machine.configuration.twoPerson else {
                return reply.resume(throwing: GatewayError(.conflict, "room \(configuration.roomID) is not a two-person room; there is nothing to override"))
            }
        case .visitorAnnounced, .requestToExit:
            guard !machine.isReleased else {
                return reply.resume(throwing: GatewayError(.conflict, "door \(id) is released for evacuation and stands open"))
            }
        default:
            break
        }
        let outcome = await feed(input, at: now)
        if outcome.historyFailed {
            return reply.resume(throwing: GatewayError.historyUnavailable("the door's event could not be recorded; the door stays shut"))
        }
        if case .visitorAnnounced(let visitor) = input {
            publish(.visitorAnnounced, operatorID: nil, reason: nil)
            context.logger.info("visitor announced", metadata: ["door": "\(id)", "organisation": "\(visitor.organisation)"])
        }
        reply.resume(returning: view(at: now))
    }

    private func view(at now: Date) -> DoorView {
        var awaiting: DoorView.Awaiting?
        var until: Date?
        switch machine.state {
        case .verifying: awaiting = .card
        case .awaitingPIN(_, _, _, let deadline): (awaiting, until) = (.pin, deadline)
        case .idle, .released: break
        }
        if awaiting == nil, let waiting = machine.waitingForSecond, now < waiting.deadline {
            (awaiting, until) = (.secondPerson, waiting.deadline)
        }
        return DoorView(
            id: id, room: configuration.roomID, contactOpen: machine.contactReported ? machine.contactOpen : nil,
            alarms: machine.activeAlarms.map(\.rawValue).sorted(), released: machine.isReleased, awaiting: awaiting,
            awaitingUntil: until, visitorAnnounced: machine.announcedVisitor.map { now < $0.until } ?? false,
            overridePending: machine.overridePending(at: now))
    }

    private func answer(_ reply: Reply<DoorOpening>, result: PINResult, outcome: Outcome) {
        if outcome.historyFailed {
            return reply.resume(throwing: GatewayError.historyUnavailable("the door decision could not be recorded"))
        }
        if let opened = outcome.opened, let operatorID = opened.operatorID {
            return reply.resume(returning: DoorOpening(
                door: id, room: configuration.roomID, direction: opened.direction,
                operator: OperatorSummary(id: operatorID, name: operatorName ?? operatorID),
                openSeconds: Int(configuration.openDuration.components.seconds), decidedAt: opened.at))
        }
        if let waiting = outcome.awaitingSecond {
            return reply.resume(returning: DoorOpening(
                door: id, room: configuration.roomID, direction: waiting.presentation.direction,
                operator: OperatorSummary(id: waiting.operatorID, name: operatorName ?? waiting.operatorID),
                openSeconds: 0, decidedAt: Date(), awaitingSecondPersonUntil: waiting.deadline))
        }
        switch (result, outcome.refusal) {
        case (.wrong(let left), _) where left > 0:
            reply.resume(throwing: GatewayError(.wrongPIN, "wrong PIN; the door stays shut; \(left) attempt(s) left before the card is blocked", attemptsLeft: left))
        case (.blocked, _), (.wrong, _), (_, .pinBlocked?):
            reply.resume(throwing: GatewayError(.cardBlocked, "the card is blocked after too many wrong PINs; see the PIN administrator"))
        case (.unavailable, _):
            reply.resume(throwing: GatewayError(.unavailable, "the PIN could not be checked (the registry did not answer); nothing was counted; present the card again"))
        case (_, let refusal?):
            reply.resume(throwing: GatewayError(.accessRefused, "door \(id) stays shut: \(refusal.code)"))
        default:
            reply.resume(throwing: GatewayError(.notAwaitingPIN, "the PIN came too late or for another card; present the card again"))
        }
    }

    /// What happened while carrying out one batch of door effects.
    struct Outcome {
        /// The door was opened, for this event.
        var opened: DoorEvent?
        /// A two-person room: this person passed and waits for a second.
        var awaitingSecond: DoorAdmission?
        /// The attempt was refused, with this reason.
        var refusal: DoorRefusal?
        /// A record failed, so the door stayed shut.
        var historyFailed = false
    }

    private func feed(_ input: DoorInput, at now: Date, check: CardCheck? = nil) async -> Outcome {
        let occupancy = await book.snapshot()
        let outcome = await carryOut(machine.handle(input, at: now, occupancy: occupancy), check: check)
        scheduleTimer()
        let busy: Bool
        switch machine.state {
        case .verifying, .awaitingPIN: busy = true
        case .idle, .released: busy = false
        }
        context.watch.set(id, holdsCard: busy)
        return outcome
    }

    /// Carries out door effects in order; a failed record keeps the door shut and is not applied to the occupancy.
    /// The one exception is a fire release: the door is held open even when its record failed (people must get out),
    /// and the failure is in the answer.
    private func carryOut(_ effects: [DoorEffect], check: CardCheck?) async -> Outcome {
        var outcome = Outcome()
        var recordFailed = false
        for effect in effects {
            if recordFailed && effect.grantsAccess {
                outcome.historyFailed = true
                continue
            }
            switch effect {
            case .verifyCard(let presentation):
                let nested = await verify(presentation, check: check)
                outcome.opened = outcome.opened ?? nested.opened
                outcome.awaitingSecond = outcome.awaitingSecond ?? nested.awaitingSecond
                outcome.refusal = outcome.refusal ?? nested.refusal
                outcome.historyFailed = outcome.historyFailed || nested.historyFailed
            case .askForPIN(_, let operatorID, _):
                publish(.awaitingPIN, operatorID: operatorID, reason: nil)
            case .askForSecondPerson(let presentation, let operatorID, let deadline):
                outcome.awaitingSecond = DoorAdmission(presentation: presentation, operatorID: operatorID, deadline: deadline)
                publish(.awaitingSecondPerson, operatorID: operatorID, reason: nil)
            case .record(let event):
                if await context.history.append(HistoryRecords.event(event)) != nil {
                    await book.apply(event)
                    recorded(event, into: &outcome)
                } else {
                    recordFailed = true
                    outcome.historyFailed = true
                    if event.kind == .refused { outcome.refusal = event.refusal }
                }
            case .openDoor(_, let duration):
                openFor(duration, direction: outcome.opened?.direction ?? .entry)
                publish(.opened, operatorID: outcome.opened?.operatorID, reason: nil)
            case .holdDoor:
                hold()
            case .secureDoor:
                secure()
            case .raiseAlarm(let alarm):
                _ = alarmBoard.raise(alarm, door: id, room: configuration.roomID, at: Date())
                context.alarms.raise(place: id, reason: alarm.rawValue)
            case .clearAlarm(let alarm):
                alarmBoard.clear(alarm, door: id, at: Date())
            }
        }
        return outcome
    }

    /// The one card decision for a presentation (with the holidays and the escort grant), fed back to the machine.
    private func verify(_ presentation: DoorPresentation, check: CardCheck?) async -> Outcome {
        let card = check?.card ?? PresentedCard(guid: presentation.card.cardGUID, finding: .unavailable)
        let (now, zone, holidays) = (Date(), context.configuration.timeZone, check?.holidays ?? [])
        let use = CardUsePolicy.decide(
            card, at: DoorPolicy.place(of: machine.configuration, direction: presentation.direction), now: now, timeZone: zone,
            holidays: holidays)
        let mayEscort = CardUsePolicy.mayEscort(card, room: configuration.roomID, now: now, timeZone: zone, holidays: holidays)
        let occupancy = await book.snapshot()
        return await carryOut(
            machine.handle(.cardChecked(presentation.card.id, use, mayEscort: mayEscort), at: Date(), occupancy: occupancy), check: nil)
    }

    /// What a recorded event tells the clients and the answer.
    private func recorded(_ event: DoorEvent, into outcome: inout Outcome) {
        switch event.kind {
        case .refused:
            outcome.refusal = event.refusal
            publish(.refused, operatorID: event.operatorID, reason: event.refusal?.code)
        case .entry, .exit:
            if event.visitor == nil { outcome.opened = event }
        case .alarm:
            publish(.alarm, operatorID: nil, reason: event.alarm?.rawValue)
        case .alarmCleared:
            publish(.alarmCleared, operatorID: nil, reason: event.alarm?.rawValue)
        case .override:
            publish(.override, operatorID: nil, reason: event.by)
        case .released:
            publish(.released, operatorID: nil, reason: event.by)
        case .restored:
            publish(.restored, operatorID: nil, reason: event.by)
        }
    }

    private func openFor(_ duration: Duration, direction: DoorDirection) {
        let argv = context.configuration.commands.doorOpen.render([
            .door: id, .room: configuration.roomID, .direction: direction.rawValue, .seconds: String(duration.components.seconds),
        ])
        let (commands, id) = (context.commands, self.id)
        Task.detached { _ = await commands.run(argv, what: "door-open \(id)") }
    }

    /// Opens the door and holds it: `door-hold`, or without one, `door-open` again and again until restored.
    private func hold() {
        if let template = context.configuration.commands.doorHold {
            let argv = template.render([.door: id, .room: configuration.roomID])
            let (commands, alarms, id) = (context.commands, context.alarms, self.id)
            Task.detached {
                if await !commands.run(argv, what: "door-hold \(id)").succeeded { alarms.raise(place: id, reason: "door-hold-failed") }
            }
        } else {
            openFor(Self.pulseOpen, direction: .exit)
            schedulePulse()
        }
    }

    /// Secures a released door again: `door-secure` when configured; the open pulses stop either way.
    private func secure() {
        pulseGeneration += 1
        guard let template = context.configuration.commands.doorSecure else { return }
        let argv = template.render([.door: id, .room: configuration.roomID])
        let (commands, alarms, id) = (context.commands, context.alarms, self.id)
        Task.detached {
            if await !commands.run(argv, what: "door-secure \(id)").succeeded { alarms.raise(place: id, reason: "door-secure-failed") }
        }
    }

    private func schedulePulse() {
        pulseGeneration += 1
        let generation = pulseGeneration
        Task.detached { [weak self] in
            guard (try? await Task.sleep(for: Self.pulseEvery)) != nil else { return }
            self?.send(.pulse(generation))
        }
    }

    private func publish(_ outcome: DoorNotice.Outcome, operatorID: String?, reason: String?) {
        let summary = operatorID.map { OperatorSummary(id: $0, name: operatorName ?? $0) }
        context.broadcaster.publish(.door(DoorNotice(
            door: id, room: configuration.roomID, outcome: outcome, operator: summary, reason: reason, at: Date())))
    }

    /// Sleeps until the machine's next deadline (PIN, second person, held-open), if one is pending.
    private func scheduleTimer() {
        timer?.cancel()
        timer = nil
        guard let deadline = machine.nextDeadline else { return }
        let delay = max(0, deadline.timeIntervalSinceNow) + 0.001
        timer = Task.detached { [weak self] in
            guard (try? await Task.sleep(for: .seconds(delay))) != nil else { return }
            self?.send(.tick)
        }
    }
}
