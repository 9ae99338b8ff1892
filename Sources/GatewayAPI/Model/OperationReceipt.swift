import Foundation

/// The answer of `POST /v1/terminals/{id}/operations`: the operation as the history recorded it.
///
/// The operator and the terminal come from the open session, never from the request.
public struct OperationReceipt: Codable, Sendable, Equatable {
    /// The terminal whose session recorded the operation.
    public var terminal: String
    /// The session's operator.
    public var `operator`: OperatorSummary
    /// The action, for example `resident.view`.
    public var action: String
    /// The target, for example `resident:000123456789`.
    public var target: String
    /// When the history recorded it.
    public var recordedAt: Date
    /// The history entry's sequence number, when the history has one.
    public var historySequence: Int64?
    /// The idle lock, pushed back by this activity.
    public var idleLockAt: Date?

    /// Creates a receipt.
    public init(
        terminal: String,
        operator: OperatorSummary,
        action: String,
        target: String,
        recordedAt: Date,
        historySequence: Int64? = nil,
        idleLockAt: Date? = nil
    ) {
        self.terminal = terminal
        self.operator = `operator`
        self.action = action
        self.target = target
        self.recordedAt = recordedAt
        self.historySequence = historySequence
        self.idleLockAt = idleLockAt
    }
}
