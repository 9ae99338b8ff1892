import AccessPolicy
import Foundation
import GatewayAPI
import History
import Logging
import Vocabulary

/// One terminal and its reader: the unit of state of a terminal (issue: "every place on its own").
///
/// Everything that concerns the terminal — reader events, card checks, PIN results, command outcomes, timer ticks and
/// API calls — arrives as a message in its inbox and is handled one at a time, in order, by the terminal's own loop.
/// Slow work (reading the card, hashing the PIN, running the lock and unlock commands) runs elsewhere and comes back as
/// a message, so nothing at one terminal ever waits for another terminal; the history append is the only shared step,
/// and it is awaited (history first: no record, no access).
actor TerminalPlace {
    /// What the terminal hears of.
    enum Message: Sendable {
        case cardInserted
        /// The card left the reader; `reported` is when the reader router heard it from pcscd.
        case cardRemoved(reported: ContinuousClock.Instant)
        case readerLost
        case pcscServiceLost
        case readerReady
        case checked(generation: UInt64, CardCheck)
        case submitPIN(PIN, Reply<TerminalView>)
        case pinChecked(PresenceID, PINResult, Reply<TerminalView>)
        case unlockFinished(session: UInt64, CommandOutcome)
        case lockFinished(generation: UInt64, succeeded: Bool)
        case tick
        case view(Reply<TerminalView>)
        case operation(action: String, target: String, Reply<OperationReceipt>)
        case manualLock(Reply<TerminalView>)
        case emergency(Reply<Bool>)
        case systemLock(LockReason, Reply<Void>?)
    }

    /// The terminal id.
    nonisolated let id: String
    /// Its reader's PC/SC name.
    nonisolated let reader: String
    private let context: PlaceContext
    private var machine: TerminalStateMachine
    private var lockReason: LockReason?
    private var operatorName: String?
    /// Bumped on every card insertion, removal or reader fault: a late card check for an older card is dropped.
    private var readerGeneration: UInt64 = 0
    /// Bumped on every lock command: only the latest one's outcome counts.
    private var lockGeneration: UInt64 = 0
    /// When pcscd's report of the last removal arrived, until the lock command it causes starts (for its log line).
    private var removalReported: ContinuousClock.Instant?
    private var timer: Task<Void, Never>?
    /// The API caller waiting for the unlock command of a session.
    private var pendingUnlock: (session: UInt64, reply: Reply<TerminalView>)?
    /// Callers of a system lock (start, shutdown) waiting for its lock command to end.
    private var pendingLocks: [(generation: UInt64, reply: Reply<Void>)] = []
    private let inbox = PlaceInbox<Message>()

    init(id: String, reader: String, context: PlaceContext) {
        self.id = id
        self.reader = reader
        self.context = context
        machine = TerminalStateMachine(terminalID: id, reader: reader, policy: context.configuration.terminalPolicy)
    }

    /// Puts `message` in the inbox; never waits.
    nonisolated func send(_ message: Message) { inbox.send(message) }

    /// Asks something of the terminal and waits for the answer.
    nonisolated func ask<T: Sendable>(_ make: (Reply<T>) -> Message) async throws -> T { try await inbox.ask(make) }

    /// Handles the inbox until ``finish()``.
    func run() async {
        for await message in inbox.messages {
            await handle(message)
        }
    }

    /// Ends the loop once the messages already sent are handled.
    nonisolated func finish() { inbox.finish() }

    // MARK: - Messages

    private func handle(_ message: Message) async {
        let now = Date()
        switch message {
        case .cardInserted:
            readerGeneration += 1
            let generation = readerGeneration
            let (context, reader) = (self.context, self.reader)
            Task.detached { [weak self] in
                let check = await context.checkCard(in: reader, room: nil)
                self?.send(.checked(generation: generation, check))
            }
        case .checked(let generation, let check):
            guard generation == readerGeneration else { return }  // the card left meanwhile
            if let problem = check.problem {
                context.logger.info("card check stopped", metadata: ["terminal": "\(id)", "problem": "\(problem)"])
            }
            operatorName = check.holderName
            await feed(.cardInserted(reader: reader, cardGUID: check.card.guid), at: now, check: check)
        case .cardRemoved(let reported):
            readerGeneration += 1
            removalReported = reported
            await feed(.cardRemoved(reader: reader), at: now)
            removalReported = nil
        case .readerLost:
            readerGeneration += 1
            await feed(.readerLost, at: now)
        case .pcscServiceLost:
            readerGeneration += 1
            await feed(.pcscServiceLost, at: now)
        case .readerReady:
            await feed(.readerReady, at: now)
        case .submitPIN(let pin, let reply):
            guard let wait = machine.phase.pinWait, let guid = wait.card.cardGUID else {
                reply.resume(throwing: GatewayError(.notAwaitingPIN, "no card waits for a PIN at terminal \(id); insert an operator card first"))
                return
            }
            let (registry, threads) = (context.registry, context.pinThreads)
            Task.detached { [weak self] in
                let result = await threads.run { PINCheck.run(card: guid, pin: pin, registry: registry) }
                self?.send(.pinChecked(wait.card.id, result, reply))
            }
        case .pinChecked(let presence, let result, let reply):
            guard machine.phase.pinWait?.card.id == presence else {
                reply.resume(throwing: GatewayError(.notAwaitingPIN, "the card left terminal \(id) before the PIN was checked"))
                return
            }
            let outcome = await feed(.pinResult(presence, result), at: now)
            answer(reply, for: result, outcome: outcome)
        case .unlockFinished(let session, let outcome):
            if outcome.succeeded {
                await feed(.unlockSucceeded(session: session), at: now)
            } else {
                await feed(.unlockFailed(.unlockCommandFailed, session: session), at: now)
            }
            settlePendingUnlock()
        case .lockFinished(let generation, let succeeded):
            let waiting = pendingLocks.filter { $0.generation <= generation }
            pendingLocks.removeAll { $0.generation <= generation }
            if generation == lockGeneration { await feed(.lockCommandFinished(succeeded: succeeded), at: now) }
            for entry in waiting { entry.reply.resume(returning: ()) }
        case .tick:
            await feed(.tick, at: now)
        case .view(let reply):
            reply.resume(returning: view())
        case .operation(let action, let target, let reply):
            await recordOperation(action: action, target: target, at: now, reply: reply)
        case .manualLock(let reply):
            await feed(.manualLock, at: now)
            reply.resume(returning: view())
        case .emergency(let reply):
            let hadSession = machine.phase.openingOrOpenSession != nil
            await feed(.emergencyLock, at: now)
            reply.resume(returning: hadSession)
        case .systemLock(let reason, let reply):
            let before = lockGeneration
            await feed(.systemLock(reason), at: now)
            guard let reply else { return }
            // Answered once the lock command ended (at start and at shutdown the gateway waits for the screens).
            if lockGeneration != before { pendingLocks.append((lockGeneration, reply)) } else { reply.resume(returning: ()) }
        }
    }

    /// Answers a PIN submission: at once, unless an unlock command now runs (then when it ends).
    private func answer(_ reply: Reply<TerminalView>, for result: PINResult, outcome: Outcome) {
        if outcome.historyFailed {
            reply.resume(throwing: GatewayError.historyUnavailable("the sign-in could not be recorded"))
            return
        }
        switch result {
        case .good:
            if case .unlocking(let session) = machine.phase {
                pendingUnlock?.reply.resume(throwing: GatewayError(.notAwaitingPIN, "another PIN entry took over"))
                pendingUnlock = (session.number, reply)
            } else {
                reply.resume(throwing: GatewayError(.unlockFailed, "terminal \(id) was not unlocked; see its state"))
            }
        case .mustChange:
            reply.resume(throwing: GatewayError(.cardRefused, "the PIN was set by the PIN administrator and must be changed first (cardgate pin change); the card is not usable until then"))
        case .refused(let refusal):
            reply.resume(throwing: GatewayError(.cardRefused, "the card can no longer be used: \(refusal.rawValue); see the PIN administrator"))
        case .wrong(let left) where left > 0:
            reply.resume(throwing: GatewayError(.wrongPIN, "wrong PIN; \(left) attempt(s) left before the card is blocked", attemptsLeft: left))
        case .wrong, .blocked:
            reply.resume(throwing: GatewayError(.cardBlocked, "the card is blocked after too many wrong PINs; see the PIN administrator"))
        case .unavailable:
            reply.resume(throwing: GatewayError(.unavailable, "the PIN could not be checked (the registry did not answer); nothing was counted; try again"))
        }
    }

    /// Resumes the caller waiting for an unlock once its session is open or gone.
    private func settlePendingUnlock() {
        guard let pending = pendingUnlock else { return }
        switch machine.phase {
        case .unlocking(let session) where session.number == pending.session:
            return
        case .unlocked(let session) where session.number == pending.session:
            pending.reply.resume(returning: view())
        case .refused(_, .unlockCommandFailed):
            pending.reply.resume(throwing: GatewayError(.unlockFailed, "the unlock command of terminal \(id) failed; the terminal stays locked"))
        case .refused(_, .historyUnavailable):
            pending.reply.resume(throwing: GatewayError.historyUnavailable("the sign-in could not be recorded"))
        default:
            pending.reply.resume(throwing: GatewayError(.notAwaitingPIN, "terminal \(id) was locked before the unlock finished (\(lockReason?.rawValue ?? "locked"))"))
        }
        pendingUnlock = nil
    }

    /// Records an operation under the open session (its operator, never the request's) before answering.
    private func recordOperation(action: String, target: String, at now: Date, reply: Reply<OperationReceipt>) async {
        await feed(.tick, at: now)  // deadlines first: a request after the idle timeout finds the terminal locked
        guard let session = machine.phase.session else {
            reply.resume(throwing: GatewayError.terminalLocked(id))
            return
        }
        let event = NewEvent(
            kind: .operation, result: .success, actor: session.operatorID, card: session.card.cardGUID?.hex, place: id,
            details: EventDetails(operation: action, record: target, session: HistoryRecords.sessionID(terminal: id, number: session.number)))
        guard let receipt = await context.history.append(event) else {
            reply.resume(throwing: GatewayError.historyUnavailable("the operation could not be recorded"))
            return
        }
        await feed(.activity, at: now)
        reply.resume(returning: OperationReceipt(
            terminal: id, operator: OperatorSummary(id: session.operatorID, name: operatorName ?? session.operatorID),
            action: action, target: target, recordedAt: now, historySequence: receipt.sequence,
            idleLockAt: now.addingTimeInterval(machine.policy.idleTimeout.timeInterval)))
    }

    // MARK: - Effects

    /// What happened while carrying out one batch of effects.
    struct Outcome {
        /// A record failed, so an unlock was refused.
        var historyFailed = false
    }

    /// Feeds one input to the machine and carries out its effects; then publishes the view and sets the timer.
    @discardableResult
    private func feed(_ input: TerminalInput, at now: Date, check: CardCheck? = nil) async -> Outcome {
        let outcome = await carryOut(machine.handle(input, at: now), check: check)
        settlePendingUnlock()
        scheduleTimer()
        context.watch.set(id, holdsCard: machine.phase.card != nil)
        context.broadcaster.publish(.terminal(view()))
        return outcome
    }

    /// Carries out `effects` in order, history first: a failed record skips the later effects that grant access and
    /// feeds `unlockFailed` (whose lock effects run even if their own records fail).
    private func carryOut(_ effects: [TerminalEffect], check: CardCheck?) async -> Outcome {
        var outcome = Outcome()
        var recordFailed = false
        var skippedGrant = false
        for effect in effects {
            if recordFailed && effect.grantsAccess {
                skippedGrant = true
                continue
            }
            switch effect {
            case .record(let event):
                if await context.history.append(HistoryRecords.event(event)) == nil { recordFailed = true }
                if let code = event.reason, let reason = LockReason(rawValue: code),
                    event.kind == .sessionEnd || event.kind == .terminalLock
                {
                    lockReason = reason
                }
            case .verifyCard(let presence):
                // The card was read and looked up before the machine heard of it; the one decision is taken now.
                let card = check?.card ?? PresentedCard(guid: presence.cardGUID, finding: .unavailable)
                let use = CardUsePolicy.decide(card, at: .terminal(id: id), now: Date(), timeZone: context.configuration.timeZone)
                let nested = await carryOut(machine.handle(.cardChecked(presence.id, use), at: Date()), check: nil)
                outcome.historyFailed = outcome.historyFailed || nested.historyFailed
            case .askForPIN:
                break  // the lock screen learns it from the terminal event
            case .runLockCommand:
                startLockCommand()
            case .runUnlockCommand(let session):
                let argv = context.configuration.commands.unlock.render([.terminal: id, .reader: reader, .operator: session.operatorID])
                let (commands, terminal) = (context.commands, id)
                Task.detached { [weak self] in
                    let result = await commands.run(argv, what: "unlock \(terminal)")
                    self?.send(.unlockFinished(session: session.number, result))
                }
            case .endSession(_, let reason):
                lockReason = reason
            case .raiseAlarm(let reason):
                context.alarms.raise(place: id, reason: reason)
            }
        }
        if skippedGrant { outcome.historyFailed = true }
        if skippedGrant, let session = machine.phase.openingOrOpenSession {
            _ = await carryOut(machine.handle(.unlockFailed(.historyWriteFailed, session: session.number), at: Date()), check: nil)
            settlePendingUnlock()
        }
        return outcome
    }

    /// Starts the lock command (with its retries) without waiting for it; its outcome comes back as a message.
    private func startLockCommand() {
        lockGeneration += 1
        let generation = lockGeneration
        let argv = context.configuration.commands.lock.render([.terminal: id, .reader: reader])
        let commands = context.commands
        let retries = context.configuration.commands.lockRetries
        let delay = context.configuration.commands.lockRetryDelay
        let terminal = id
        if let reported = removalReported {
            // The daemon's own measure of card out → lock command (gateway-bench reads it).
            let micros = (ContinuousClock.now - reported) / .microseconds(1)
            context.logger.info("lock command starting", metadata: ["terminal": "\(id)", "reason": "card-removed", "since-reader-event-us": "\(Int(micros))"])
        }
        Task.detached { [weak self] in
            let locked = await commands.runLock(argv, what: "lock \(terminal)", retries: retries, delay: delay)
            self?.send(.lockFinished(generation: generation, succeeded: locked))
        }
    }

    /// Sleeps until the machine's next deadline (idle or maximum session) instead of polling; nothing when none.
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

    // MARK: - View

    /// What the API shows of the terminal.
    private func view() -> TerminalView {
        let policy = machine.policy
        switch machine.phase {
        case .unlocked(let session):
            return TerminalView(
                id: id, state: .unlocked, operator: OperatorSummary(id: session.operatorID, name: operatorName ?? session.operatorID),
                unlockedAt: session.startedAt, idleLockAt: session.lastActivity.addingTimeInterval(policy.idleTimeout.timeInterval),
                sessionEndsAt: session.startedAt.addingTimeInterval(policy.maximumSession.timeInterval))
        case .unlocking(let session):
            return TerminalView(
                id: id, state: .unlocking, operator: OperatorSummary(id: session.operatorID, name: operatorName ?? session.operatorID))
        case .awaitingPIN(let wait):
            return TerminalView(id: id, state: machine.display, attemptsLeft: wait.attemptsLeft, lockReason: lockReason)
        case .refused(_, let refusal):
            return TerminalView(id: id, state: machine.display, lockReason: lockReason, refusal: refusal.code)
        case .locked, .verifying, .readerUnavailable:
            return TerminalView(id: id, state: machine.display, lockReason: lockReason)
        }
    }
}

extension Duration {
    /// The same length in seconds.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
