import Foundation
import Logging
import Testing
@testable import Gateway

@Suite struct CommandRunnerTests {
    let runner = CommandRunner(logger: Logger(label: "test"))

    @Test func aCommandRunsAsAnArgumentVectorWithoutAShell() throws {
        let folder = NSTemporaryDirectory() + "gateway-cmd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A shell would expand `$(…)` and `;`: as one argument it is a plain file name.
        let name = folder + "/a;b $(echo x)"
        #expect(runner.run(["/usr/bin/touch", name], what: "touch"))
        #expect(FileManager.default.fileExists(atPath: name))
    }

    @Test func aFailingOrMissingProgramIsReportedAsFailed() {
        #expect(runner.run(["/bin/false"], what: "false") == false)
        #expect(runner.run(["/nonexistent/program"], what: "missing") == false)
    }

    @Test func aCommandThatHangsIsStoppedAtItsTimeout() {
        let started = Date()
        #expect(runner.run(["/bin/sleep", "10"], what: "sleep", timeout: 0.3) == false)
        #expect(Date().timeIntervalSince(started) < 3)
    }
}
