import CPCSCLite

/// The transmission protocol a card connection uses.
public enum CardProtocol: Sendable, Equatable {
    /// T=0, character-oriented.
    case t0
    /// T=1, block-oriented.
    case t1
    /// Raw (direct reader access).
    case raw
    /// Not negotiated or not one of the above.
    case undefined

    init(pcsc value: DWORD) {
        switch value {
        case PCSC.protocolT0: self = .t0
        case PCSC.protocolT1: self = .t1
        case PCSC.protocolRaw: self = .raw
        default: self = .undefined
        }
    }

    var pcscValue: DWORD {
        switch self {
        case .t0: PCSC.protocolT0
        case .t1: PCSC.protocolT1
        case .raw: PCSC.protocolRaw
        case .undefined: PCSC.protocolT1
        }
    }
}

/// The state of a connected card as pcscd reports it.
public struct CardStatus: Sendable, Equatable {
    /// The reader the card is in.
    public let reader: String
    /// The card's answer-to-reset.
    public let atr: [UInt8]
    /// The protocol in use.
    public let `protocol`: CardProtocol
}
