/// A response APDU: the data field followed by the status word.
public struct ResponseAPDU: Equatable, Sendable {
    /// The response data (may be empty).
    public var data: [UInt8]
    /// SW1 SW2.
    public var statusWord: StatusWord

    /// Makes a response from its parts.
    public init(data: [UInt8] = [], statusWord: StatusWord) {
        self.data = data
        self.statusWord = statusWord
    }

    /// Parses `data ‖ SW1 ‖ SW2`; throws ``APDUError/Code/responseTooShort`` for fewer than 2 bytes.
    public init(bytes: [UInt8]) throws(APDUError) {
        guard bytes.count >= 2 else {
            throw APDUError(.responseTooShort, "response of \(bytes.count) byte(s) has no status word (need at least 2 bytes)")
        }
        data = Array(bytes[..<(bytes.count - 2)])
        statusWord = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }

    /// The wire form: data then SW1 SW2.
    public var bytes: [UInt8] { data + statusWord.bytes }
}
