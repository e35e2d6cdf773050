import Foundation
import GRDB

/// The store's share of bulk issuance when it is done the way the import does it: one row at a
/// time through GRDB, with the reads the import makes for each row, and nothing else (no JSON,
/// no signature, no CSV, no encryption: every value is taken ready-made from the bank the
/// import wrote).
///
/// The set-based floor (Tools/issuance-floor.sql) says what SQLite needs to store the rows at
/// all; this one says what a row-at-a-time design needs, whatever its application code does.
/// Per passed result, in the import's order, the replay runs:
/// - the read of the candidate's status and identity, the result event's insert and its log
///   nodes, the candidate's update;
/// - the status-list slot probe, the certificate event's insert and its log nodes, the
///   certificate's insert;
/// - a read of each left sibling a log node needs that an earlier transaction wrote (as
///   `LogAppender` reads only what it did not write itself);
/// - and per transaction the serial write-back.
/// With `reads` false it runs the writes alone: the floor of a row-at-a-time import that kept
/// everything it reads in memory. It refuses to report unless the replayed bank ends with as
/// many events, log nodes and certificates as the bank the import wrote.
struct PerRowFloor {
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

    /// CPU seconds per certificate, and what was replayed.
    let cpuPerCertificate: Double
    let certificates: Int

    /// Replays the rows `after` gained over `before` into a copy of `before`, `perTransaction`
    /// certificates per transaction, with or without the import's reads.
    init(before: String, after: String, scratch: String, perTransaction: Int, reads: Bool) throws {
        _ = try output(of: "/usr/bin/sqlite3", [before, "VACUUM INTO '\(scratch)'"])
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536") }
        let replay = try DatabaseQueue(path: scratch, configuration: config)
        try replay.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        let firstSeq = try replay.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events") ?? 0 }

        // Everything the import wrote, loaded before the clock starts.
        let source = try DatabaseQueue(path: after)
        let (events, nodes, certificates, candidates, serials) = try source.read { db in
            let events = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq", arguments: [firstSeq]).map {
                Event(seq: $0["seq"], id: $0["id"], type: $0["type"], time: $0["occurred_at"], actor: $0["actor"], canonical: $0["canonical"])
            }
            var nodes: [Int: [Node]] = [:]  // by the leaf whose append made them
            for row in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM log_nodes WHERE ((idx + 1) << level) > ? ORDER BY level", arguments: [firstSeq]) {
                let node = Node(level: row["level"], idx: row["idx"], hash: row["hash"])
                nodes[((node.idx + 1) << node.level) - 1, default: []].append(node)
            }
            var certificates: [String: Certificate] = [:]  // by issuance event
            for row in try Row.fetchAll(db, sql: "SELECT * FROM certificates WHERE event_id IN (SELECT id FROM events WHERE seq > ?)", arguments: [firstSeq]) {
                certificates[row["event_id"]] = Certificate(
                    values: Array(row.databaseValues), person: row["person_id"], assessment: row["assessment_id"], institution: row["institution_id"],
                    revocation: row["revocation_index"], suspension: row["suspension_index"])
            }
            var candidates: [String: Candidate] = [:]  // by person
            for row in try Row.fetchAll(db, sql: "SELECT * FROM candidates WHERE recorded_at IS NOT NULL") {
                candidates["\(row["assessment_id"] as String) \(row["person_id"] as String)"] = Candidate(
                    status: row["status"], theory: row["theory"], practical: row["practical"], recordedAt: row["recorded_at"])
            }
            return (events, nodes, certificates, candidates, try Row.fetchAll(db, sql: "SELECT prefix, last FROM certificate_serials"))
        }
        precondition(events.count == 2 * certificates.count && nodes.values.reduce(0) { $0 + $1.count } > 0,
                     "the per-row floor expects one result event and one certificate event per certificate: \(events.count) events, \(certificates.count) certificates, types \(Set(events.map(\.type)))")

        let columns = try source.read { db in try db.columns(in: "certificates").map(\.name) }
        let insertCertificate = "INSERT INTO certificates(\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        var cpu = 0.0
        for start in stride(from: 0, to: events.count, by: 2 * perTransaction) {
            let clock = processCPUSeconds()
            let firstLeaf = Int(events[start].seq) - 1
            try replay.write { db in
                func append(_ e: Event) throws {
                    try db.cachedStatement(sql: "INSERT INTO events(id, type, occurred_at, actor, canonical) VALUES (?, ?, ?, ?, ?)")
                        .execute(arguments: [e.id, e.type, e.time, e.actor, e.canonical])
                    precondition(db.lastInsertedRowID == e.seq, "the replay's events are out of step with the import's")
                    for node in nodes[Int(e.seq) - 1] ?? [] {
                        // The left child of a new node, unless this transaction wrote it (when its last leaf was appended).
                        if reads, node.level > 0, ((2 * node.idx + 1) << (node.level - 1)) - 1 < firstLeaf {
                            _ = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?"),
                                                  arguments: [node.level - 1, 2 * node.idx])
                        }
                        try db.cachedStatement(sql: "INSERT INTO log_nodes(level, idx, hash) VALUES (?, ?, ?)").execute(arguments: [node.level, node.idx, node.hash])
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
                    try db.cachedStatement(sql: "UPDATE candidates SET status = ?, theory = ?, practical = ?, recorded_at = ? WHERE assessment_id = ? AND person_id = ?")
                        .execute(arguments: [candidate.status, candidate.theory, candidate.practical, candidate.recordedAt, c.assessment, c.person])
                    if reads {
                        _ = try Row.fetchOne(db.cachedStatement(sql: """
                            SELECT EXISTS (SELECT 1 FROM certificates WHERE institution_id = ?1 AND revocation_index = ?2),
                                   EXISTS (SELECT 1 FROM certificates WHERE institution_id = ?1 AND suspension_index = ?3)
                            """), arguments: [c.institution, c.revocation, c.suspension])
                    }
                    try append(issuance)
                    try db.cachedStatement(sql: insertCertificate).execute(arguments: StatementArguments(c.values))
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
        precondition(replayed == written, "the per-row replay wrote \(replayed) rows where the import wrote \(written)")
        self.cpuPerCertificate = cpu / Double(certificates.count)
        self.certificates = certificates.count
    }
}
