/// Constants of the PIV card-authentication subset (NIST SP 800-73-4) that CardGate uses.
public enum PIV {
    /// The PIV application identifier without its version: `A0 00 00 03 08 00 00 10 00`.
    public static let aid: [UInt8] = [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00]
    /// The registered application provider identifier (RID) alone: `A0 00 00 03 08`.
    public static let rid: [UInt8] = Array(aid.prefix(5))

    /// Data object tags as used in GET DATA (`5C 03 <tag>`).
    public enum Object {
        /// Card Holder Unique Identifier (CHUID).
        public static let chuid: UInt32 = 0x5FC102
        /// X.509 certificate for Card Authentication (key 9E).
        public static let cardAuthenticationCertificate: UInt32 = 0x5FC101
    }

    /// Instruction bytes.
    public enum Instruction {
        /// SELECT.
        public static let select: UInt8 = 0xA4
        /// GET DATA.
        public static let getData: UInt8 = 0xCB
        /// GENERAL AUTHENTICATE.
        public static let generalAuthenticate: UInt8 = 0x87
        /// GET RESPONSE.
        public static let getResponse: UInt8 = 0xC0
    }

    /// The Card Authentication key reference.
    public static let cardAuthenticationKey: UInt8 = 0x9E
    /// Algorithm identifier for ECC P-256.
    public static let algorithmECCP256: UInt8 = 0x11
}
