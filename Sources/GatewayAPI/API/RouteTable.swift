/// The routes of a socket as (method, pattern) pairs, to answer a known path with a wrong method by 405 and `Allow`.
public struct RouteTable: Sendable {
    /// Method and pattern; `:name` matches one non-empty path segment.
    public let routes: [(method: String, pattern: String)]

    /// Creates a table.
    public init(_ routes: [(String, String)]) {
        self.routes = routes.map { (method: $0.0, pattern: $0.1) }
    }

    /// The methods `path` has, sorted; empty when no route matches the path.
    public func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return Set(routes.filter { Self.matches($0.pattern, segments) }.map(\.method)).sorted()
    }

    private static func matches(_ pattern: String, _ segments: [Substring]) -> Bool {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == segments.count else { return false }
        return zip(parts, segments).allSatisfy { part, segment in part.hasPrefix(":") ? !segment.isEmpty : part == segment }
    }
}
