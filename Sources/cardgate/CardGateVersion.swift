/// The version of this build of CardGate, recorded in the history at start and compared with the ledger.
enum CardGateVersion {
    static let current = "0.1.0"
}
