import APDU
import Testing
import TestSupport
import VirtualCard
@testable import OperatorCard

/// Deterministic pseudo-random bytes (SplitMix64), so a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RandomAnswerTests {
    /// Answers built from plausible pieces (TLV headers, long lengths, status words) and noise.
    static func answer(_ rng: inout SplitMix64) -> [UInt8] {
        let pieces: [[UInt8]] = [
            [0x53], [0x70], [0x71, 0x01, 0x00], [0x7C], [0x82], [0x81], [0x82, 0x01], [0x83, 0xFF], [0x80],
            [0x30, 0x19], [0x34, 0x10], [0x35, 0x08], [0x5F, 0xC1], [0x61], [0x00], [0xFF],
        ]
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            if Bool.random(using: &rng) {
                bytes += pieces.randomElement(using: &rng)!
            } else {
                bytes.append(UInt8.random(in: 0...255, using: &rng))
            }
        }
        let statusWords: [[UInt8]] = [[0x90, 0x00], [0x90, 0x00], [0x6A, 0x82], [0x61, 0x05], [0x6C, 0x03], [0x69, 0x82]]
        return bytes + statusWords.randomElement(using: &rng)!
    }

    @Test func randomCardAnswersGiveTypedErrorsNeverACrash() {
        var rng = SplitMix64(state: 0xC0FFEE)
        var errors = 0
        for _ in 0..<2000 {
            let answers = (0..<8).map { _ in Self.answer(&rng) }
            let channel = ScriptedChannel(answers.map { (expect: nil, answer: $0) } + Array(repeating: (nil, [0x90, 0x00]), count: 8))
            let card = PIVCard(channel: channel)
            do {
                _ = try card.readIdentity()
            } catch {
                errors += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(errors > 1900, "almost every random answer should be refused")
    }

    @Test func randomCommandsAlwaysGetAStatusWordFromTheEmulator() throws {
        var rng = SplitMix64(state: 0xBEEF)
        let card = PIVCardEmulator(image: try CardImage.create())
        let select: [UInt8] = [0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08]
        for i in 0..<3000 {
            if i % 50 == 0 { _ = card.process(select) }
            let header: [UInt8] = [[0x00, 0x10, 0x80].randomElement(using: &rng)!,
                                   [0xA4, 0xCB, 0x87, 0xC0, 0x20, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!,
                                   UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng)]
            let body = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let answer = try #require(card.process(header + body))
            #expect(answer.count >= 2)
        }
    }
}
