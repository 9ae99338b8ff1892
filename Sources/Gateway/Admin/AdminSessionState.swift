import Foundation
import Vocabulary

/// The administrative session the daemon keeps (there is one admin station): who logged in with which card, from
/// which uid, and the admin reader's card presence it is bound to. It never leaves the daemon; the client holds no
/// token.
struct AdminSessionState: Sendable {
    /// The administrator.
    let operatorID: String
    /// The card used at login (it must stay in the admin reader).
    let card: CardGUID
    /// The caller that logged in; only this uid may use the session.
    let uid: UInt32
    /// The admin reader's insertion the session is bound to: a removal (or any new insertion) ends it.
    let insertion: UInt64
    /// Login time.
    let openedAt: Date
    /// Last use (for the idle time-out).
    var lastUsed: Date
}

/// Why there is no usable session.
enum AdminSessionEnd: String, Sendable {
    case none = "not-logged-in"
    case cardRemoved = "card-removed"
    case idle = "idle-timeout"
    case maximum = "maximum-session"
    case otherUser = "other-user"
    case fault = "pcsc-fault"
    case logout
}
