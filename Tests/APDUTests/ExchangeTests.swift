import Testing
import TestSupport
@testable import APDU

@Suite struct ExchangeTests {
    let getData = CommandAPDU(ins: 0xCB, p1: 0x3F, p2: 0xFF, data: [0x5C, 0x03, 0x5F, 0xC1, 0x02], le: 256)
    let getDataBytes: [UInt8] = [0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x02, 0x00]

    @Test func plainSuccessIsReturnedAsItIs() throws {
        let channel = ScriptedChannel([(getDataBytes, [0x53, 0x00, 0x90, 0x00])])
        let response = try channel.exchange(getData)
        #expect(response == ResponseAPDU(data: [0x53, 0x00], statusWord: .success))
    }

    @Test func bytesRemainingIsFetchedWithGetResponseUntilDone() throws {
        let channel = ScriptedChannel([
            (getDataBytes, [0x01, 0x02, 0x61, 0x03]),
            ([0x00, 0xC0, 0x00, 0x00, 0x03], [0x03, 0x04, 0x05, 0x61, 0x00]),
            ([0x00, 0xC0, 0x00, 0x00, 0x00], [0x06, 0x90, 0x00]),
        ])
        let response = try channel.exchange(getData)
        #expect(response.data == [0x01, 0x02, 0x03, 0x04, 0x05, 0x06])
        #expect(response.statusWord == .success)
        #expect(channel.remaining == 0)
    }

    @Test func wrongLengthIsResentWithTheExactLe() throws {
        let command = CommandAPDU(ins: 0xCA, p1: 0x00, p2: 0x66, le: 256)
        let channel = ScriptedChannel([
            ([0x00, 0xCA, 0x00, 0x66, 0x00], [0x6C, 0x04]),
            ([0x00, 0xCA, 0x00, 0x66, 0x04], [0xDE, 0xAD, 0xBE, 0xEF, 0x90, 0x00]),
        ])
        let response = try channel.exchange(command)
        #expect(response == ResponseAPDU(data: [0xDE, 0xAD, 0xBE, 0xEF], statusWord: .success))
    }

    @Test func wrongLengthThenBytesRemainingBothHandled() throws {
        let command = CommandAPDU(ins: 0xCA, p1: 0x00, p2: 0x66, le: 1)
        let channel = ScriptedChannel([
            ([0x00, 0xCA, 0x00, 0x66, 0x01], [0x6C, 0x02]),
            ([0x00, 0xCA, 0x00, 0x66, 0x02], [0xAA, 0xBB, 0x61, 0x01]),
            ([0x00, 0xC0, 0x00, 0x00, 0x01], [0xCC, 0x90, 0x00]),
        ])
        #expect(try channel.exchange(command).data == [0xAA, 0xBB, 0xCC])
    }

    @Test func errorStatusAfterGetResponseIsReturned() throws {
        let channel = ScriptedChannel([
            (getDataBytes, [0x01, 0x61, 0x05]),
            ([0x00, 0xC0, 0x00, 0x00, 0x05], [0x6F, 0x00]),
        ])
        let response = try channel.exchange(getData)
        #expect(response.statusWord == .noPreciseDiagnosis)
        #expect(response.data == [0x01])
    }

    @Test func longCommandsAreSentChained() throws {
        let data = [UInt8](repeating: 0xAB, count: 300)
        let command = CommandAPDU(ins: 0xDB, p1: 0x3F, p2: 0xFF, data: data)
        let channel = ScriptedChannel([
            ([0x10, 0xDB, 0x3F, 0xFF, 0xFF] + data.prefix(255), [0x90, 0x00]),
            ([0x00, 0xDB, 0x3F, 0xFF, 0x2D] + data.suffix(45), [0x90, 0x00]),
        ])
        #expect(try channel.exchange(command).statusWord == .success)
        #expect(channel.remaining == 0)
    }

    @Test func aRefusedChainBlockEndsTheChain() throws {
        let data = [UInt8](repeating: 0x01, count: 256)
        let channel = ScriptedChannel([(nil, [0x6A, 0x80])])
        let response = try channel.exchange(CommandAPDU(ins: 0xDB, p1: 0x3F, p2: 0xFF, data: data))
        #expect(response.statusWord == .incorrectData)
        #expect(channel.sent.count == 1)
    }

    @Test func aCardThatNeverStopsAskingIsCutOff() {
        let steps: [(expect: [UInt8]?, answer: [UInt8]?)] = [(getDataBytes, [0x61, 0x01])]
            + Array(repeating: (nil, [0x00, 0x61, 0x01]), count: 1100)
        let channel = ScriptedChannel(steps)
        #expect { _ = try channel.exchange(getData) } throws: { ($0 as? APDUError)?.code == .tooManyResponseBlocks }
    }

    @Test func aOneByteAnswerIsResponseTooShort() {
        let channel = ScriptedChannel([(getDataBytes, [0x90])])
        #expect { _ = try channel.exchange(getData) } throws: { ($0 as? APDUError)?.code == .responseTooShort }
    }

    @Test func aTransportFailureKeepsTheChannelsError() {
        let channel = ScriptedChannel([(getDataBytes, nil)])
        #expect {
            _ = try channel.exchange(getData)
        } throws: { error in
            guard let e = error as? APDUError else { return false }
            return e.code == .transport && e.underlying is ScriptedChannel.Broken
        }
    }
}
