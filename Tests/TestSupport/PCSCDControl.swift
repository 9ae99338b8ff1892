import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The repository's `hardware/pcscd-virtual.sh`, driven for the pcscd that is running now, so that stopping and
/// starting it again keeps the run folder (and pid file) of whoever started it. For the tests that kill pcscd.
public enum PCSCDControl {
    /// Why the script could not be run.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `hardware/pcscd-virtual.sh`, found from this file's path.
    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("hardware/pcscd-virtual.sh").path
    }

    /// The run folder of the running pcscd (the parent of its `-c DIR/reader.conf.d`), or nil.
    public static func runningRunDir() -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in entries where Int(pid) != nil {
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == "pcscd",
                  let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let index = arguments.firstIndex(of: "-c"), index + 1 < arguments.count {
                return URL(fileURLWithPath: arguments[index + 1]).deletingLastPathComponent().path
            }
        }
        return nil
    }

    /// Runs the script with `action` (start, stop, kill, status) for `runDir` and returns its exit status.
    /// (posix_spawn and waitpid: Foundation's Process.waitUntilExit was seen to hang once the script had left
    /// pcscd running in the background.)
    @discardableResult
    public static func run(_ action: String, runDir: String?) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        if let runDir { environment["RUN_DIR"] = runDir }
        let arguments = ["/bin/bash", script, action]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp)
        guard spawned == 0 else { throw Failure(description: "cannot run \(script): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }
}
