import Testing
import Vocabulary
@testable import APDU

@Suite struct CommandAPDUTests {
    @Test func encodesCase1() throws {
        #expect(try CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00).encoded() == [0x00, 0xA4, 0x04, 0x00])
    }

    @Test func encodesCase2WithLe256AsZero() throws {
        #expect(try CommandAPDU(ins: 0xC0, p1: 0, p2: 0, le: 256).encoded() == [0x00, 0xC0, 0x00, 0x00, 0x00])
        #expect(try CommandAPDU(ins: 0xC0, p1: 0, p2: 0, le: 0x10).encoded() == [0x00, 0xC0, 0x00, 0x00, 0x10])
    }

    @Test func encodesThePIVGetDataCommand() throws {
        let command = CommandAPDU(ins: 0xCB, p1: 0x3F, p2: 0xFF, data: [0x5C, 0x03, 0x5F, 0xC1, 0x02], le: 256)
        #expect(try command.encoded() == [0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x02, 0x00])
    }

    @Test func refusesDataOver255InShortForm() {
        let command = CommandAPDU(ins: 0xDB, p1: 0x3F, p2: 0xFF, data: [UInt8](repeating: 1, count: 256))
        #expect { _ = try command.encoded() } throws: { ($0 as? APDUError)?.code == .commandTooLong }
        #expect { _ = try CommandAPDU(ins: 0xC0, p1: 0, p2: 0, le: 257).encoded() } throws: { ($0 as? APDUError)?.code == .commandTooLong }
        #expect { _ = try CommandAPDU(ins: 0xC0, p1: 0, p2: 0, le: 0).encoded() } throws: { ($0 as? APDUError)?.code == .commandTooLong }
    }

    @Test func chainsLongDataWithTheChainingBitOnAllButTheLastBlock() throws {
        let data = (0..<600).map { UInt8($0 & 0xFF) }
        let blocks = CommandAPDU(cla: 0x00, ins: 0xDB, p1: 0x3F, p2: 0xFF, data: data, le: 256).chainBlocks()
        #expect(blocks.count == 3)
        #expect(blocks.map(\.cla) == [0x10, 0x10, 0x00])
        #expect(blocks.map(\.data.count) == [255, 255, 90])
        #expect(blocks.map(\.le) == [nil, nil, 256])
        #expect(blocks.flatMap(\.data) == data)
        #expect(try blocks[0].encoded().prefix(5) == [0x10, 0xDB, 0x3F, 0xFF, 0xFF])
        #expect(try blocks[2].encoded().prefix(5) == [0x00, 0xDB, 0x3F, 0xFF, 0x5A])
        #expect(try blocks[2].encoded().last == 0x00)
    }

    @Test func aShortCommandIsOneBlock() {
        let command = CommandAPDU(ins: 0xCB, p1: 0x3F, p2: 0xFF, data: [1, 2, 3])
        #expect(command.chainBlocks() == [command])
    }

    @Test func parsesShortForms() throws {
        #expect(try CommandAPDU(bytes: [0x00, 0xA4, 0x04, 0x00]) == CommandAPDU(ins: 0xA4, p1: 4, p2: 0))
        #expect(try CommandAPDU(bytes: [0x00, 0xC0, 0x00, 0x00, 0x00]).le == 256)
        let case3 = try CommandAPDU(bytes: [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00])
        #expect(case3.data == [0xA0, 0x00] && case3.le == nil)
        let case4 = try CommandAPDU(bytes: [0x10, 0x87, 0x11, 0x9E, 0x01, 0x7C, 0x20])
        #expect(case4.data == [0x7C] && case4.le == 0x20 && case4.isChainedBlock)
    }

    @Test func parsesExtendedForms() throws {
        #expect(try CommandAPDU(bytes: [0x00, 0xCB, 0x3F, 0xFF, 0x00, 0x00, 0x00]).le == 65536)
        let case4 = try CommandAPDU(bytes: [0x00, 0xCB, 0x3F, 0xFF, 0x00, 0x00, 0x02, 0x5C, 0x00, 0x01, 0x00])
        #expect(case4.data == [0x5C, 0x00] && case4.le == 256)
        let case3 = try CommandAPDU(bytes: [0x00, 0xDB, 0x3F, 0xFF, 0x00, 0x00, 0x01, 0xAA])
        #expect(case3.data == [0xAA] && case3.le == nil)
    }

    @Test(arguments: [
        [0x00, 0xA4, 0x04] as [UInt8],                       // short header
        [0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0],                 // Lc 5, one byte
        [0x00, 0xA4, 0x04, 0x00, 0x01, 0xA0, 0x00, 0x00],     // one byte too many
        [0x00, 0xA4, 0x04, 0x00, 0x00, 0x01],                 // extended length cut off
        [0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x03, 0x01],     // extended Lc 3, one byte
    ])
    func malformedCommandsAreRefused(bytes: [UInt8]) {
        #expect { _ = try CommandAPDU(bytes: bytes) } throws: { ($0 as? APDUError)?.code == .malformedCommand }
    }

    @Test func descriptionNeverShowsData() {
        let command = CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x80, data: Array("123456".utf8))
        #expect(command.description == "00200080 Lc=6")
        #expect(!command.description.contains("313233"))
    }
}

@Suite struct ResponseAPDUTests {
    @Test func splitsDataAndStatus() throws {
        let response = try ResponseAPDU(bytes: [0x01, 0x02, 0x90, 0x00])
        #expect(response.data == [0x01, 0x02])
        #expect(response.statusWord == .success)
        #expect(response.bytes == [0x01, 0x02, 0x90, 0x00])
        #expect(try ResponseAPDU(bytes: [0x6A, 0x82]) == ResponseAPDU(statusWord: .notFound))
    }

    @Test(arguments: [[] as [UInt8], [0x90]])
    func responsesShorterThanTwoBytesAreRefused(bytes: [UInt8]) {
        #expect { _ = try ResponseAPDU(bytes: bytes) } throws: { ($0 as? APDUError)?.code == .responseTooShort }
    }

    @Test func hexRoundTrips() {
        #expect(Hex.encode([0x5F, 0xC1, 0x02, 0x0A]) == "5fc1020a")
        #expect(Hex.decode("5F:C1 02") == [0x5F, 0xC1, 0x02])
        #expect(Hex.decode("5fc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
