import Foundation
import GRDB
import GRDBSQLite

/// The store's share of bulk issuance: the rows a bulk import wrote, replayed into the bank as
/// it was before, with nothing else (no JSON, no signature, no CSV, no encryption: every value
/// is taken ready-made from the bank the import wrote).
///
/// The set-based floor (Tools/issuance-floor.sql) says what SQLite needs to store the rows at
/// all; this one says what an import that writes them a given way needs, whatever its own code
/// does. With `writes` `.rowByRow`, it writes as the import does: one certificate at a time
/// through GRDB. Per passed result, in the import's order:
/// - the read of the candidate's status and identity, the result event's insert and its log
///   nodes, the candidate's update;
/// - the status-list slot probe, the certificate event's insert and its log nodes, the
///   certificate's insert;
/// - a read of each left sibling a log node needs that an earlier transaction wrote (as
///   `LogAppender` reads only what it did not write itself);
/// - and per transaction the serial write-back.
///
/// With `reads` false it leaves out the reads: the floor of an import that kept everything it
/// reads in memory. With `writes` `.bufferedRawBinding` it makes the same reads, keeps the
/// transaction's rows in memory and writes them before commit with statements of 64 rows bound
/// through SQLite's C API, not GRDB's arguments: what an import written that way would cost (the
/// ledger itself binds through GRDB). It refuses to report unless the replayed bank ends with as
/// many events, log nodes and certificates as the bank the import wrote.
struct StoreFloor {
    enum Writes { case rowByRow, bufferedRawBinding }

    private struct Event { let seq: Int64; let id: String; let type: String; let time: String; let actor: String; let canonical: Data }
    private struct Node { let level: Int; let idx: Int; let hash: Data }
    private struct Certificate {
        let values: [DatabaseValue]
        let person: String
        let assessment: String
        let institution: String
        let revocation: Int
        let suspension: Int
    }
    private struct Candidate { let status: String; let theory: Int?; let practical: Int; let recordedAt: String }

    private let before: String
    private let source: DatabaseQueue
    private let events: [Event]
    /// New log nodes by the leaf whose append made them.
    private let nodes: [Int: [Node]]
    /// By issuance event.
    private let certificates: [String: Certificate]
    /// By "assessment person".
    private let candidates: [String: Candidate]
    private let serials: [Row]
    private let columns: [String]

    /// How many certificates a replay writes.
    var count: Int { certificates.count }

    /// Loads the rows the bank at `after` gained over the bank at `before` (once: each replay
    /// reuses them).
    init(before: String, after: String) throws {
        self.before = before
        let firstSeq = try DatabaseQueue(path: before).read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events") ?? 0 }
        source = try DatabaseQueue(path: after)
        (events, nodes, certificates, candidates, serials) = try source.read { db in
            let events = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq", arguments: [firstSeq]).map {
                Event(seq: $0["seq"], id: $0["id"], type: $0["type"], time: $0["occurred_at"], actor: $0["actor"], canonical: $0["canonical"])
            }
            var nodes: [Int: [Node]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM log_nodes WHERE ((idx + 1) << level) > ? ORDER BY level", arguments: [firstSeq]) {
                let node = Node(level: row["level"], idx: row["idx"], hash: row["hash"])
                nodes[((node.idx + 1) << node.level) - 1, default: []].append(node)
            }
            var certificates: [String: Certificate] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM certificates WHERE event_id IN (SELECT id FROM events WHERE seq > ?)", arguments: [firstSeq]) {
                certificates[row["event_id"]] = Certificate(
                    values: Array(row.databaseValues), person: row["person_id"], assessment: row["assessment_id"], institution: row["institution_id"],
                    revocation: row["revocation_index"], suspension: row["suspension_index"])
            }
            var candidates: [String: Candidate] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM candidates WHERE recorded_at IS NOT NULL") {
                candidates["\(row["assessment_id"] as String) \(row["person_id"] as String)"] = Candidate(
                    status: row["status"], theory: row["theory"], practical: row["practical"], recordedAt: row["recorded_at"])
            }
            return (events, nodes, certificates, candidates, try Row.fetchAll(db, sql: "SELECT prefix, last FROM certificate_serials"))
        }
        precondition(events.count == 2 * certificates.count && nodes.values.reduce(0) { $0 + $1.count } > 0,
                     "the store floor expects one result event and one certificate event per certificate: \(events.count) events, \(certificates.count) certificates, types \(Set(events.map(\.type)))")
        columns = try source.read { db in try db.columns(in: "certificates").map(\.name) }
    }

    /// Replays the loaded rows into a fresh copy of the `before` bank at `scratch` (removed
    /// afterwards), `perTransaction` certificates per transaction, written as `writes` says, with
    /// or without the import's reads.
    /// - Returns: CPU seconds per certificate, transactions and commits included.
    func replay(into scratch: String, perTransaction: Int, writes: Writes, reads: Bool) throws -> Double {
        _ = try output(of: "/usr/bin/sqlite3", [before, "VACUUM INTO '\(scratch)'"])
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536") }
        let replay = try DatabaseQueue(path: scratch, configuration: config)
        try replay.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        let insertCertificate = "INSERT INTO certificates(\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        var cpu = 0.0
        for start in stride(from: 0, to: events.count, by: 2 * perTransaction) {
            let clock = processCPUSeconds()
            let firstLeaf = Int(events[start].seq) - 1
            try replay.write { db in
                var buffer = Buffer()
                func append(_ e: Event) throws {
                    if writes == .bufferedRawBinding {
                        buffer.events.append([e.id.databaseValue, e.type.databaseValue, e.time.databaseValue, e.actor.databaseValue, e.canonical.databaseValue])
                    } else {
                        try db.cachedStatement(sql: "INSERT INTO events(id, type, occurred_at, actor, canonical) VALUES (?, ?, ?, ?, ?)")
                            .execute(arguments: [e.id, e.type, e.time, e.actor, e.canonical])
                        precondition(db.lastInsertedRowID == e.seq, "the replay's events are out of step with the import's")
                    }
                    for node in nodes[Int(e.seq) - 1] ?? [] {
                        // The left child of a new node, unless this transaction wrote it (when its last leaf was appended).
                        if reads, node.level > 0, ((2 * node.idx + 1) << (node.level - 1)) - 1 < firstLeaf {
                            _ = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?"),
                                                  arguments: [node.level - 1, 2 * node.idx])
                        }
                        if writes == .bufferedRawBinding {
                            buffer.nodes.append([node.level.databaseValue, node.idx.databaseValue, node.hash.databaseValue])
                        } else {
                            try db.cachedStatement(sql: "INSERT INTO log_nodes(level, idx, hash) VALUES (?, ?, ?)").execute(arguments: [node.level, node.idx, node.hash])
                        }
                    }
                }
                for pair in stride(from: start, to: min(start + 2 * perTransaction, events.count), by: 2) {
                    let (result, issuance) = (events[pair], events[pair + 1])
                    guard result.type == "assessment.result-recorded", let c = certificates[issuance.id],
                          let candidate = candidates["\(c.assessment) \(c.person)"]
                    else { preconditionFailure("event \(result.seq) is not a result followed by its certificate") }
                    if reads {
                        _ = try Row.fetchOne(db.cachedStatement(sql: """
                            SELECT c.status, p.id_type, p.id_ciphertext FROM candidates c JOIN people p ON p.id = c.person_id
                            WHERE c.assessment_id = ? AND c.person_id = ?
                            """), arguments: [c.assessment, c.person])
                    }
                    try append(result)
                    if writes == .bufferedRawBinding {
                        buffer.candidates.append([
                            c.assessment.databaseValue, c.person.databaseValue, candidate.status.databaseValue, candidate.theory.databaseValue,
                            candidate.practical.databaseValue, candidate.recordedAt.databaseValue,
                        ])
                    } else {
                        try db.cachedStatement(sql: "UPDATE candidates SET status = ?, theory = ?, practical = ?, recorded_at = ? WHERE assessment_id = ? AND person_id = ?")
                            .execute(arguments: [candidate.status, candidate.theory, candidate.practical, candidate.recordedAt, c.assessment, c.person])
                    }
                    if reads {
                        _ = try Row.fetchOne(db.cachedStatement(sql: """
                            SELECT EXISTS (SELECT 1 FROM certificates WHERE institution_id = ?1 AND revocation_index = ?2),
                                   EXISTS (SELECT 1 FROM certificates WHERE institution_id = ?1 AND suspension_index = ?3)
                            """), arguments: [c.institution, c.revocation, c.suspension])
                    }
                    try append(issuance)
                    if writes == .bufferedRawBinding {
                        buffer.certificates.append(c.values)
                    } else {
                        try db.cachedStatement(sql: insertCertificate).execute(arguments: StatementArguments(c.values))
                    }
                }
                if writes == .bufferedRawBinding {
                    // Foreign keys are checked as each statement runs: events before what names them.
                    try Self.write(db, "INSERT INTO events(id, type, occurred_at, actor, canonical) VALUES ", buffer.events)
                    try Self.write(db, "INSERT INTO log_nodes(level, idx, hash) VALUES ", buffer.nodes)
                    try Self.write(db, "UPDATE candidates SET status = v.column3, theory = v.column4, practical = v.column5, recorded_at = v.column6 FROM (VALUES ",
                                   buffer.candidates, tail: ") AS v WHERE candidates.assessment_id = v.column1 AND candidates.person_id = v.column2")
                    try Self.write(db, "INSERT INTO certificates(\(columns.joined(separator: ", "))) VALUES ", buffer.certificates)
                }
                for serial in serials {
                    try db.cachedStatement(sql: "INSERT INTO certificate_serials(prefix, last) VALUES (?, ?) ON CONFLICT(prefix) DO UPDATE SET last = excluded.last")
                        .execute(arguments: [serial["prefix"] as String, serial["last"] as Int])
                }
            }
            cpu += processCPUSeconds() - clock
        }
        let counts = "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM log_nodes), (SELECT count(*) FROM certificates)"
        let (replayed, written) = (try replay.read { db in try Row.fetchOne(db, sql: counts)! }, try source.read { db in try Row.fetchOne(db, sql: counts)! })
        precondition(replayed == written, "the store floor's replay wrote \(replayed) rows where the import wrote \(written)")
        return cpu / Double(certificates.count)
    }

    /// A transaction's rows kept for writing before commit.
    private struct Buffer {
        var events: [[DatabaseValue]] = []
        var nodes: [[DatabaseValue]] = []
        var candidates: [[DatabaseValue]] = []
        var certificates: [[DatabaseValue]] = []
    }

    /// `SQLITE_TRANSIENT`: SQLite copies what is bound.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Writes `rows` with statements of up to 64 rows (`head`, one `(?, …)` per row, `tail`),
    /// bound through SQLite's C API on GRDB's cached statements.
    private static func write(_ db: Database, _ head: String, _ rows: [[DatabaseValue]], tail: String = "") throws {
        guard let width = rows.first?.count else { return }
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        for start in stride(from: 0, to: rows.count, by: 64) {
            let chunk = rows[start..<min(start + 64, rows.count)]
            let handle = try db.cachedStatement(sql: head + Array(repeating: tuple, count: chunk.count).joined(separator: ", ") + tail).sqliteStatement
            sqlite3_reset(handle)
            var index: Int32 = 1
            for row in chunk {
                for value in row {
                    switch value.storage {
                    case .null: sqlite3_bind_null(handle, index)
                    case .int64(let n): sqlite3_bind_int64(handle, index, n)
                    case .double(let d): sqlite3_bind_double(handle, index, d)
                    case .string(let text): _ = text.withCString { sqlite3_bind_text(handle, index, $0, -1, transient) }
                    case .blob(let data):
                        _ = data.isEmpty ? sqlite3_bind_zeroblob(handle, index, 0)
                            : data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
                    }
                    index += 1
                }
            }
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            sqlite3_reset(handle)
        }
    }
}
