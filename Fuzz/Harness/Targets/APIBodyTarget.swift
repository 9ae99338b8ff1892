import Foundation
import GatewayAPI
@_spi(PINDigits) import Vocabulary

/// The request bodies of the local API (`StrictJSONObject`) and the patterns their fields must match
/// (`InputRules`, `Visitor`), for each route that takes a body.
///
/// Input: one selector byte (which route's fields), then the body.
///
/// Contract: a refused body is a 400 ``GatewayError`` whose message names only the route's own fields, never
/// anything the client wrote; an accepted body has no unknown and no missing field, and its fields written
/// back as JSON read the same; a refused field value gets the same message whatever the value (so a
/// mistyped PIN is never echoed); an accepted one is the value itself. An accepted visitor keeps its limits (no
/// control or format character, at most 64 characters and 128 UTF-8 bytes each) and reads back the same from its
/// own fields and from its JSON.
public enum APIBodyTarget: FuzzTarget {
    public static let name = "api-body"

    /// The fields of each route with a body: terminal and door PIN, operations, lock (and the other empty bodies),
    /// emergency lock-all and door release, door contact, visitor.
    static let routes: [(allowed: [String], required: Set<String>)] = [
        (["pin"], ["pin"]),
        (["action", "target"], ["action", "target"]),
        ([], []),
        (["reason"], []),
        (["state"], ["state"]),
        (["name", "organisation"], ["name", "organisation"]),
    ]

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        var reader = FuzzInput(input)
        let route = routes[Int(reader.byte()) % routes.count]
        let body = reader.rest()
        let object: StrictJSONObject
        do {
            object = try StrictJSONObject(bytes: body, allowed: route.allowed, required: route.required)
        } catch {
            try require([GatewayError.Code.invalidJSON, .invalidField].contains(error.code) && error.code.httpStatus == 400, "body refused with \(error.code)")
            let names = Set(route.allowed).union(route.required)
            for quoted in quotedWords(error.message) {
                try require(names.contains(quoted), "the message echoes \"\(quoted)\", which is not a field of the route")
            }
            return
        }
        let keys = Set(object.fields.keys)
        try require(keys.isSubset(of: Set(route.allowed)) && route.required.isSubset(of: keys), "accepted fields \(keys.sorted())")
        let written: Data
        do {
            written = try JSONSerialization.data(withJSONObject: object.fields, options: [.sortedKeys])
        } catch {
            throw ContractViolation("accepted fields cannot be written as JSON: \(error)")
        }
        let again = try? StrictJSONObject(bytes: Array(written), allowed: route.allowed, required: route.required)
        try require(again?.fields == object.fields, "accepted fields written back as JSON read differently")
        for (key, value) in object.fields where !["state", "name", "organisation"].contains(key) {
            try checkRule(key, value)
        }
        if let name = object.fields["name"], let organisation = object.fields["organisation"] {
            try checkVisitor(name: name, organisation: organisation)
        }
    }

    /// The visitor the route would announce from `name` and `organisation`, if it accepts them. (`state` has no rule
    /// of its own: the route compares it with `open` and `closed`, which the `http` target reaches.)
    static func checkVisitor(name: String, organisation: String) throws(ContractViolation) {
        guard let visitor = Visitor(name: name, organisation: organisation) else { return }
        let forbidden: Set<Unicode.GeneralCategory> = [.control, .format]
        for kept in [visitor.name, visitor.organisation] {
            try require((1...Visitor.maximumLength).contains(kept.count) && kept.utf8.count <= Visitor.maximumBytes,
                        "a visitor field of \(kept.count) characters, \(kept.utf8.count) bytes is accepted")
            try require(!kept.unicodeScalars.contains { forbidden.contains($0.properties.generalCategory) },
                        "a visitor field with a control or format character is accepted")
        }
        try require(Visitor(name: visitor.name, organisation: visitor.organisation) == visitor, "a visitor does not read back from its own fields")
        let again = (try? JSONEncoder().encode(visitor)).flatMap { try? JSONDecoder().decode(Visitor.self, from: $0) }
        try require(again == visitor, "a visitor does not survive its JSON")
    }

    /// The words between double quotes in `message`.
    static func quotedWords(_ message: String) -> [String] {
        message.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// Applies the pattern of field `key` (and the id pattern) to `value`.
    static func checkRule(_ key: String, _ value: String) throws(ContractViolation) {
        let rule: (String) throws(GatewayError) -> String
        switch key {
        case "pin": rule = { raw throws(GatewayError) in String(decoding: try InputRules.pin(raw).digits, as: UTF8.self) }
        case "action": rule = InputRules.action
        case "target": rule = InputRules.target
        case "reason": rule = InputRules.reason
        default: throw ContractViolation("no rule for field \(key)")
        }
        let idRule = { (raw: String) throws(GatewayError) -> String in try InputRules.id(raw, field: "id") }
        for (name, check) in [(key, rule), ("id", idRule)] {
            guard case .failure(let reference) = Result(catching: { () throws(GatewayError) in try check("") }) else {
                throw ContractViolation("the \(name) rule accepts an empty value")
            }
            switch Result(catching: { () throws(GatewayError) in try check(value) }) {
            case .success(let accepted):
                try require(accepted == value, "\(name) \(value) is accepted as \(accepted)")
                try require(value.unicodeScalars.allSatisfy(\.isASCII), "\(name) accepts a value that is not ASCII")
            case .failure(let error):
                try require(error == reference, "the \(name) message depends on the value: \(error.message)")
            }
        }
    }

    public static func seeds() throws -> [Seed] {
        [
            Seed("terminal-pin", [0] + Array(#"{"pin":"73910468"}"#.utf8)),
            Seed("operation", [1] + Array(#"{"action":"resident.view","target":"resident:000123456789"}"#.utf8)),
            Seed("lock-empty", [2]),
            Seed("lock-object", [2] + Array("{ }\n".utf8)),
            Seed("emergency-reason", [3] + Array(#"{"reason":"earthquake"}"#.utf8)),
            Seed("unknown-field", [0] + Array(#"{"pin":"1234","extra":"x"}"#.utf8)),
            Seed("wrong-type", [0] + Array(#"{"pin":1234}"#.utf8)),
            Seed("escaped-fullwidth", [0] + Array(#"{"pin":"\uff11\uff12\uff13\uff14"}"#.utf8)),
            Seed("nested", [3] + Array(#"{"reason":["a",{"b":null}],"x":1e400}"#.utf8)),
            Seed("contact-state", [4] + Array(#"{"state":"open"}"#.utf8)),
            Seed("visitor", [5] + Array(#"{"name":" 佐藤 花子 ","organisation":"保守業者"}"#.utf8)),
        ]
    }
}
