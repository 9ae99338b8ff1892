import AccessPolicy
import Foundation
import GatewayAPI
import History

extension GatewayCore {
    /// What happened while carrying out one batch of terminal effects.
    struct TerminalOutcome {
        /// A record failed, so an unlock was refused.
        var historyFailed = false
        /// The unlock command failed.
        var unlockCommandFailed = false
    }

    /// On ``queue``: feeds one input to terminal `id` and carries out its effects.
    @discardableResult
    func feedTerminal(_ id: String, _ input: TerminalInput, at now: Date = Date()) -> TerminalOutcome {
        guard let effects = terminals[id]?.machine.handle(input, at: now) else { return TerminalOutcome() }
        return runTerminalEffects(id, effects)
    }

    /// On ``queue``: carries out `effects` in order, history first. A failed record skips the later effects that
    /// grant access and feeds `unlockFailed` (whose lock effects run even if their own records fail).
    @discardableResult
    func runTerminalEffects(_ id: String, _ effects: [TerminalEffect], check: CardCheck? = nil) -> TerminalOutcome {
        guard let reader = terminals[id]?.reader else { return TerminalOutcome() }
        var outcome = TerminalOutcome()
        var recordFailed = false
        var skippedGrant = false
        for effect in effects {
            if recordFailed && effect.grantsAccess {
                skippedGrant = true
                continue
            }
            switch effect {
            case .record(let event):
                if !append(HistoryRecords.event(event)) { recordFailed = true }
                if let reason = event.reason, event.kind == .sessionEnd || event.kind == .terminalLock {
                    terminals[id]?.lockReason = apiLockReason(reason)
                }
            case .verifyCard(let presence):
                // The card was read and checked before the machine heard of it (see checkCard); a presence without a
                // check (never expected) is refused as not genuine.
                let verdict = check?.terminalVerdict(terminalID: id)
                    ?? CardVerdict(genuine: false, cardStatus: .unknown, operatorID: nil, operatorActive: false, allowedOnTerminal: false)
                let next = terminals[id]?.machine.handle(.cardVerified(presence.id, verdict), at: Date()) ?? []
                let nested = runTerminalEffects(id, next)
                outcome.historyFailed = outcome.historyFailed || nested.historyFailed
            case .askForPIN:
                break  // the lock screen learns it from the terminal event below
            case .runLockCommand:
                commands.start(lockArgv(id, reader: reader), what: "lock \(id)")
                if let received = readerEventReceivedAt {
                    let microseconds = (DispatchTime.now().uptimeNanoseconds - received.uptimeNanoseconds) / 1000
                    logger.info("terminal locked", metadata: [
                        "terminal": "\(id)", "since-reader-event-us": "\(microseconds)",
                    ])
                }
            case .runUnlockCommand(let session):
                let argv = configuration.commands.unlock.render([.terminal: id, .reader: reader, .operator: session.operatorID])
                if !commands.run(argv, what: "unlock \(id)") {
                    outcome.unlockCommandFailed = true
                }
            case .endSession(_, let reason):
                terminals[id]?.lockReason = apiLockReason(reason.rawValue)
            }
        }
        if skippedGrant {
            outcome.historyFailed = true
            let next = terminals[id]?.machine.handle(.unlockFailed(.historyWriteFailed), at: Date()) ?? []
            runTerminalEffects(id, next)
        } else if outcome.unlockCommandFailed {
            let next = terminals[id]?.machine.handle(.unlockFailed(.unlockCommandFailed), at: Date()) ?? []
            runTerminalEffects(id, next)
        }
        scheduleTerminalTimer(id)
        broadcaster.publish(.terminal(view(id)))
        return outcome
    }

    /// Sleeps until the terminal's next deadline (idle or maximum session) instead of polling; nothing when none.
    func scheduleTerminalTimer(_ id: String) {
        terminals[id]?.timer?.cancel()
        terminals[id]?.timer = nil
        guard let deadline = terminals[id]?.machine.nextDeadline else { return }
        let item = DispatchWorkItem { [weak self] in
            guard let self else { return }
            self.terminals[id]?.timer = nil
            self.feedTerminal(id, .tick)
        }
        terminals[id]?.timer = item
        queue.asyncAfter(deadline: .now() + max(0, deadline.timeIntervalSinceNow) + 0.001, execute: item)
    }

    /// The API's lock reason for a policy reason code.
    func apiLockReason(_ code: String) -> GatewayAPI.LockReason? {
        switch AccessPolicy.LockReason(rawValue: code) {
        case .cardRemoved, .cardReplaced: return .cardRemoved
        case .idleTimeout: return .idleTimeout
        case .maximumSession: return .maximumSession
        case .manual: return .requested
        case .emergency: return .emergency
        case .readerLost, .pcscServiceLost: return .readerLost
        case .unlockFailed, .cardRefused: return .cardRefused
        case nil: return nil
        }
    }

    /// On ``queue``: what the API shows of terminal `id`.
    func view(_ id: String) -> TerminalView {
        guard let slot = terminals[id] else { return .locked(id) }
        let policy = slot.machine.policy
        switch slot.machine.state {
        case .unlocked(let session):
            return TerminalView(
                id: id, state: .unlocked,
                operator: OperatorSummary(id: session.operatorID, name: slot.operatorName ?? session.operatorID),
                unlockedAt: session.startedAt,
                idleLockAt: session.lastActivity.addingTimeInterval(seconds(policy.idleTimeout)),
                sessionEndsAt: session.startedAt.addingTimeInterval(seconds(policy.maximumSession)))
        case .awaitingPIN(let wait):
            return TerminalView(id: id, state: .awaitingPIN, attemptsLeft: wait.attemptsLeft, lockReason: slot.lockReason)
        default:
            return .locked(id, reason: slot.lockReason)
        }
    }

    func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
