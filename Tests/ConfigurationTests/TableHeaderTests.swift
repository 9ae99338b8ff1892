import Testing
@testable import CardGateConfig

/// Table headers whose first key starts with a character no key starts with made toml++ assert (found by
/// fuzzing); they are syntax errors with their place, and valid text that looks like them still loads.
@Suite("Configuration table headers")
struct TableHeaderTests {
    @Test(arguments: ["[#a]\n", "x = 1\n\n  [ !]\n", "[[#readers]]\n", "x = 1\n[\n", "[", "\u{FEFF}[\n[C]\n", "\u{FEFF}[#a]"])
    func aHeaderWithoutAKeyIsASyntaxErrorWithItsPlace(_ text: String) {
        do {
            _ = try load(text)
            Issue.record("loaded")
        } catch {
            #expect(error.code == .syntax)
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("[") }! + 1
            #expect(error.file.hasPrefix("config/cardgate.toml:\(line):"), "\(error)")
        }
    }

    @Test func bracketsInArraysStringsAndCommentsAreNotHeaders() throws {
        let text = "a = [\n  [\n    1],\n  [#x\n  2]]\nb = \"\"\"\n[#not a header\n\"\"\"\nc = '[!' # [#\n[ \"quoted key\" ]\n[[ d ]]\n"
        let tree = try TOMLNode.parse(text)
        #expect(tree["a"] == .array([.array([.integer(1)]), .array([.integer(2)])]))
        #expect(tree["b"] == .string("[#not a header\n"))
        #expect(tree["c"] == .string("[!"))
        #expect(tree["quoted key"] == .table([:]))
        #expect(tree["d"] == .array([.table([:])]))
    }
}
