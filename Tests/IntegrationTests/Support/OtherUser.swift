import Foundation

/// Runs programs as another user, the way a lock screen, a business application or a door controller runs under
/// its own account: `setpriv --reuid=UID --regid=GID --clear-groups` (the tests run as root; no account is needed,
/// the kernel reports the numbers to the daemon).
enum OtherUser {
    /// Runs `argv` as `uid`/`gid`; the exit status and standard output (standard error appended).
    static func run(uid: UInt32, gid: UInt32, _ argv: [String]) throws -> (status: Int32, output: String) {
        try BuiltTools.run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups"] + argv)
    }

    /// One HTTP request with curl over the Unix socket `socket`, as `uid`/`gid`: the HTTP status (0 when there was
    /// no answer), the body, and curl's exit status.
    static func request(
        uid: UInt32, gid: UInt32, socket: String, _ method: String, _ path: String, body: String? = nil, maxTime: Double = 15
    ) throws -> (code: Int, body: String, exit: Int32) {
        var arguments = ["/usr/bin/curl", "-sS", "--max-time", String(maxTime), "--unix-socket", socket, "-o", "-", "-w", "\n%{http_code}",
                         "-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        arguments.append("http://cardgate" + path)
        let result = try run(uid: uid, gid: gid, arguments)
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let code = Int(lines.popLast()?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
        return (code, lines.joined(separator: "\n"), result.status)
    }
}
