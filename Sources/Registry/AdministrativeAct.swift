/// An act that needs a role. `Authorization` maps each to the roles that may do it.
public enum AdministrativeAct: String, Sendable, CaseIterable {
    /// Add, update or disable operator records.
    case manageOperators = "manage operator records"
    /// Give or take away a role beyond `operator` (supervisor, administrator, operations manager, PIN administrator).
    case assignRoles = "give roles beyond operator"
    /// Issue a card to an operator.
    case issueCard = "issue cards"
    /// Revoke, suspend, resume, collect or destroy a card.
    case changeCardStatus = "revoke, suspend, collect or destroy cards"
    /// Unblock a blocked PIN.
    case unblockPIN = "unblock PINs"
    /// Set a new initial PIN (the holder must change it).
    case resetPIN = "reset PINs"
    /// List and show operators and cards.
    case viewOperatorsAndCards = "view operators and cards"
    /// Change which terminals an operator may use.
    case assignTerminals = "assign terminals"
    /// File an incident report for one's section.
    case reportIncident = "file incident reports"
    /// Add, change and retire ledger entries.
    case manageLedger = "change the equipment ledger"
    /// List and show the ledger and its change record.
    case viewLedger = "view the equipment ledger"
    /// Add rooms and grant or revoke room access.
    case manageRoomAccess = "manage rooms and room grants"
    /// List rooms and grants.
    case viewRoomAccess = "view rooms and room grants"
    /// Archive a closed year of the history.
    case archiveHistory = "archive the history"
    /// Verify the history chain and seals.
    case verifyHistory = "verify the history"
    /// Export the history for an audit.
    case exportHistory = "export the history"
    /// Read the whole history and every report.
    case readHistoryAndReports = "read the history and reports"
}
