import Testing
@testable import VirtualCard

@Suite("vpcd frames and requests without a socket")
struct VPCDFrameTests {
    @Test("complete frames are cut out of a stream and the start of the next one is left")
    func parseCutsCompleteFrames() {
        let stream: [UInt8] = [0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x03, 0xA0, 0xB0, 0xC0, 0x00, 0x05, 0x01]
        let (payloads, consumed) = VPCDFrame.parse(stream)
        #expect(payloads == [[0x04], [], [0xA0, 0xB0, 0xC0]])
        #expect(consumed == 10)
        #expect(payloads.flatMap(VPCDFrame.encode) == Array(stream[..<consumed]))
    }

    @Test("one-byte payloads are control codes, longer ones command APDUs, an empty one nothing")
    func payloadsReadAsRequests() {
        #expect(VPCDRequest(payload: []) == VPCDRequest.none)
        #expect(VPCDRequest(payload: [0x00]) == .powerOff)
        #expect(VPCDRequest(payload: [0x01]) == .powerOn)
        #expect(VPCDRequest(payload: [0x02]) == .reset)
        #expect(VPCDRequest(payload: [0x04]) == .getATR)
        #expect(VPCDRequest(payload: [0x03]) == .unknownControl(0x03))
        #expect(VPCDRequest(payload: [0x00, 0xA4]) == .apdu([0x00, 0xA4]))
    }
}
