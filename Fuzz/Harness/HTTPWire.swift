import Foundation

/// One HTTP/1.1 response as read off the wire by ``HTTPWire/responses(in:)``.
struct WireResponse {
    /// The status code.
    var status: Int
    /// Header names in lower case, with their values.
    var headers: [(name: String, value: String)]
    /// The body, de-chunked.
    var body: [UInt8]
    /// False when the bytes ended after a whole chunk, before the closing one: the server stopped writing (and
    /// closed) in the middle of a chunked body.
    var complete = true

    /// The first value of header `name` (lower case).
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

/// Reads what a server wrote: a sequence of HTTP/1.1 responses with `Content-Length` or chunked bodies.
enum HTTPWire {
    /// The responses in `bytes`; throws with what is wrong when the bytes are not well-formed responses.
    static func responses(in bytes: [UInt8]) throws(ContractViolation) -> [WireResponse] {
        var rest = bytes[...]
        var all: [WireResponse] = []
        while !rest.isEmpty {
            guard let end = find([13, 10, 13, 10], in: rest) else {
                throw ContractViolation("a response head without its blank line: \(text(rest.prefix(200)))")
            }
            let lines = text(rest[rest.startIndex..<end]).components(separatedBy: "\r\n")
            rest = rest[(end + 4)...]
            let statusLine = lines[0]
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]), (100...599).contains(status) else {
                throw ContractViolation("status line \(statusLine)")
            }
            var headers: [(String, String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { throw ContractViolation("header line \(line)") }
                headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: [" "])))
            }
            var response = WireResponse(status: status, headers: headers, body: [])
            if let length = response.header("content-length") {
                guard let count = Int(length), count >= 0, rest.count >= count else {
                    throw ContractViolation("content-length \(length) with \(rest.count) bytes left")
                }
                response.body = Array(rest.prefix(count))
                rest = rest.dropFirst(count)
            } else if response.header("transfer-encoding") == "chunked" {
                (response.body, response.complete) = try dechunk(&rest)
            }
            all.append(response)
        }
        return all
    }

    /// The body of a chunked response, and whether it ended with its closing chunk (rather than with the bytes).
    private static func dechunk(_ rest: inout ArraySlice<UInt8>) throws(ContractViolation) -> (body: [UInt8], complete: Bool) {
        var body: [UInt8] = []
        while true {
            if rest.isEmpty { return (body, false) }
            guard let lineEnd = find([13, 10], in: rest), let size = Int(text(rest[rest.startIndex..<lineEnd]), radix: 16) else {
                throw ContractViolation("a chunk without its size line")
            }
            rest = rest[(lineEnd + 2)...]
            guard rest.count >= size + 2 else { throw ContractViolation("a chunk of \(size) bytes is cut off") }
            body += rest.prefix(size)
            rest = rest.dropFirst(size + 2)
            if size == 0 { return (body, true) }
        }
    }

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
