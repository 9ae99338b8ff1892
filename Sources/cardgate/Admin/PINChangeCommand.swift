import ArgumentParser
import Foundation
import History
import Credentials
import Registry

/// `cardgate pin …`: the card holder's own PIN.
struct PINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "The card holder's own PIN.", subcommands: [PINChangeCommand.self])
}

/// `cardgate pin change`: the holder, with their card and current PIN, sets a new PIN.
struct PINChangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change your PIN with your card and current PIN (new PIN asked twice).",
        discussion: """
            With --pin-stdin, standard input gives two lines: the current PIN, then the new one.
            A wrong current PIN counts towards the block.

            Example: cardgate pin change --reader "CardGate Admin 00 00"
            """
    )

    @OptionGroup var options: ConfigOption
    @Option(help: "The reader holding your card.") var reader: String
    @Flag(help: "Read the current and the new PIN as two lines from standard input.") var pinStdin = false

    func run() throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let context = try AdminContext(options, act: nil)
        try context.requireAdminReader(reader)
        let registry = context.registry
        let (presented, card) = try context.readRegisteredCard(reader: reader)
        let cardId = presented.guid.hex
        let current: PINEntryPair
        if pinStdin {
            let lines = try PINEntry.read(["current PIN", "new PIN"], fromStdin: true)
            current = PINEntryPair(current: lines[0], new: lines[1])
        } else {
            let old = try PINEntry.read(["current PIN"], fromStdin: false)[0]
            current = PINEntryPair(current: old, new: try PINEntry.readNew("new PIN", fromStdin: false))
        }
        let holder = card.operatorId
        do {
            try context.installation.pinPolicy().check(current.new)
        } catch {
            throw CommandFailure("\(error.description); nothing was changed")
        }
        try context.record(NewEvent(kind: .pinChanged, result: .success, actor: holder, card: cardId, place: reader))
        do {
            try registry.pins.change(card: presented.guid, current: current.current, new: current.new)
        } catch {
            switch error.code {
            case .pinWrong, .pinBlocked:
                let status = try? registry.pins.status(card: presented.guid)
                _ = try? context.history.append(NewEvent(kind: .pinFailed, result: .failure, actor: holder, card: cardId, place: reader,
                                                     details: EventDetails(retriesLeft: status?.remainingAttempts)))
                if status?.blocked == true {
                    _ = try? context.history.append(NewEvent(kind: .pinLocked, result: .failure, actor: holder, card: cardId, place: reader))
                }
            default:
                break
            }
            _ = try? context.history.append(NewEvent(kind: .pinChanged, result: .failure, actor: holder, card: cardId, place: reader,
                                                 details: EventDetails(reason: "not done: \(error.code.rawValue)")))
            throw CommandFailure(error.description)
        }
        print("PIN of card \(cardId) changed")
    }
}

/// The two PINs of a change.
struct PINEntryPair {
    let current: PIN
    let new: PIN
}
