import Foundation

/// Unbuffered writes to standard output and standard error, so a parent process sees each line at once.
enum FileHandleOutput {
    /// Writes `string` to standard error as it is.
    static func writeStderr(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }

    /// Writes `string` and a newline to standard output.
    static func line(_ string: String) {
        FileHandle.standardOutput.write(Data((string + "\n").utf8))
    }
}
