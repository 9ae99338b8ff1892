import CardGateConfig
import Foundation
import Testing

/// The `[history]` keys for witnesses, the origin and key rotation.
@Suite("History witness and keys")
struct HistoryWitnessConfigurationTests {
    static let witnessLine = "witness-file = \"../run/witness/history.witness\""

    @Test func theDefaultFileNamesAWitnessFileBesideTheRig() throws {
        let configuration = try CardGateConfiguration.load(file: defaultFile, environment: [:])
        let repository = (configDirectory as NSString).deletingLastPathComponent
        #expect(configuration.history.witnessFile == repository + "/run/witness/history.witness")
        #expect(configuration.history.witnessCommand == nil && !configuration.history.witnessNone)
        #expect(configuration.history.origin == nil && configuration.history.keys.isEmpty)
    }

    @Test func aWitnessCommandOriginAndKeysLoad() throws {
        let text = replacing(Self.witnessLine, with: """
            witness-command = ["/usr/bin/logger", "-t", "cardgate-witness"]
            origin = "cardgate.city.example/history"
            [[history.keys]]
            public-key = "\(String(repeating: "ab", count: 32))"
            file = "../run/secrets/old.key"
            [[history.keys]]
            public-key = "\(String(repeating: "CD", count: 32))"
            valid-from = "2027-04-01"
            """)
        let h = try load(text).history
        #expect(h.witnessFile == nil && h.witnessCommand == ["/usr/bin/logger", "-t", "cardgate-witness"])
        #expect(h.origin == "cardgate.city.example/history")
        #expect(h.keys.count == 2 && h.keys[0].validFrom == nil && h.keys[0].file == "/srv/work/run/secrets/old.key")
        #expect(h.keys[1].publicKey == String(repeating: "cd", count: 32))
        #expect(h.keys[1].validFrom == Date(timeIntervalSince1970: 1_806_537_600))
    }

    @Test func witnessNoneLoadsAloneAndIsRefusedBesideAWitness() throws {
        #expect(try load(replacing(Self.witnessLine, with: "witness = \"none\"")).history.witnessNone)
        #expect { try load(replacing(Self.witnessLine, with: Self.witnessLine + "\nwitness = \"none\"")) } throws: {
            ($0 as? ConfigurationError)?.key == "history.witness" && ($0 as? ConfigurationError)?.code == .invalidValue
        }
        #expect { try load(replacing(Self.witnessLine, with: "witness = \"maybe\"")) } throws: { ($0 as? ConfigurationError)?.key == "history.witness" }
    }

    @Test(arguments: [
        BadFile("witness command without an absolute program", HistoryWitnessConfigurationTests.witnessLine, "witness-command = [\"logger\"]", key: "history.witness-command[0]", .invalidValue),
        BadFile("origin with a space", HistoryWitnessConfigurationTests.witnessLine, "origin = \"city history\"", key: "history.origin", .invalidValue),
        BadFile("a short public key", HistoryWitnessConfigurationTests.witnessLine, "[[history.keys]]\npublic-key = \"abcd\"", key: "history.keys[0].public-key", .invalidValue),
        BadFile("a later key without valid-from", HistoryWitnessConfigurationTests.witnessLine,
                "[[history.keys]]\npublic-key = \"\(String(repeating: "ab", count: 32))\"\n[[history.keys]]\npublic-key = \"\(String(repeating: "cd", count: 32))\"",
                key: "history.keys[1].valid-from", .missingKey),
        BadFile("keys out of order", HistoryWitnessConfigurationTests.witnessLine,
                "[[history.keys]]\npublic-key = \"\(String(repeating: "ab", count: 32))\"\nvalid-from = \"2027-01-01\"\n[[history.keys]]\npublic-key = \"\(String(repeating: "cd", count: 32))\"\nvalid-from = \"2026-01-01\"",
                key: "history.keys[1].valid-from", .invalidValue),
        BadFile("unknown key in a key entry", HistoryWitnessConfigurationTests.witnessLine,
                "[[history.keys]]\npublic-key = \"\(String(repeating: "ab", count: 32))\"\nvalid-until = \"2027-01-01\"", key: "history.keys[0].valid-until", .unknownKey),
    ])
    func badWitnessAndKeySettingsNameTheKey(bad: BadFile) {
        do {
            _ = try load(replacing(bad.old, with: bad.new))
            Issue.record("\(bad.name) loaded")
        } catch {
            #expect(error.key == bad.key && error.code == bad.code, "\(bad.name): \(error)")
        }
    }
}
