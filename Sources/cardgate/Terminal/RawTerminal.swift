#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal could not be put in raw mode.
struct RawTerminalError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Puts the controlling terminal in raw mode (no echo, no line editing; Ctrl-C still interrupts) on the
/// alternate screen, and puts it back as it was.
final class RawTerminal {
    private var original = termios()
    // True until raw mode is on, so that a failed init (whose deinit still runs) restores nothing.
    private var restored = true

    /// Enters raw mode; throws if standard input or output is not a terminal.
    init() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw RawTerminalError(message: "cardgate terminal needs a terminal on standard input and output")
        }
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            throw RawTerminalError(message: "cannot read the terminal settings: \(String(cString: strerror(errno)))")
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ECHONL | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else {
            throw RawTerminalError(message: "cannot set the terminal to raw mode: \(String(cString: strerror(errno)))")
        }
        restored = false
        Self.write("\u{1B}[?1049h\u{1B}[?25l")
    }

    /// Leaves the alternate screen and restores the settings (idempotent).
    func restore() {
        guard !restored else { return }
        restored = true
        Self.write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
    }

    deinit { restore() }

    /// Columns and rows of the terminal (80×24 if unknown).
    static func size() -> (columns: Int, rows: Int) {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        return (80, 24)
    }

    /// Writes `text` to standard output, all of it.
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
