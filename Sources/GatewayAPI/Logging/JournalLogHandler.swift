#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// A swift-log handler writing one line per entry to standard error in the form journald understands:
/// `<6>cardgate.api: request method=GET path=/v1/status status=200` (the `<N>` is the syslog priority).
///
/// Bootstrap it once at start: `LoggingSystem.bootstrap { JournalLogHandler(label: $0) }`.
public struct JournalLogHandler: LogHandler {
    /// The logger's label, printed before the message.
    public let label: String
    /// Entries below this level are dropped.
    public var logLevel: Logger.Level
    /// Metadata added to every entry of this logger.
    public var metadata: Logger.Metadata = [:]
    private let write: @Sendable (String) -> Void

    /// Creates a handler for `label`, writing to standard error unless `write` is given (tests).
    public init(label: String, level: Logger.Level = .info, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.logLevel = level
        self.write = write ?? Self.writeToStandardError
    }

    /// Metadata of this logger by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one entry as one line.
    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        var line = "<\(Self.priority(event.level))>\(label): \(Self.oneLine(event.message.description))"
        for key in all.keys.sorted() {
            line += " \(key)=\(Self.quoted(Self.oneLine(all[key]!.description)))"
        }
        write(line + "\n")
    }

    /// The syslog priority of `level`.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Newlines and other control characters become spaces: one entry, one line.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// Values with spaces, quotes or `=` are quoted.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func writeToStandardError(_ line: String) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(2, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
