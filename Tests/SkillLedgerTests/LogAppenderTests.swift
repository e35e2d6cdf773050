import Foundation
import GRDB
import SkillCredentials
import SkillLedger
import Synchronization
import Testing

/// The appender against a real SQLite file: what it stores is the RFC 9162 tree whoever
/// appends, and a run of appends through one appender reads no node it wrote itself.
@Suite struct LogAppenderTests {
    /// A fresh `log_nodes` table in a temporary file, counting the SELECTs run on it.
    final class Store {
        final class Counter: Sendable { let value = Mutex(0) }
        let queue: DatabaseQueue
        private let reads = Counter()
        var selects: Int { reads.value.withLock { $0 } }

        init() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var config = Configuration()
            let reads = self.reads
            config.prepareDatabase { db in
                db.trace { event in
                    if case .statement(let s) = event, s.sql.hasPrefix("SELECT hash FROM log_nodes") { reads.value.withLock { $0 += 1 } }
                }
            }
            queue = try DatabaseQueue(path: folder.appendingPathComponent("log.sqlite").path, configuration: config)
            try queue.write { db in try db.execute(sql: LogAppender.tableDefinition) }
        }

        func nodes() throws -> [Row] { try queue.read { db in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM log_nodes ORDER BY level, idx") } }
        func root(size: Int) throws -> [UInt8] { try queue.read { db in MerkleTree.root(StoredLogNodes(db: db), size: size) } }
    }

    static func leaf(_ i: Int, _ variant: String = "") -> [UInt8] { Array("{\"leaf\":\(i)\(variant)}".utf8) }

    @Test func oneAppenderReadsNoNodeItWroteAndStoresTheSameTree() throws {
        let n = 300
        let cached = try Store()
        try cached.queue.write { db in
            var log = LogAppender()
            for i in 0..<n { try log.append(db, index: i, canonical: Self.leaf(i)) }
        }
        #expect(cached.selects == 0)

        // One appender per leaf reads every left sibling: one per trailing 1 bit of each index.
        let fresh = try Store()
        for i in 0..<n {
            try fresh.queue.write { db in
                var log = LogAppender()
                try log.append(db, index: i, canonical: Self.leaf(i))
            }
        }
        #expect(fresh.selects == (0..<n).reduce(0) { $0 + (~$1).trailingZeroBitCount })
        #expect(try cached.nodes() == fresh.nodes())
        let reference = InMemoryMerkleTree(leafHashes: (0..<n).map { MerkleTree.leafHash(Self.leaf($0)) })
        for size in [1, 2, 3, 255, 256, 257, n] {
            #expect(try cached.root(size: size) == MerkleTree.root(reference, size: size))
        }
    }

    /// An appender reads what another one wrote in between. A rolled-back append followed by a
    /// different leaf at the same index through the same appender (an import skipping a bad
    /// row) replaces what it remembers.
    @Test func interleavedAndRolledBackAppendsKeepTheTree() throws {
        let store = try Store()
        var leaves: [[UInt8]] = []
        try store.queue.write { db in
            var first = LogAppender()
            var second = LogAppender()
            func add(_ log: inout LogAppender, _ i: Int) throws {
                try log.append(db, index: i, canonical: Self.leaf(i))
                leaves.append(Self.leaf(i))
            }
            for i in 0..<5 { try add(&first, i) }
            for i in 5..<13 { try add(&second, i) }
            for i in 13..<40 { try add(&first, i) }
            // Leaves 40–42 are appended and rolled back; then 40 onwards again, differently.
            try db.inSavepoint {
                for i in 40..<43 { try first.append(db, index: i, canonical: Self.leaf(i, ",\"rolled\":true")) }
                return .rollback
            }
            for i in 40..<64 { try add(&first, i) }
        }
        let reference = InMemoryMerkleTree(leafHashes: leaves.map(MerkleTree.leafHash))
        for size in [5, 13, 40, 41, 43, 64] {
            #expect(try store.root(size: size) == MerkleTree.root(reference, size: size))
        }
        #expect(try store.nodes().count == 64 + 32 + 16 + 8 + 4 + 2 + 1)
    }
}
