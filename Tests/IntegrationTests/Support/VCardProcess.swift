import Foundation

/// Runs the built `vcard` (and other tools) for integration tests.
enum BuiltTools {
    /// The folder holding the built executables: the test binary's own folder (or a parent, for the
    /// macOS `.xctest` bundle layout).
    static func productsDirectory() -> URL? {
        let start = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]).deletingLastPathComponent()
        var dir = start
        for _ in 0..<5 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("vcard").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// The path of the built `vcard`.
    static func vcard() throws -> String { try executable("vcard") }

    /// The path of the built `cardgate`.
    static func cardgate() throws -> String { try executable("cardgate") }

    /// The path of one of this package's built executables. `CARDGATE_TEST_PRODUCTS` names another folder to take
    /// them from first (for example the release build an installation runs: `make release-test`).
    static func executable(_ name: String) throws -> String {
        if let other = ProcessInfo.processInfo.environment["CARDGATE_TEST_PRODUCTS"], !other.isEmpty {
            let path = URL(fileURLWithPath: other).appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        guard let dir = productsDirectory(), FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent(name).path) else {
            throw ToolError(description: "the built \(name) executable was not found next to the test binary; run `swift build --build-tests` first")
        }
        return dir.appendingPathComponent(name).path
    }

    /// A program found on PATH, or nil.
    static func onPath(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    struct ToolError: Error, CustomStringConvertible { let description: String }

    /// Runs a program to completion and returns its exit status and standard output (standard error is
    /// appended to the output, so failures explain themselves in test messages).
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A running `vcard insert`: started with a pipe as standard input (closing it removes the card),
/// considered inserted once it prints its "inserted" line.
final class VCardProcess {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lines = LineCollector()

    /// Starts `vcard insert --card <card> --port <port>` with `extra` arguments and waits up to `timeout`
    /// for it to report the card inserted.
    init(card: String, port: Int, extra: [String] = [], timeout: Duration = .seconds(10)) throws {
        process.executableURL = URL(fileURLWithPath: try BuiltTools.vcard())
        process.arguments = ["insert", "--card", card, "--port", String(port)] + extra
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let collector = lines
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { collector.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while !lines.text.contains("inserted") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                let text = lines.text
                terminate()
                throw BuiltTools.ToolError(description: "vcard insert did not report insertion: \(text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Everything the process printed so far.
    var printed: String { lines.text }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    func terminate() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    /// Closes standard input and waits for the exit status.
    func closeInput() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}

/// Text gathered from a pipe on another thread.
// @unchecked Sendable: `buffer` is only touched with `lock` held.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    func append(_ s: String) { lock.withLock { buffer += s } }
    var text: String { lock.withLock { buffer } }
}
