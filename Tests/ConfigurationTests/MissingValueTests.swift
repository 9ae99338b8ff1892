import Testing
@testable import CardGateConfig

/// A value missing where one must start (an array closed by `}`, a `,` or `}` right after `=`) made toml++ assert
/// (found by fuzzing): such text is a syntax error with its place, and empty arrays and trailing commas still load.
@Suite("Configuration missing values")
struct MissingValueTests {
    @Test(arguments: ["commands = { unlock = ['/bin/true',} }\n", "a = ,\n", "x = 1\na = }\n", "a = ]\n", "a = [1,,2]\n", "a = { b = }\n"])
    func aMissingValueIsASyntaxErrorWithItsPlace(_ text: String) {
        do {
            _ = try load(text)
            Issue.record("loaded")
        } catch {
            #expect(error.code == .syntax)
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("a") || $0.hasPrefix("commands") }! + 1
            #expect(error.file.hasPrefix("config/cardgate.toml:\(line):"), "\(error)")
        }
    }

    @Test func emptyArraysTrailingCommasAndInlineTablesStillLoad() throws {
        let tree = try TOMLNode.parse("a = []\nb = [1, 2,]\nc = [\n  1,\n  # two\n  2,\n]\nd = { e = [3,], f = {} }\n")
        #expect(tree["a"] == .array([]))
        #expect(tree["b"] == .array([.integer(1), .integer(2)]))
        #expect(tree["c"] == .array([.integer(1), .integer(2)]))
        #expect(tree["d"] == .table(["e": .array([.integer(3)]), "f": .table([:])]))
    }
}
