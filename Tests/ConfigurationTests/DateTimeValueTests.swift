import Testing
@testable import CardGateConfig

/// A value that is a date followed by `T` and no time made toml++ read the time from a letter (an assertion; found
/// by fuzzing): such values are syntax errors with their place, and keys and strings that look like them still load.
@Suite("Configuration date-time values")
struct DateTimeValueTests {
    @Test(arguments: ["time-zone = 1979-05-27Trole2:00Z\n", "a = 1979-05-27T\n", "a = 1979-05-27t", "a = [1, 2,\n  1979-05-27Tx]\n",
                      "a = { b = 2000-01-01Tz }\n", "x = 1\na=1979-05-27T:00\n"])
    func aDateWithoutItsTimeIsASyntaxErrorWithItsPlace(_ text: String) {
        do {
            _ = try load(text)
            Issue.record("loaded")
        } catch {
            #expect(error.code == .syntax)
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("-") }! + 1
            #expect(error.file.hasPrefix("config/cardgate.toml:\(line):"), "\(error)")
            #expect(error.description.contains("date followed by 'T'"), "\(error)")
        }
    }

    @Test(arguments: ["timze = 1978-05-2e 7]\0\0", "timze = 1978-05-\u{FFFD}e 7]", "a = 1979-05-27 7\n", "a = [1979-05-27 1]\n", "a = 1979-05-27 9"])
    func aDateASpaceAndOneDigitIsASyntaxError(_ text: String) {
        do {
            _ = try load(text)
            Issue.record("loaded")
        } catch {
            #expect(error.code == .syntax && error.description.contains("a date followed by a space"), "\(error)")
        }
    }

    @Test func keysStringsCommentsAndWholeDateTimesAreNotRefused() throws {
        let text = "1979-05-27Tx = 1\nb = \"1979-05-27Tx\"\nc = 1979-05-27T07:32:00Z # 1979-05-27Tx\nd = { 1979-05-27Ty = 2 }\ne = [1979-05-27 07:32:00]\nf = 1979-05-27 # 1\n"
        let tree = try TOMLNode.parse(text)
        #expect(tree["1979-05-27Tx"] == .integer(1))
        #expect(tree["b"] == .string("1979-05-27Tx"))
        #expect(tree["d"] == .table(["1979-05-27Ty": .integer(2)]))
        guard case .other = tree["c"] else { Issue.record("c is \(String(describing: tree["c"]))"); return }
    }
}
