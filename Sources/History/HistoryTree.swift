import Foundation
import GRDB
import GRDBSQLite

/// The history's Merkle tree as the database keeps it: every complete subtree of 256 leaves or more in
/// `tree_nodes` (stored as it completes), the subtrees that end each sealed year (so later proofs never need a
/// purged year's events), and below that, leaves hashed from the events on demand.
///
/// Leaf `i` is the RFC 9162 leaf hash of event `i + 1`'s chain hash. One instance serves one transaction or one
/// proof: it caches what it read.
struct HistoryTree: MerkleNodeSource {
    /// Complete subtrees of `2^storedLevel` leaves and more are stored.
    static let storedLevel = 8
    static let blockSize: UInt64 = 1 << UInt64(storedLevel)

    let db: Database
    /// Event hashes of archived years, by sequence number, for proofs of archived events (nil: not consulted).
    let archivedEventHashes: ((ClosedRange<Int64>) throws(HistoryError) -> [Int64: [UInt8]])?
    private var nodes: [NodeID: Hash32] = [:]
    private var blocks: [UInt64: [Hash32?]] = [:]

    init(_ db: Database, archivedEventHashes: ((ClosedRange<Int64>) throws(HistoryError) -> [Int64: [UInt8]])? = nil) {
        self.db = db
        self.archivedEventHashes = archivedEventHashes
    }

    mutating func hash(of node: NodeID) throws(HistoryError) -> Hash32 {
        if let h = nodes[node] { return h }
        let h: Hash32
        if node.level >= Self.storedLevel {
            guard let s = try stored(node) else {
                throw HistoryError(.storage, "the stored tree node at level \(node.level), index \(node.index) is missing; run cardgate history verify")
            }
            h = s
        } else if let computed = try fromLeaves(node) {
            h = computed
        } else if let s = try stored(node) {
            h = s
        } else if node.level > 0 {
            h = MerkleHash.node(try hash(of: NodeID(level: node.level - 1, index: node.index << 1)),
                                try hash(of: NodeID(level: node.level - 1, index: node.index << 1 | 1)))
        } else {
            throw HistoryError(.storage, "event \(node.index + 1) is not in the history (not recorded yet, or its year was purged)")
        }
        nodes[node] = h
        return h
    }

    /// The stored hash of a node, if any.
    func stored(_ node: NodeID) throws(HistoryError) -> Hash32? {
        do {
            guard let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?"),
                                               arguments: [node.level, Int64(bitPattern: node.index)]) else { return nil }
            guard let h = Hash32(checking: data) else {
                throw HistoryError(.storage, "the stored tree node at level \(node.level), index \(node.index) is not 32 bytes; run cardgate history verify")
            }
            return h
        } catch let e as HistoryError { throw e } catch {
            throw HistoryError(.storage, "the tree could not be read: \(error)")
        }
    }

    /// A node below the stored level from its leaves, or nil if one of them is not available.
    private mutating func fromLeaves(_ node: NodeID) throws(HistoryError) -> Hash32? {
        let block = node.begin / Self.blockSize
        let leaves = try blockLeaves(block)
        var level: [Hash32] = []
        level.reserveCapacity(1 << node.level)
        for i in Int(node.begin - block * Self.blockSize)..<Int(node.end - block * Self.blockSize) {
            guard let leaf = leaves[i] else { return nil }
            level.append(leaf)
        }
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { MerkleHash.node(level[$0], level[$0 + 1]) }
        }
        return level[0]
    }

    /// The leaves of one block of 256, nil where the event is not available.
    private mutating func blockLeaves(_ block: UInt64) throws(HistoryError) -> [Hash32?] {
        if let b = blocks[block] { return b }
        var out = [Hash32?](repeating: nil, count: Int(Self.blockSize))
        let first = Int64(block * Self.blockSize) + 1, last = first + Int64(Self.blockSize) - 1
        do {
            // Stepped directly: a proof reads a block or two of 256 rows, and this is most of its time.
            let statement = try db.cachedStatement(sql: "SELECT seq, hash FROM events WHERE seq BETWEEN ? AND ?")
            try statement.setArguments([first, last])
            let h = statement.sqliteStatement
            defer { sqlite3_reset(h) }
            while true {
                let rc = sqlite3_step(h)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw HistoryError(.storage, "the events could not be read: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))") }
                let seq = sqlite3_column_int64(h, 0)
                guard seq >= first, seq <= last, sqlite3_column_bytes(h, 1) == 32, let bytes = sqlite3_column_blob(h, 1) else {
                    throw HistoryError(.storage, "event \(seq) has a hash that is not 32 bytes; run cardgate history verify")
                }
                out[Int(seq - first)] = MerkleHash.leaf(Hash32(bytes))
            }
        } catch let e as HistoryError { throw e } catch {
            throw HistoryError(.storage, "the events could not be read: \(error)")
        }
        if out.contains(where: { $0 == nil }), let archived = archivedEventHashes {
            for (seq, hash) in try archived(first...last) where (first...last).contains(seq) {
                guard let h = Hash32(checking: hash) else { continue }
                out[Int(seq - first)] = MerkleHash.leaf(h)
            }
        }
        blocks[block] = out
        return out
    }

    /// Records that event `sequence` was just inserted: stores every node of the stored levels it completes.
    mutating func eventAppended(_ sequence: Int64) throws(HistoryError) {
        let end = UInt64(sequence)
        blocks[(end - 1) / Self.blockSize] = nil
        var level = Self.storedLevel
        while level < 63, end % (1 << UInt64(level)) == 0 {
            let node = NodeID(level: level, index: (end >> UInt64(level)) - 1)
            let h = MerkleHash.node(try hash(of: NodeID(level: level - 1, index: node.index << 1)),
                                    try hash(of: NodeID(level: level - 1, index: node.index << 1 | 1)))
            try insert(node, h)
            level += 1
        }
    }

    /// Stores the nodes below the stored level that end the tree of `size` leaves (called when a year is sealed).
    mutating func storeFrontier(size: Int64) throws(HistoryError) {
        for node in CompactRange.decomposition(0, UInt64(size)) where node.level < Self.storedLevel {
            try insert(node, try hash(of: node), ignoringExisting: true)
        }
    }

    private mutating func insert(_ node: NodeID, _ h: Hash32, ignoringExisting: Bool = false) throws(HistoryError) {
        do {
            try db.cachedStatement(sql: "INSERT \(ignoringExisting ? "OR IGNORE " : "")INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)")
                .execute(arguments: [node.level, Int64(bitPattern: node.index), Data(h.bytes)])
        } catch {
            throw HistoryError(.storage, "the tree node at level \(node.level), index \(node.index) could not be stored: \(error)")
        }
        nodes[node] = h
    }
}
