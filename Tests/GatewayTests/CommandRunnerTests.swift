import Foundation
import Logging
import Testing
@testable import Gateway

@Suite struct CommandRunnerTests {
    let runner = CommandRunner(logger: Logger(label: "test"), timeout: .seconds(10))

    @Test func aCommandRunsAsAnArgumentVectorWithoutAShell() async throws {
        let folder = NSTemporaryDirectory() + "gateway-cmd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A shell would expand `$(…)` and `;`: as one argument it is a plain file name.
        let name = folder + "/a;b $(echo x)"
        #expect(await runner.run(["/usr/bin/touch", name], what: "touch") == .succeeded)
        #expect(FileManager.default.fileExists(atPath: name))
    }

    @Test func aFailingOrMissingProgramIsReportedAsFailed() async {
        #expect(await runner.run(["/bin/false"], what: "false") == .failed(status: 1))
        #expect(await runner.run(["/nonexistent/program"], what: "missing") == .notStarted)
    }

    @Test func aCommandThatHangsIsStoppedAtItsTimeout() async {
        let quick = CommandRunner(logger: Logger(label: "test"), timeout: .milliseconds(300))
        let started = Date()
        #expect(await quick.run(["/bin/sleep", "10"], what: "sleep") == .timedOut)
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func aCommandThatIgnoresSIGTERMIsKilledASecondLater() async {
        let quick = CommandRunner(logger: Logger(label: "test"), timeout: .milliseconds(300))
        let started = Date()
        // bash ignores TERM here; only the SIGKILL one second after the time-out ends it.
        #expect(await quick.run(["/bin/bash", "-c", "trap '' TERM; sleep 20 & wait; sleep 20"], what: "stubborn") == .timedOut)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1.2 && elapsed < 5, "SIGTERM at 0.3 s was ignored; SIGKILL came at about 1.3 s (took \(elapsed) s)")
    }

    @Test func aFailedLockIsTriedAgainAndReportsItsLastOutcome() async throws {
        let folder = NSTemporaryDirectory() + "gateway-lock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let counter = folder + "/tries"
        // Fails twice, then succeeds: counts its runs in a file.
        let script = "n=$(cat '\(counter)' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '\(counter)'; [ $n -ge 3 ]"
        #expect(await runner.runLock(["/bin/bash", "-c", script], what: "lock", retries: 2, delay: .milliseconds(10)))
        #expect(try String(contentsOfFile: counter, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "3")
        try? FileManager.default.removeItem(atPath: counter)
        #expect(await runner.runLock(["/bin/bash", "-c", script], what: "lock", retries: 1, delay: .milliseconds(10)) == false)
    }
}
