#if canImport(Glibc)
import Glibc
import Vocabulary
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Asks for PINs: on the terminal without echo (termios), or one per line from standard input with
/// `--pin-stdin`. A PIN never appears in argv, output or an error message.
enum PINEntry {
    /// Throws before anything is done when the PIN could not be asked: no `--pin-stdin` and no terminal.
    static func requireSource(fromStdin: Bool) throws {
        guard fromStdin || isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("standard input is not a terminal, so the PIN cannot be asked without echo; give it on standard input with --pin-stdin; nothing was changed")
        }
    }

    /// Reads one PIN for each prompt. With `fromStdin`, one line per prompt; otherwise standard input
    /// must be a terminal.
    static func read(_ prompts: [String], fromStdin: Bool) throws -> [PIN] {
        if fromStdin {
            return try prompts.map { prompt in
                guard let line = readLine(strippingNewline: true) else {
                    throw CommandFailure("--pin-stdin: expected \(prompts.count) line\(prompts.count == 1 ? "" : "s") on standard input (\(prompts.joined(separator: ", "))); got fewer")
                }
                return PIN(line.hasSuffix("\r") ? String(line.dropLast()) : line)
            }
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("standard input is not a terminal, so the PIN cannot be asked without echo; give it on standard input with --pin-stdin")
        }
        return try prompts.map { try readHidden($0) }
    }

    /// Reads a new PIN twice and checks both entries match (`--pin-stdin`: one line, no confirmation).
    static func readNew(_ what: String, fromStdin: Bool) throws -> PIN {
        if fromStdin { return try read([what], fromStdin: true)[0] }
        let entries = try read([what, "\(what) again"], fromStdin: false)
        guard entries[0].matches(entries[1]) else {
            throw CommandFailure("the two entries of the \(what) differ; nothing was changed")
        }
        return entries[0]
    }

    /// One line from the terminal with echo turned off, the prompt on standard error.
    private static func readHidden(_ prompt: String) throws -> PIN {
        FileHandle.standardError.write(Data("\(prompt): ".utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            throw CommandFailure("the terminal settings cannot be read; use --pin-stdin")
        }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0 else {
            throw CommandFailure("echo cannot be turned off on this terminal; use --pin-stdin")
        }
        defer { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure("no PIN entered")
        }
        return PIN(line)
    }
}
