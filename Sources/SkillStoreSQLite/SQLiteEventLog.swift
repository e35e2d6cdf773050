import Foundation
import GRDB
import SkillCore
import SkillStore

struct SQLiteEventLog: EventLogStore {
    let db: Database

    func append(_ events: [NewEvent]) throws -> Int {
        // One writer at a time holds the database, so the AUTOINCREMENT key is the sequencer:
        // contiguous, and in commit order.
        var first: Int?
        for e in events {
            try db.run("INSERT INTO events(id, type, occurred_at, actor, canonical, salt, commitment, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [e.event.id, e.event.type, e.event.time, e.event.actor, Data(e.canonical), e.salt.map { Data($0) }, e.commitment.map { Data($0) },
                        e.event.subjects["person"]?.stringValue])
            if first == nil { first = Int(db.lastInsertedRowID) }
        }
        return first ?? Int(db.lastInsertedRowID) + 1
    }

    func eventIDs(person: String) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM events WHERE person_id = ? ORDER BY seq"), arguments: [person])
    }

    func dropBody(of id: String, keeping commitment: [UInt8]) throws {
        try db.run("UPDATE events SET canonical = X'', salt = NULL, commitment = ? WHERE id = ?", [Data(commitment), id])
    }

    private static let columns = "seq, id, type, occurred_at, actor, canonical, salt, commitment"

    private static func event(_ r: Row) -> StoredEvent {
        StoredEvent(seq: r[0], id: r[1], type: r[2], occurredAt: r[3], actor: r[4], canonical: Array(r[5] as Data),
                    salt: (r[6] as Data?).map(Array.init), commitment: (r[7] as Data?).map(Array.init))
    }

    func events(after seq: Int, limit: Int) throws -> [StoredEvent] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.columns) FROM events WHERE seq > ? ORDER BY seq LIMIT ?"),
                         arguments: [seq, limit]).map(Self.event)
    }

    func event(id: String) throws -> StoredEvent? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns) FROM events WHERE id = ?"), arguments: [id])
            .map(Self.event)
    }

    func lastSequence() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM events")) ?? 0
    }

    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(Self.columns) FROM events ORDER BY seq")
        while let r = try cursor.next() { try body(Self.event(r)) }
    }

    func node(level: Int, index: Int) throws -> [UInt8]? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?"), arguments: [level, index]).map(Array.init)
    }

    func insertNodes(_ nodes: [(level: Int, index: Int, hash: [UInt8])]) throws {
        for node in nodes { try db.run("INSERT INTO log_nodes(level, idx, hash) VALUES (?, ?, ?)", [node.level, node.index, Data(node.hash)]) }
    }

    func nodes(level: Int) throws -> [(index: Int, hash: [UInt8])] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT idx, hash FROM log_nodes WHERE level = ? ORDER BY idx"), arguments: [level])
            .map { ($0[0], Array($0[1] as Data)) }
    }

    func nodeCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM log_nodes") ?? 0
    }

    func leafCount() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(idx) + 1, 0) FROM log_nodes WHERE level = 0")) ?? 0
    }

    func checkpoint(size: Int) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT note FROM checkpoints WHERE size = ?"), arguments: [size])
    }

    func insertCheckpoint(size: Int, root: [UInt8], note: String, at time: String) throws {
        try db.run("INSERT INTO checkpoints(size, root, note, created_at) VALUES (?, ?, ?, ?)", [size, Data(root), note, time])
    }

    func checkpoints() throws -> [(size: Int, root: [UInt8], note: String)] {
        try Row.fetchAll(db, sql: "SELECT size, root, note FROM checkpoints ORDER BY size").map { ($0[0], Array($0[1] as Data), $0[2]) }
    }
}
