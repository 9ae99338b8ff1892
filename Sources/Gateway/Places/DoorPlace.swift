import AccessPolicy
import Foundation
import GatewayAPI
import Vocabulary

/// One door with its entry and exit readers: the unit of state of a door. Like ``TerminalPlace``, it handles its
/// inbox one message at a time; card checks, PIN hashes and the door command run elsewhere and come back as messages.
actor DoorPlace {
    /// What the door hears of.
    enum Message: Sendable {
        case cardPresented(reader: String)
        case readerLost
        case checked(generation: UInt64, reader: String, CardCheck)
        case submitPIN(PIN, Reply<DoorOpening>)
        case pinChecked(PresenceID, PINResult, Reply<DoorOpening>)
        case tick
    }

    /// The door id.
    nonisolated let id: String
    /// The door's rules.
    nonisolated let configuration: DoorConfiguration
    private let context: PlaceContext
    private let book: RoomBook
    private var machine: DoorStateMachine
    private var operatorName: String?
    private var readerGeneration: UInt64 = 0
    private var timer: Task<Void, Never>?
    private let inbox: AsyncStream<Message>.Continuation
    private let messages: AsyncStream<Message>

    init(configuration: DoorConfiguration, entryReader: String?, exitReader: String?, context: PlaceContext, book: RoomBook) {
        id = configuration.doorID
        self.configuration = configuration
        self.context = context
        self.book = book
        machine = DoorStateMachine(configuration: configuration, entryReader: entryReader, exitReader: exitReader)
        (messages, inbox) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Puts `message` in the inbox; never waits.
    nonisolated func send(_ message: Message) {
        inbox.yield(message)
    }

    /// Handles the inbox until ``finish()``.
    func run() async {
        for await message in messages {
            await handle(message)
        }
    }

    /// Ends the loop once the messages already sent are handled.
    nonisolated func finish() {
        inbox.finish()
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
        }
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
        /// The attempt was refused, with this reason.
        var refusal: DoorRefusal?
        /// A record failed, so the door stayed shut.
        var historyFailed = false
    }

    private func feed(_ input: DoorInput, at now: Date, check: CardCheck? = nil) async -> Outcome {
        let occupancy = await book.snapshot()
        let outcome = await carryOut(machine.handle(input, at: now, occupancy: occupancy), check: check)
        scheduleTimer()
        context.watch.set(id, holdsCard: machine.state != .idle)
        return outcome
    }

    /// Carries out door effects in order; a failed record keeps the door shut and is not applied to the occupancy.
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
                let card = check?.card ?? PresentedCard(guid: presentation.card.cardGUID, finding: .unavailable)
                let use = CardUsePolicy.decide(
                    card, at: DoorPolicy.place(of: configuration, direction: presentation.direction), now: Date(),
                    timeZone: context.configuration.timeZone)
                let occupancy = await book.snapshot()
                let nested = await carryOut(machine.handle(.cardChecked(presentation.card.id, use), at: Date(), occupancy: occupancy), check: nil)
                outcome.opened = outcome.opened ?? nested.opened
                outcome.refusal = outcome.refusal ?? nested.refusal
                outcome.historyFailed = outcome.historyFailed || nested.historyFailed
            case .askForPIN(_, let operatorID, _):
                publish(.awaitingPIN, operatorID: operatorID, reason: nil)
            case .record(let event):
                if await context.history.append(HistoryRecords.event(event)) != nil {
                    await book.apply(event)
                    if event.kind == .refused {
                        outcome.refusal = event.refusal
                        publish(.refused, operatorID: event.operatorID, reason: event.refusal?.code)
                    } else {
                        outcome.opened = event
                    }
                } else {
                    recordFailed = true
                    if event.kind == .refused { outcome.refusal = event.refusal }
                }
            case .openDoor(let doorID, let duration):
                let opened = outcome.opened
                let argv = context.configuration.commands.doorOpen.render([
                    .door: doorID, .room: configuration.roomID, .direction: opened?.direction.rawValue ?? "in",
                    .seconds: String(duration.components.seconds),
                ])
                let commands = context.commands
                Task.detached { _ = await commands.run(argv, what: "door-open \(doorID)") }
                publish(.opened, operatorID: opened?.operatorID, reason: nil)
            }
        }
        return outcome
    }

    private func publish(_ outcome: DoorNotice.Outcome, operatorID: String?, reason: String?) {
        let summary = operatorID.map { OperatorSummary(id: $0, name: operatorName ?? $0) }
        context.broadcaster.publish(.door(DoorNotice(
            door: id, room: configuration.roomID, outcome: outcome, operator: summary, reason: reason, at: Date())))
    }

    /// Sleeps until the PIN deadline of the door, if one is pending.
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
