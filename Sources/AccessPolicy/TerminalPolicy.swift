import Foundation

/// The timing rules of a terminal session (clause 16.5).
public struct TerminalPolicy: Hashable, Sendable {
    /// A session with no activity for this long is locked; default 10 minutes.
    public var idleTimeout: Duration
    /// A session is locked this long after it started, whatever the activity; default 8 hours.
    public var maximumSession: Duration

    /// Creates a policy; both durations must be positive (the configuration validates this).
    public init(idleTimeout: Duration = .seconds(600), maximumSession: Duration = .seconds(8 * 3600)) {
        self.idleTimeout = idleTimeout
        self.maximumSession = maximumSession
    }
}

extension Date {
    /// This instant moved forward by a `Duration`.
    func adding(_ duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
