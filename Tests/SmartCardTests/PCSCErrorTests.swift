import Foundation
import Testing
@testable import SmartCard

@Suite("PCSCError maps every SCARD_* code")
struct PCSCErrorTests {
    /// Every `#define SCARD_x_y ((LONG)0x…)` of the installed pcsclite.h.
    static func headerCodes() throws -> [(name: String, value: UInt32)] {
        let header = try String(contentsOfFile: "/usr/include/PCSC/pcsclite.h", encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"^#define\s+(SCARD_[SEFWP]_\w+)\s+\(\(LONG\)0x([0-9A-Fa-f]{8})\)"#, options: .anchorsMatchLines)
        let text = header as NSString
        return pattern.matches(in: header, range: NSRange(location: 0, length: text.length)).map {
            (text.substring(with: $0.range(at: 1)), UInt32(text.substring(with: $0.range(at: 2)), radix: 16)!)
        }
    }

    @Test("every code defined in pcsclite.h has its C name and an explanation")
    func everyHeaderCodeIsNamed() throws {
        let codes = try Self.headerCodes()
        #expect(codes.count >= 60, "pcsclite.h should define some 60 SCARD_ codes, found \(codes.count)")
        let shared = Dictionary(grouping: codes, by: \.value).filter { $0.value.count > 1 }
        for (name, value) in codes {
            let error = PCSCError(rawValue: value)
            #expect(error.isKnown, "\(name) is not mapped")
            #expect(error.explanation.count > 15, "\(name) has no plain explanation")
            if shared[value] == nil {
                #expect(error.name == name)
            } else {
                #expect(shared[value]!.map(\.name).contains(error.name), "\(name) shares its number; named \(error.name)")
            }
        }
    }

    @Test("fixed vectors: number, name and explanation", arguments: [
        (UInt32(0x8010_001D), "SCARD_E_NO_SERVICE", "start pcscd"),
        (0x8010_0069, "SCARD_W_REMOVED_CARD", "removed"),
        (0x8010_002E, "SCARD_E_NO_READERS_AVAILABLE", "reader"),
        (0x8010_0002, "SCARD_E_CANCELLED", "SCardCancel"),
        (0x8010_0013, "SCARD_F_COMM_ERROR", "pcscd"),
        (0x8010_006C, "SCARD_W_CHV_BLOCKED", "blocked"),
        (0x0000_0000, "SCARD_S_SUCCESS", "no error"),
    ])
    func fixedVectors(value: UInt32, name: String, phrase: String) {
        let error = PCSCError(rawValue: value)
        #expect(error.name == name)
        #expect(error.explanation.contains(phrase))
        #expect(error.description.hasPrefix("\(name) (0x"))
    }

    @Test("named constants are the pcsc-lite numbers and match in switch statements")
    func constantsAndSwitch() {
        #expect(PCSCError.noService.rawValue == 0x8010_001D)
        #expect(PCSCError.unexpected == PCSCError.unsupportedFeature)
        #expect(PCSCError.all.count == Set(PCSCError.all).count)
        let matched: String = switch PCSCError(rawValue: 0x8010_0017) {
        case .noService: "service"
        case .readerUnavailable: "reader"
        default: "other"
        }
        #expect(matched == "reader")
    }

    @Test("a C LONG from a 64-bit platform maps to the same code")
    func longCodesTruncate() {
        #expect(PCSCError(code: 0x8010_001D) == .noService)
        #expect(PCSCError(code: Int(Int32(bitPattern: 0x8010_001D))) == .noService)
    }

    @Test("an unknown code round-trips and says it is unknown")
    func unknownCode() {
        let error = PCSCError(rawValue: 0x8010_0099)
        #expect(!error.isKnown)
        #expect(error.rawValue == 0x8010_0099)
        #expect(error.name == "SCARD_0x80100099")
        #expect(error.explanation.contains("unknown"))
    }

    @Test("service-gone and card-gone families")
    func families() {
        for code in [PCSCError.noService, .serviceStopped, .communicationError, .invalidHandle] {
            #expect(code.meansServiceUnavailable)
        }
        #expect(!PCSCError.removedCard.meansServiceUnavailable)
        #expect(PCSCError.removedCard.meansCardGone)
        #expect(PCSCError.resetCard.meansCardGone)
        #expect(!PCSCError.noService.meansCardGone)
        #expect(SmartCardError("SCardConnect", .noService).meansServiceUnavailable)
        #expect(SmartCardError("SCardConnect", .noService).message == "SCardConnect failed: SCARD_E_NO_SERVICE (0x8010001D): the PC/SC service is not running; start pcscd (systemctl start pcscd, or hardware/pcscd-virtual.sh start)")
    }
}
