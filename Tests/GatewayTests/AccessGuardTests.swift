import CardGateConfig
import Foundation
import GatewayAPI
import Testing
import Vocabulary
@testable import Gateway

@Suite struct AccessGuardTests {
    static let file: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/cardgate.toml").path
    }()

    /// The rig's configuration with T01 for uid 1001, T02 for group 2002, the door for uid 1003, supervisors uid 1004.
    static func configuration() throws -> CardGateConfiguration {
        var text = try String(contentsOfFile: file, encoding: .utf8)
        var terminals = 0
        text = text.replacingOccurrences(of: "supervisors = [\"uid:0\"]", with: "supervisors = [\"uid:1004\"]")
        while let range = text.range(of: "clients = [\"uid:0\"]") {
            terminals += 1
            let replacement = terminals == 1 ? "clients = [\"uid:1001\"]" : terminals == 2 ? "clients = [\"gid:2002\"]" : "clients = [\"uid:1003\"]"
            text.replaceSubrange(range, with: replacement)
        }
        return try CardGateConfiguration.parse(text, file: file, environment: [:], workingDirectory: "/")
    }

    func peer(_ uid: UInt32, gid: UInt32 = 100, groups: Set<UInt32> = []) -> Peer {
        Peer(uid: uid, gid: gid, pid: 1, groups: groups)
    }

    @Test func eachClientSeesAndActsOnItsOwnPlacesOnly() async throws {
        let history = try TemporaryHistory()
        let guardian = try AccessGuard(configuration: Self.configuration(), recorder: RefusalRecorder(history: history.writer))
        #expect(guardian.maySee(terminal: "T01", peer(1001)))
        #expect(!guardian.maySee(terminal: "T02", peer(1001)))
        #expect(guardian.maySee(terminal: "T02", peer(1500, groups: [2002])), "a member of the terminal's group")
        #expect(guardian.maySee(terminal: "T02", peer(1500, gid: 2002)), "the primary group counts too")
        #expect(guardian.maySee(door: "D1", peer(1003)) && !guardian.maySee(door: "D1", peer(1001)))
        #expect(guardian.maySee(room: "R1", peer(1003)) && !guardian.maySee(room: "R1", peer(1001)))
        #expect(guardian.isSupervisor(peer(1004)) && guardian.maySee(terminal: "T01", peer(1004)))
        #expect(guardian.mayConnect(peer(1001)) && !guardian.mayConnect(peer(4242)))
        #expect(throws: GatewayError.self) { try guardian.requireTerminal("T02", peer(1001), "enter a PIN at terminal T02") }
        #expect(throws: GatewayError.self) { try guardian.requireTerminal("T01", peer(1004), "enter a PIN at terminal T01") }
        try guardian.requireTerminal("T01", peer(1004), "lock terminal T01", supervisorsToo: true)
        #expect(throws: GatewayError.self) { try guardian.requireSupervisor(peer(1001), "lock every terminal") }
    }

    @Test func anUnknownUserOrGroupNameStopsTheStart() throws {
        let text = try String(contentsOfFile: Self.file, encoding: .utf8)
            .replacingOccurrences(of: "supervisors = [\"uid:0\"]", with: "supervisors = [\"no-such-user-cg\"]")
        let configuration = try CardGateConfiguration.parse(text, file: Self.file, environment: [:], workingDirectory: "/")
        let history = try TemporaryHistory()
        #expect { try AccessGuard(configuration: configuration, recorder: RefusalRecorder(history: history.writer)) } throws: {
            ($0 as? GatewayStartError)?.message.contains("no-such-user-cg") == true
        }
    }

    @Test func refusalsAreRecordedOncePerCallerAndActWithACountOfTheRest() async throws {
        let state = RefusalState()
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(await state.admit(key: "1001 a", now: start, window: 60) == 0)
        for second in 1...5 { #expect(await state.admit(key: "1001 a", now: start.addingTimeInterval(Double(second)), window: 60) == nil) }
        #expect(await state.admit(key: "1001 b", now: start.addingTimeInterval(6), window: 60) == 0, "another act is recorded")
        #expect(await state.admit(key: "1002 a", now: start.addingTimeInterval(6), window: 60) == 0, "another caller is recorded")
        #expect(await state.admit(key: "1001 a", now: start.addingTimeInterval(61), window: 60) == 5, "the next record counts the five left out")
    }
}
