import ArgumentParser
import Foundation
import SmartCard

/// `cardgate readers`: the PC/SC readers and whether a card is in each.
struct ReadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "List the smart-card readers and whether a card is in each.",
        discussion: """
            Asks pcscd for every reader, the presence of a card and the card's ATR.
            Example: cardgate readers --json
            Exit status: 0 listed (possibly none), 69 PC/SC service not running, 1 other PC/SC failure.
            """
    )

    @Flag(help: "Print a JSON array of {name, cardPresent, atr} instead of a table.")
    var json = false

    func run() throws {
        let statuses: [ReaderStatus]
        do {
            let context = try PCSCContext()
            defer { context.release() }
            statuses = try context.readerStatuses()
        } catch {
            if error.code == .pcsc(.noService) || error.meansServiceUnavailable {
                FileHandle.standardError.write(Data("cardgate: PC/SC service not running: start pcscd (systemctl start pcscd, or hardware/pcscd-virtual.sh start for the virtual readers)\n".utf8))
                throw ExitCode(69)
            }
            FileHandle.standardError.write(Data("cardgate: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
        print(json ? try ReaderListing.json(statuses) : ReaderListing.table(statuses))
    }
}

/// The two renderings of a reader list.
enum ReaderListing {
    /// One JSON object per reader, for scripts.
    struct Entry: Codable, Equatable {
        let name: String
        let cardPresent: Bool
        /// Upper-case hex, no spaces; null without a card.
        let atr: String?

        private enum CodingKeys: String, CodingKey { case name, cardPresent, atr }

        init(name: String, cardPresent: Bool, atr: String?) {
            self.name = name
            self.cardPresent = cardPresent
            self.atr = atr
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(cardPresent, forKey: .cardPresent)
            try container.encode(atr, forKey: .atr)  // null, not absent, without a card
        }
    }

    static func entries(_ statuses: [ReaderStatus]) -> [Entry] {
        statuses.map { Entry(name: $0.name, cardPresent: $0.cardPresent, atr: $0.cardPresent ? hex($0.atr) : nil) }
    }

    /// A JSON array of `{name, cardPresent, atr}`.
    static func json(_ statuses: [ReaderStatus]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries(statuses)), as: UTF8.self)
    }

    /// A table for people: reader, card, ATR.
    static func table(_ statuses: [ReaderStatus]) -> String {
        guard !statuses.isEmpty else { return "No smart-card reader found (pcscd is running but lists none)." }
        let rows = statuses.map { status -> [String] in
            let card = !status.cardPresent ? "-" : status.mute ? "present (mute)" : status.inUse ? "present (in use)" : "present"
            return [status.name, card, status.cardPresent ? hex(status.atr) : ""]
        }
        let header = ["READER", "CARD", "ATR"]
        let widths = (0..<2).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            (cells[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + cells[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + cells[2])
                .trimmingCharacters(in: .whitespaces)
        }
        return ([header] + rows).map(line).joined(separator: "\n")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02X", $0) }.joined()
    }
}
