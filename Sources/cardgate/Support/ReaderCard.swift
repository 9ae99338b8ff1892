import OperatorCard
import SmartCard

/// Opens the operator card in a named reader for a command: clear refusals for pcscd down, an unknown
/// reader (listing the known ones) and an empty reader.
enum ReaderCard {
    /// Why the card in a reader could not be opened.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects to the card in `reader` and returns it as a ``PIVCard`` with its connection (disconnect
    /// when done).
    static func open(reader: String) throws -> (card: PIVCard, connection: CardConnection) {
        let context = try PCSCContext()
        defer { context.release() }
        let statuses = try context.readerStatuses()
        guard let status = statuses.first(where: { $0.name == reader }) else {
            let known = statuses.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw Failure(description: "no reader named \"\(reader)\"; readers present: \(known.isEmpty ? "none" : known)")
        }
        guard status.cardPresent else {
            throw Failure(description: "no card in reader \"\(reader)\"; insert the card and try again")
        }
        let connection = try context.connect(reader: reader)
        return (PIVCard(channel: connection), connection)
    }
}
