import Vocabulary

/// One administrative request on the administration socket: `POST /v1/admin/{noun}/{verb}` with the act's body.
/// The daemon authenticates the caller (kernel credentials, administrative session bound to the card in the admin
/// reader), checks the rules and carries it out; the CLI only sends it and prints the ``AdminReply``.
public enum AdminRequest: Sendable {
    case login(AdminLogin)
    case logout
    case session
    case operatorAdd(AdminOperatorAdd)
    case operatorList
    case operatorShow(AdminID)
    case operatorUpdate(AdminOperatorUpdate)
    case operatorDisable(AdminID)
    case cardIssue(AdminCardIssue)
    case cardRevoke(AdminCardRevoke)
    case cardCollect(AdminCard)
    case cardDestroy(AdminCard)
    case cardUnblock(AdminCard)
    case cardResetPIN(AdminCardResetPIN)
    case cardList(AdminCardList)
    case cardShow(AdminCard)
    case pinChange(AdminPINChange)
    case roomAdd(AdminRoomAdd)
    case roomList
    case roomGrant(AdminRoomGrant)
    case roomRevoke(AdminGrantNumber)
    case roomGrants(AdminRoomGrants)
    case ledgerAdd(AdminLedgerEntry)
    case ledgerList(AdminLedgerList)
    case ledgerShow(AdminID)
    case ledgerChange(AdminLedgerEntry)
    case ledgerRetire(AdminLedgerRetire)
    case ledgerHistory(AdminLedgerHistory)
    case historyArchive(AdminYear)
    case historyPrune(AdminYear)
    case historyCheckpoint

    /// Every `noun/verb` the administration socket answers.
    public static let routes: [String] = [
        "session/login", "session/logout", "session/show",
        "operator/add", "operator/list", "operator/show", "operator/update", "operator/disable",
        "card/issue", "card/revoke", "card/collect", "card/destroy", "card/unblock", "card/reset-pin", "card/list", "card/show",
        "pin/change",
        "room/add", "room/list", "room/grant", "room/revoke", "room/grants",
        "ledger/add", "ledger/list", "ledger/show", "ledger/change", "ledger/retire", "ledger/history",
        "history/archive", "history/prune", "history/checkpoint",
    ]

    /// The `noun/verb` of this request.
    public var route: String {
        switch self {
        case .login: "session/login"
        case .logout: "session/logout"
        case .session: "session/show"
        case .operatorAdd: "operator/add"
        case .operatorList: "operator/list"
        case .operatorShow: "operator/show"
        case .operatorUpdate: "operator/update"
        case .operatorDisable: "operator/disable"
        case .cardIssue: "card/issue"
        case .cardRevoke: "card/revoke"
        case .cardCollect: "card/collect"
        case .cardDestroy: "card/destroy"
        case .cardUnblock: "card/unblock"
        case .cardResetPIN: "card/reset-pin"
        case .cardList: "card/list"
        case .cardShow: "card/show"
        case .pinChange: "pin/change"
        case .roomAdd: "room/add"
        case .roomList: "room/list"
        case .roomGrant: "room/grant"
        case .roomRevoke: "room/revoke"
        case .roomGrants: "room/grants"
        case .ledgerAdd: "ledger/add"
        case .ledgerList: "ledger/list"
        case .ledgerShow: "ledger/show"
        case .ledgerChange: "ledger/change"
        case .ledgerRetire: "ledger/retire"
        case .ledgerHistory: "ledger/history"
        case .historyArchive: "history/archive"
        case .historyPrune: "history/prune"
        case .historyCheckpoint: "history/checkpoint"
        }
    }

    /// The body sent with the request.
    public var body: any AdminPayload {
        switch self {
        case .login(let b): b
        case .logout, .session, .operatorList, .roomList, .historyCheckpoint: AdminNothing()
        case .operatorAdd(let b): b
        case .operatorShow(let b), .operatorDisable(let b), .ledgerShow(let b): b
        case .operatorUpdate(let b): b
        case .cardIssue(let b): b
        case .cardRevoke(let b): b
        case .cardCollect(let b), .cardDestroy(let b), .cardUnblock(let b), .cardShow(let b): b
        case .cardResetPIN(let b): b
        case .cardList(let b): b
        case .pinChange(let b): b
        case .roomAdd(let b): b
        case .roomGrant(let b): b
        case .roomRevoke(let b): b
        case .roomGrants(let b): b
        case .ledgerAdd(let b), .ledgerChange(let b): b
        case .ledgerList(let b): b
        case .ledgerRetire(let b): b
        case .ledgerHistory(let b): b
        case .historyArchive(let b), .historyPrune(let b): b
        }
    }

    /// Decodes the request of `route` (`noun/verb`) from its body; unknown fields and bad values are refused.
    public static func decode(route: String, body bytes: [UInt8]) throws(GatewayError) -> AdminRequest {
        func read<T: AdminPayload>(_ type: T.Type) throws(GatewayError) -> T {
            try StrictBody.decode(type, from: bytes, allowed: T.fields)
        }
        switch route {
        case "session/login": return .login(try read(AdminLogin.self))
        case "session/logout": _ = try read(AdminNothing.self); return .logout
        case "session/show": _ = try read(AdminNothing.self); return .session
        case "operator/add": return .operatorAdd(try read(AdminOperatorAdd.self))
        case "operator/list": _ = try read(AdminNothing.self); return .operatorList
        case "operator/show": return .operatorShow(try read(AdminID.self))
        case "operator/update": return .operatorUpdate(try read(AdminOperatorUpdate.self))
        case "operator/disable": return .operatorDisable(try read(AdminID.self))
        case "card/issue": return .cardIssue(try read(AdminCardIssue.self))
        case "card/revoke": return .cardRevoke(try read(AdminCardRevoke.self))
        case "card/collect": return .cardCollect(try read(AdminCard.self))
        case "card/destroy": return .cardDestroy(try read(AdminCard.self))
        case "card/unblock": return .cardUnblock(try read(AdminCard.self))
        case "card/reset-pin": return .cardResetPIN(try read(AdminCardResetPIN.self))
        case "card/list": return .cardList(try read(AdminCardList.self))
        case "card/show": return .cardShow(try read(AdminCard.self))
        case "pin/change": return .pinChange(try read(AdminPINChange.self))
        case "room/add": return .roomAdd(try read(AdminRoomAdd.self))
        case "room/list": _ = try read(AdminNothing.self); return .roomList
        case "room/grant": return .roomGrant(try read(AdminRoomGrant.self))
        case "room/revoke": return .roomRevoke(try read(AdminGrantNumber.self))
        case "room/grants": return .roomGrants(try read(AdminRoomGrants.self))
        case "ledger/add": return .ledgerAdd(try read(AdminLedgerEntry.self))
        case "ledger/list": return .ledgerList(try read(AdminLedgerList.self))
        case "ledger/show": return .ledgerShow(try read(AdminID.self))
        case "ledger/change": return .ledgerChange(try read(AdminLedgerEntry.self))
        case "ledger/retire": return .ledgerRetire(try read(AdminLedgerRetire.self))
        case "ledger/history": return .ledgerHistory(try read(AdminLedgerHistory.self))
        case "history/archive": return .historyArchive(try read(AdminYear.self))
        case "history/prune": return .historyPrune(try read(AdminYear.self))
        case "history/checkpoint": _ = try read(AdminNothing.self); return .historyCheckpoint
        default: throw GatewayError(.notFound, "no administrative act \(route.prefix(40)); see cardgate --help")
        }
    }
}

/// What the administration socket asks of the gateway core.
///
/// Implementations authenticate every request from the ``Peer`` the kernel reported, keep the administrative
/// session on their side (bound to the caller's uid and to the card staying in the admin reader), enforce roles and
/// separation of duties where the registry lives, record each act in the history before it takes effect, and answer
/// what the command prints.
public protocol AdminService: Sendable {
    /// Carries out `request` for `caller`.
    func perform(_ request: AdminRequest, caller: Peer) async throws -> AdminReply
}
