#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import History

/// `cardgate history acknowledge`: an administrator's answer to the witness alarm.
///
/// It runs on the gateway machine with the rights that sign the history (root or the service account), not through
/// the daemon: while the history is halted the daemon records nothing, so no administrator could log in to it. The
/// record names the login account that ran it (`SUDO_USER` under sudo, else the process's own account).
struct HistoryAcknowledgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acknowledge",
        abstract: "Clear the witness alarm after investigating: record who and why, and set aside the witnessed checkpoints the database does not extend.",
        discussion: """
            Run on the gateway machine as root (sudo) or the service account: the history's signing key is needed, and
            the record names your login account. First compare with the last backup: restoring a backup that extends the
            witness is better than this. The incident stays visible to verify.
            Example: sudo cardgate history acknowledge --reason "disk replaced; events 1201-1260 lost, see incident 2026-07"
            """
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "Why (at most 128 bytes; it is recorded).") var reason: String

    func run() throws {
        let who = Self.account()
        let why = reason
        let store = try options.openForWriting()
        let cp = try orExit { () throws(HistoryError) in try store.acknowledgeWitnessMismatch(by: who, reason: why) }
        printOut("acknowledged by \(who); checkpoint \(cp.number) at \(cp.size) events sets aside \(cp.supersedes.count) witnessed checkpoint(s); the history records again\n")
    }

    /// `unix:<login>`: the person behind sudo when root runs this through sudo, else this process's account.
    static func account(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if getuid() == 0, let user = environment["SUDO_USER"], !user.isEmpty, user.utf8.count <= 64,
           user.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
            return "unix:" + user
        }
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "unix:uid-\(getuid())" }
        return "unix:" + String(cString: name)
    }
}
