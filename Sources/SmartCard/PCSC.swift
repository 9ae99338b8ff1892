import CPCSCLite

/// Constants and small helpers shared by the C-facing files of this module.
enum PCSC {
    static let scopeSystem = DWORD(SCARD_SCOPE_SYSTEM)
    static let infinite = DWORD(0xFFFF_FFFF)
    static let shareShared = DWORD(SCARD_SHARE_SHARED)
    static let protocolT0 = DWORD(SCARD_PROTOCOL_T0)
    static let protocolT1 = DWORD(SCARD_PROTOCOL_T1)
    static let protocolRaw = DWORD(SCARD_PROTOCOL_RAW)
    static let leaveCard = DWORD(SCARD_LEAVE_CARD)
    static let resetCard = DWORD(SCARD_RESET_CARD)

    /// The special reader name whose state changes when readers come and go.
    static let plugAndPlayReader = "\\\\?PnP?\\Notification"

    /// Maximum response size: 64 KiB of data, the APDU header, Lc, Le and SW1 SW2 (`MAX_BUFFER_SIZE_EXTENDED`).
    static let maxBufferSize = 4 + 3 + (1 << 16) + 3 + 2

    /// `SCARD_STATE_*` bits of a reader state.
    enum State {
        static let unaware = DWORD(SCARD_STATE_UNAWARE)
        static let changed = DWORD(SCARD_STATE_CHANGED)
        static let unknown = DWORD(SCARD_STATE_UNKNOWN)
        static let unavailable = DWORD(SCARD_STATE_UNAVAILABLE)
        static let empty = DWORD(SCARD_STATE_EMPTY)
        static let present = DWORD(SCARD_STATE_PRESENT)
        static let exclusive = DWORD(SCARD_STATE_EXCLUSIVE)
        static let inUse = DWORD(SCARD_STATE_INUSE)
        static let mute = DWORD(SCARD_STATE_MUTE)
        static let unpowered = DWORD(SCARD_STATE_UNPOWERED)
        /// The insert/remove counter pcsc-lite keeps in the upper 16 bits.
        static func counter(_ flags: DWORD) -> DWORD { (flags >> 16) & 0xFFFF }
    }

    /// The result of a pcsc-lite call as a ``PCSCError`` (`.success` included).
    static func result(_ code: LONG) -> PCSCError {
        PCSCError(code: Int(code))
    }

    /// Splits a multi-string (names separated by NUL, ended by an empty name) into names.
    static func names(fromMultiString bytes: [CChar]) -> [String] {
        bytes.split(separator: 0, omittingEmptySubsequences: true).map {
            String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The ATR bytes of a reader state.
    static func atr(of state: SCARD_READERSTATE) -> [UInt8] {
        let count = min(Int(state.cbAtr), Int(MAX_ATR_SIZE))
        return withUnsafeBytes(of: state.rgbAtr) { Array($0.prefix(count)) }
    }
}
