/// Reads the keys of one TOML table, tracking which were read so that the rest can be reported as unknown.
struct TableReader {
    let file: String
    /// The key path of this table (`""` for the root, `paths`, `readers[2]`).
    let path: String
    private let entries: [String: TOMLNode]
    private var read: Set<String> = []

    init(file: String, path: String, entries: [String: TOMLNode]) {
        self.file = file
        self.path = path
        self.entries = entries
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ code: ConfigurationError.Code, _ key: String?, _ message: String) -> ConfigurationError {
        ConfigurationError(code: code, file: file, key: key.map(keyPath) ?? (path.isEmpty ? nil : path), message: message)
    }

    func contains(_ key: String) -> Bool { entries[key] != nil }

    private mutating func node(_ key: String, required: Bool, what: String) throws(ConfigurationError) -> TOMLNode? {
        read.insert(key)
        guard let node = entries[key] else {
            if required { throw error(.missingKey, key, "missing (\(what))") }
            return nil
        }
        return node
    }

    mutating func string(_ key: String, required: Bool = true, allowEmpty: Bool = false, what: String) throws(ConfigurationError) -> String? {
        guard let node = try node(key, required: required, what: what) else { return nil }
        guard case .string(let value) = node else { throw error(.wrongType, key, "expected a string (\(what)), got \(node.typeName)") }
        guard allowEmpty || !value.isEmpty else { throw error(.invalidValue, key, "must not be empty (\(what))") }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int?, what: String) throws(ConfigurationError) -> Int {
        guard let node = try node(key, required: fallback == nil, what: what) else { return fallback ?? 0 }
        guard case .integer(let value) = node else { throw error(.wrongType, key, "expected an integer (\(what)), got \(node.typeName)") }
        guard range.contains(value) else {
            throw error(.invalidValue, key, "expected \(range.lowerBound)–\(range.upperBound) (\(what)), got \(value)")
        }
        return value
    }

    mutating func boolean(_ key: String, default fallback: Bool, what: String) throws(ConfigurationError) -> Bool {
        guard let node = try node(key, required: false, what: what) else { return fallback }
        guard case .boolean(let value) = node else { throw error(.wrongType, key, "expected true or false (\(what)), got \(node.typeName)") }
        return value
    }

    mutating func choice<T: RawRepresentable>(_ key: String, default fallback: T?, what: String) throws(ConfigurationError) -> T
    where T.RawValue == String, T: CaseIterable {
        guard let value = try string(key, required: fallback == nil, what: what) else { return fallback! }
        guard let choice = T(rawValue: value) else {
            let allowed = T.allCases.map { "\"\($0.rawValue)\"" }
            let list = allowed.count == 2 ? "\(allowed[0]) or \(allowed[1])" : "one of " + allowed.joined(separator: ", ")
            throw error(.invalidValue, key, "expected \(list), got \"\(value)\"")
        }
        return choice
    }

    mutating func stringArray(_ key: String, required: Bool, what: String) throws(ConfigurationError) -> [String]? {
        guard let node = try node(key, required: required, what: what) else { return nil }
        guard case .array(let items) = node else { throw error(.wrongType, key, "expected an array of strings (\(what)), got \(node.typeName)") }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let value) = item else {
                throw ConfigurationError(code: .wrongType, file: file, key: "\(keyPath(key))[\(index)]", message: "expected a string, got \(item.typeName)")
            }
            guard !value.isEmpty else {
                throw ConfigurationError(code: .invalidValue, file: file, key: "\(keyPath(key))[\(index)]", message: "must not be empty")
            }
            strings.append(value)
        }
        return strings
    }

    /// A sub-table; a missing optional table reads as empty.
    mutating func table(_ key: String, required: Bool, what: String) throws(ConfigurationError) -> TableReader {
        guard let node = try node(key, required: required, what: what) else {
            return TableReader(file: file, path: keyPath(key), entries: [:])
        }
        guard case .table(let entries) = node else { throw error(.wrongType, key, "expected a table (\(what)), got \(node.typeName)") }
        return TableReader(file: file, path: keyPath(key), entries: entries)
    }

    /// An array of tables (`[[readers]]`).
    mutating func tables(_ key: String, what: String) throws(ConfigurationError) -> [TableReader] {
        guard let node = try node(key, required: true, what: what) else { return [] }
        guard case .array(let items) = node else { throw error(.wrongType, key, "expected an array of tables (\(what)), got \(node.typeName)") }
        var readers: [TableReader] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(keyPath(key))[\(index)]"
            guard case .table(let entries) = item else {
                throw ConfigurationError(code: .wrongType, file: file, key: itemPath, message: "expected a table, got \(item.typeName)")
            }
            readers.append(TableReader(file: file, path: itemPath, entries: entries))
        }
        return readers
    }

    /// Fails on the first key (in sorted order) that was never read.
    func finish() throws(ConfigurationError) {
        if let unknown = entries.keys.sorted().first(where: { !read.contains($0) }) {
            let known = read.sorted().joined(separator: ", ")
            throw error(.unknownKey, unknown, "unknown key; known keys here: \(known)")
        }
    }

    /// Fails when `key` is present: it does not belong with the other keys of this table.
    func forbid(_ key: String, because reason: String) throws(ConfigurationError) {
        if entries[key] != nil { throw error(.invalidValue, key, "not allowed \(reason)") }
    }
}
