import Testing
@testable import APDU

@Suite struct TLVTests {
    @Test func lengthsUseOneTwoOrThreeBytes() {
        #expect(TLV.encodeLength(0) == [0x00])
        #expect(TLV.encodeLength(0x7F) == [0x7F])
        #expect(TLV.encodeLength(0x80) == [0x81, 0x80])
        #expect(TLV.encodeLength(0xFF) == [0x81, 0xFF])
        #expect(TLV.encodeLength(0x100) == [0x82, 0x01, 0x00])
        #expect(TLV.encodeLength(0x1234) == [0x82, 0x12, 0x34])
        #expect(TLV.encodeLength(0xFFFF) == [0x82, 0xFF, 0xFF])
    }

    @Test func decodesShortForm() throws {
        let tlv = try TLV.decodeSingle([0x53, 0x02, 0xAA, 0xBB])
        #expect(tlv == TLV(tag: 0x53, value: [0xAA, 0xBB]))
    }

    @Test func decodesTwoByteLength() throws {
        let value = [UInt8](repeating: 0x5A, count: 0x90)
        let tlv = try TLV.decodeSingle([0x70, 0x81, 0x90] + value)
        #expect(tlv.tag == 0x70)
        #expect(tlv.value == value)
    }

    @Test func decodesThreeByteLength() throws {
        let value = [UInt8](repeating: 0x01, count: 0x0123)
        let tlv = try TLV.decodeSingle([0x53, 0x82, 0x01, 0x23] + value)
        #expect(tlv.value.count == 0x123)
    }

    @Test func decodesMultiByteTags() throws {
        let objects = try TLV.decodeAll([0x5C, 0x03, 0x5F, 0xC1, 0x02, 0x7F, 0x49, 0x01, 0x86, 0x5F, 0xC1, 0x02, 0x00])
        #expect(objects.map(\.tag) == [0x5C, 0x7F49, 0x5FC102])
        #expect(objects[0].value == [0x5F, 0xC1, 0x02])
        #expect(objects[1].value == [0x86])
        #expect(objects[2].value == [])
    }

    @Test func encodesMultiByteTagsAndLongLengths() {
        #expect(TLV(tag: 0x5FC102, value: [0x01]).encoded() == [0x5F, 0xC1, 0x02, 0x01, 0x01])
        #expect(TLV(tag: 0x7F49, value: []).encoded() == [0x7F, 0x49, 0x00])
        let long = TLV(tag: 0x53, value: [UInt8](repeating: 0, count: 300)).encoded()
        #expect(Array(long.prefix(4)) == [0x53, 0x82, 0x01, 0x2C])
        #expect(long.count == 304)
    }

    @Test func roundTripsNestedObjects() throws {
        let outer = TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: []), TLV(tag: 0x81, value: [1, 2, 3])])
        #expect(outer.encoded() == [0x7C, 0x07, 0x82, 0x00, 0x81, 0x03, 0x01, 0x02, 0x03])
        #expect(outer.isConstructed)
        let back = try TLV.decodeSingle(outer.encoded())
        #expect(try back.children() == [TLV(tag: 0x82, value: []), TLV(tag: 0x81, value: [1, 2, 3])])
    }

    @Test(arguments: [
        ([] as [UInt8], APDUError.Code.truncatedTLV),               // nothing at all
        ([0x53], .truncatedTLV),                                     // tag without length
        ([0x5F], .truncatedTLV),                                     // multi-byte tag cut off
        ([0x5F, 0xC1], .truncatedTLV),                               // multi-byte tag cut off later
        ([0x5F, 0xC1, 0x82, 0x01], .tagTooLong),                     // 4-byte tag
        ([0x53, 0x81], .truncatedTLV),                               // 81 without its byte
        ([0x53, 0x82, 0x01], .truncatedTLV),                         // 82 with one byte
        ([0x53, 0x80], .unsupportedLength),                          // indefinite length
        ([0x53, 0x84, 0x00, 0x00, 0x00, 0x01, 0x00], .unsupportedLength), // 4 length bytes
        ([0x53, 0x05, 0x01, 0x02], .lengthOverflow),                 // claims 5, has 2
        ([0x53, 0x82, 0xFF, 0xFF, 0x00], .lengthOverflow),           // claims 65535
    ])
    func malformedInputThrowsItsCode(bytes: [UInt8], code: APDUError.Code) {
        #expect {
            _ = try TLV.decodeSingle(bytes)
        } throws: { ($0 as? APDUError)?.code == code }
    }

    @Test func anEmptySequenceDecodesToNoObjects() throws {
        #expect(try TLV.decodeAll([]) == [])
    }

    @Test func trailingBytesAfterASingleObjectAreRefused() {
        #expect(throws: APDUError.self) { _ = try TLV.decodeSingle([0x53, 0x00, 0xFF]) }
    }

    @Test func firstTagFindsTheObject() throws {
        let objects = try TLV.decodeAll([0x30, 0x01, 0xAA, 0x34, 0x01, 0xBB])
        #expect(objects.first(tag: 0x34)?.value == [0xBB])
        #expect(objects.first(tag: 0x35) == nil)
    }
}
