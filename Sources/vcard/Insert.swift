import ArgumentParser
import Foundation
import VirtualCard

extension VCard {
    /// `vcard insert`: put a card into a vpcd reader until told to remove it.
    struct Insert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Insert a card image into a vpcd virtual reader; remove it on SIGTERM, SIGINT or end of input.",
            discussion: """
                Connects to vpcd (retrying until pcscd and the reader are up), prints "inserted" when the card is in the reader, and stays until SIGTERM, SIGINT or end of standard input; then it closes the connection, which removes the card, and exits 0. In the background, use --no-stdin (or keep standard input open): the end of input removes the card.

                Example:
                  vcard insert --card card.json --port 35975
                  vcard insert --card card.json --port 35975 --clone --slow 200 --no-stdin &
                """
        )

        @Option(help: "The card image file (mode 0600).")
        var card: String

        @Option(help: ArgumentHelp("The vpcd port of the reader slot (slot 00 00 = the reader's port, 00 01 = port + 1).", valueName: "port"))
        var port: Int

        @Option(help: "The host vpcd listens on.")
        var host = "127.0.0.1"

        @Flag(help: "Act as a clone: same CHUID and certificate, a different private key.")
        var clone = false

        @Flag(help: "Give an ATR but answer no command.")
        var mute = false

        @Option(help: ArgumentHelp("Delay each answer by this many milliseconds.", valueName: "ms"))
        var slow: Int = 0

        @Flag(inversion: .prefixedNo, help: "Keep the card inserted across pcscd restarts by reconnecting.")
        var reconnect = true

        @Flag(help: "Do not watch standard input (stop only on SIGTERM or SIGINT).")
        var noStdin = false

        func validate() throws {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
            guard (0...600_000).contains(slow) else { throw ValidationError("--slow must be 0...600000 milliseconds") }
            guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        }

        func run() throws {
            let image: CardImage
            do {
                image = try CardImage.load(path: card)
            } catch {
                printError("vcard insert: \(error.description)")
                throw ExitCode.failure
            }
            let emulator = PIVCardEmulator(image: image, faults: CardFaults(clone: clone, mute: mute, delayMilliseconds: slow))
            let link = VPCDLink(host: host, port: UInt16(port), emulator: emulator, reconnect: reconnect)
            let stop = StopSignal()
            let inserted = InsertedFlag()
            stop.watchSignals([SIGTERM, SIGINT])
            if !noStdin { stop.watchStandardInputEnd() }

            Thread.detachNewThread {
                do {
                    try link.connect()
                    inserted.set()
                    var faults: [String] = []
                    if clone { faults.append("clone") }
                    if mute { faults.append("mute") }
                    if slow > 0 { faults.append("slow \(slow) ms") }
                    FileHandleOutput.line("inserted: guid \(image.identity.guid.hex) into vpcd \(host):\(port)"
                        + (faults.isEmpty ? "" : " (" + faults.joined(separator: ", ") + ")"))
                    _ = link.waitUntilClosed()
                    stop.fire(.linkEnded)
                } catch {
                    if !stop.hasFired {
                        printError("vcard insert: \(error)")
                    }
                    stop.fire(.linkEnded)
                }
            }

            let reason = stop.wait()
            link.close()
            _ = link.waitUntilClosed(timeout: .seconds(5))
            switch reason {
            case .linkEnded:
                printError("vcard insert: the connection to vpcd ended")
                throw ExitCode.failure
            case .signal, .endOfInput:
                if inserted.value { FileHandleOutput.line("removed") }
            }
        }
    }
}

/// Whether the card got into the reader, set by the connecting thread.
// @unchecked Sendable: `flag` is only touched with `lock` held.
final class InsertedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
