#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// Turns the entry book's HTML into a PDF with WeasyPrint (Debian package `weasyprint`), which lays out CSS paged media:
/// A4, page numbers, table headers repeated on each page. Run without a shell: the HTML goes to its standard input, the
/// PDF comes out of its standard output straight into the file the caller opened.
enum WeasyPrint {
    /// Where it is looked for, in order: Debian's package, then a local install. `PATH` is not searched: the report
    /// runs what an administrator installed, not what the caller's `PATH` names first.
    static let places = ["/usr/bin/weasyprint", "/usr/local/bin/weasyprint"]

    /// The environment variable naming another WeasyPrint executable (only that one is tried).
    static let override = "CARDGATE_WEASYPRINT"

    /// The WeasyPrint to run, or nil when none is installed.
    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let candidates = environment[override].map { [$0] } ?? places
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The message when it is missing.
    static let missing = "--format pdf needs weasyprint, which is not installed (looked for \(places.joined(separator: ", ")), "
        + "or $\(override)): install the Debian package weasyprint (apt-get install weasyprint fonts-ipaexfont-gothic), "
        + "or use --format html and print the page from a browser"

    /// Renders `html` into `output` with the WeasyPrint at `path`; throws with WeasyPrint's own message when it fails.
    static func render(html: String, with path: String, into output: FileHandle) throws {
        signal(SIGPIPE, SIG_IGN)  // if it dies early, writing its input must fail, not end this process
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--encoding", "utf-8", "--media-type", "print", "-", "-"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot run \(path): \(error.localizedDescription)")
        }
        let writer = input.fileHandleForWriting
        let page = Data(html.utf8)
        let written = DispatchGroup()
        written.enter()
        DispatchQueue.global().async {
            try? writer.write(contentsOf: page)
            try? writer.close()
            written.leave()
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        written.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).split(separator: "\n").suffix(5).joined(separator: "\n")
            throw CommandFailure("weasyprint failed (status \(process.terminationStatus)): \(text)")
        }
    }
}
