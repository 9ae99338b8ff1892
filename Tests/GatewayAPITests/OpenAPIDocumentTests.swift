import Foundation
import GatewayAPI
import Testing
import Vocabulary

/// docs/openapi.yaml stays in step with the code: every route, error code and enum value is documented.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)) ?? ""
    }()

    @Test func documentsEveryRoute() {
        for path in [
            "/v1/status:", "/v1/terminals/{id}:", "/v1/terminals/{id}/pin:", "/v1/terminals/{id}/operations:",
            "/v1/terminals/{id}/lock:", "/v1/doors/{id}/pin:", "/v1/rooms/{id}/occupancy:",
            "/v1/emergency/lock-all:", "/v1/events:",
        ] {
            #expect(Self.document.contains("  \(path)\n"), "\(path)")
        }
    }

    @Test func documentsEveryErrorCodeAndEnumValue() {
        for code in GatewayError.Code.allCases { #expect(Self.document.contains("- \(code.rawValue)\n"), "\(code)") }
        let enums: [[String]] = [
            TerminalState.allCases.map(\.rawValue), LockReason.allCases.map(\.rawValue),
            ReaderState.allCases.map(\.rawValue), DoorNotice.Outcome.allCases.map(\.rawValue),
        ]
        for values in enums {
            #expect(Self.document.contains("enum: [\(values.joined(separator: ", "))]"), "\(values)")
        }
    }

    @Test func documentsTheInputPatternsTheServerEnforces() throws {
        #expect(Self.document.contains(#"pattern: "^[0-9]{4,16}$""#))
        #expect(Self.document.contains(#"pattern: "^[a-z][a-z0-9._-]{0,63}$""#))
        #expect(Self.document.contains(#"pattern: "^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$""#))
        #expect(Self.document.contains(#"pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$""#))
        // The documented patterns accept and refuse what the server does.
        let action = try Regex("^[a-z][a-z0-9._-]{0,63}$")
        for sample in ["resident.view", "Resident", "a b", "x", String(repeating: "a", count: 65)] {
            let documented = (try? action.wholeMatch(in: sample)) != nil
            #expect(documented == ((try? InputRules.action(sample)) != nil), "\(sample)")
        }
        let target = try Regex("^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$")
        for sample in ["resident:1", ":x", "a/b@c#d", "a b", "r;1", String(repeating: "r", count: 129)] {
            let documented = (try? target.wholeMatch(in: sample)) != nil
            #expect(documented == ((try? InputRules.target(sample)) != nil), "\(sample)")
        }
    }
}
