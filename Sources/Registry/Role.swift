/// A role from the standard's organisation (clauses 3–7), as in the REQUIREMENTS roles table.
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    /// 統括者: reads every report and the whole history; changes nothing.
    case supervisor
    /// 管理者: the equipment ledger, room access grants, history archive/verify/export.
    case administrator
    /// 運用管理者: terminal assignment and incident reports for its section.
    case operationsManager = "operations-manager"
    /// 暗証番号管理者: issues, revokes and collects cards; sets, resets and unblocks PINs; operator records.
    case pinAdmin = "pin-admin"
    /// 操作者: unlocks an assigned terminal with card + PIN, changes their own PIN, enters permitted rooms.
    case `operator`

    /// The Japanese title used in the standard.
    public var japaneseTitle: String {
        switch self {
        case .supervisor: "統括者"
        case .administrator: "管理者"
        case .operationsManager: "運用管理者"
        case .pinAdmin: "暗証番号管理者"
        case .operator: "操作者"
        }
    }

    /// Orders roles as listed in the table.
    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a role name (`pin-admin`); nil for anything else.
    public init?(name: String) {
        self.init(rawValue: name)
    }
}
