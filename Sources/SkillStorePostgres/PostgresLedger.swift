import Foundation
import PostgresNIO
import SkillCore
import SkillStore

struct PostgresCredits: CreditStore {
    let transaction: PostgresTransaction
    var db: PostgresSession { transaction.session }

    func post(_ posting: CreditPosting, eventID: String) throws {
        let from = try accountID(posting.from)
        let to = try accountID(posting.to)
        try db.run("""
            INSERT INTO postings(id, event_id, from_account, to_account, amount_tenths, reference, person_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [posting.id, eventID, from, to, posting.tenths, posting.reference, posting.person])
    }

    /// The id of an account, opening it on first use.
    private func accountID(_ key: AccountKey) throws -> Int {
        if let id = transaction.accountIDs[key] { return id }
        let args: [any SQLArgument] = [key.ownerKind, key.ownerID, key.kind, key.occupation, key.level]
        let id = try db.int("""
            INSERT INTO accounts(owner_kind, owner_id, kind, occupation, level) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id
            """, args)
            ?? db.int("SELECT id FROM accounts WHERE owner_id = $2 AND owner_kind = $1 AND kind = $3 AND occupation = $4 AND level = $5", args)
        guard let id else { throw SkillError(.storeFailure, "an account could not be opened", cause: key.description) }
        transaction.accountIDs[key] = id
        return id
    }

    /// Each account's balance, derived from postings (a person's postings filtered by the person,
    /// so the sums stay on the person's shard).
    private static let balanceSQL = """
        SELECT a.owner_kind, a.owner_id, a.kind, a.occupation, a.level,
               (coalesce((SELECT sum(amount_tenths) FROM postings p WHERE p.to_account = a.id
                          AND (a.owner_kind <> 'person' OR p.person_id = a.owner_id)), 0)
              - coalesce((SELECT sum(amount_tenths) FROM postings p WHERE p.from_account = a.id
                          AND (a.owner_kind <> 'person' OR p.person_id = a.owner_id)), 0))::bigint AS balance
        FROM accounts a
        """

    private static func balance(_ r: SQLRow) throws -> AccountBalance {
        AccountBalance(account: AccountKey(ownerKind: try r.string(0), ownerID: try r.string(1), kind: try r.string(2), occupation: try r.string(3),
                                           level: try r.int(4)), tenths: try r.int(5))
    }

    func balances(of owner: String) throws -> [AccountBalance] {
        try db.rows(Self.balanceSQL + " WHERE a.owner_id = $1 ORDER BY a.kind, a.occupation, a.level DESC", [owner]).map(Self.balance)
    }

    func reconciliationFacts() throws -> ReconciliationFacts {
        let balances = try db.rows(Self.balanceSQL).map(Self.balance)
        var byType: [String?: (count: Int, tenths: Int)] = [:]
        for r in try db.rows("""
            SELECT v.type, count(*), coalesce(sum(p.amount_tenths), 0)::bigint FROM postings p LEFT JOIN events v ON v.id = p.event_id GROUP BY v.type
            """) {
            byType[try r.optionalString(0)] = (try r.int(1), try r.int(2))
        }
        let enrolments = try db.rows("""
            SELECT e.id, e.person_id, c.occupation, c.level, e.status, c.credit_tenths,
                   (SELECT count(*) FROM postings p WHERE p.person_id = e.person_id AND p.reference = e.id)
            FROM enrolments e JOIN courses c ON c.id = e.course_id
            """).map { r in
            let id = try r.string(0)
            return ReconciliationFacts.EnrolmentDeposit(
                enrolmentID: id, personID: try r.string(1), occupation: try r.string(2), level: try r.int(3),
                status: try requiredCase(try r.string(4), "enrolments.status", row: id), creditTenths: try r.int(5), deposits: try r.int(6))
        }
        let conversions = try db.rows("SELECT person_id, programme, amount_tenths FROM conversions WHERE status = 'active'")
            .map { (person: try $0.string(0), programme: try $0.string(1), tenths: try $0.int(2)) }
        let passes = try db.rows("SELECT assessment_id, person_id FROM candidates WHERE status = 'passed'")
            .map { ReconciliationFacts.AssessmentPerson(assessmentID: try $0.string(0), personID: try $0.string(1)) }
        let issued = try db.rows("SELECT assessment_id, person_id FROM certificates WHERE assessment_id IS NOT NULL")
            .map { ReconciliationFacts.AssessmentPerson(assessmentID: try $0.string(0), personID: try $0.string(1)) }
        return ReconciliationFacts(
            balances: balances, postingsByEventType: byType, enrolments: enrolments, activeConversions: conversions, passedCandidates: passes,
            certificatesFromAssessments: issued, events: try db.int("SELECT count(*) FROM events") ?? 0)
    }
}

struct PostgresConversions: ConversionStore {
    let db: PostgresSession

    func insert(_ c: ConversionRecord, eventID: String) throws {
        try db.run("""
            INSERT INTO conversions(id, person_id, rule_id, rule_version, family, programme, evidence, amount_tenths, posting_id, event_id, status,
                                    reversal_reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """, [c.id, c.personID, c.ruleID, c.ruleVersion, c.family.rawValue, c.programme, c.evidence, c.tenths, c.postingID, eventID,
                  c.isActive ? "active" : "reversed", c.reversalReason])
    }

    private static let columns = "id, person_id, rule_id, rule_version, family, programme, evidence, amount_tenths, posting_id, status, reversal_reason"

    private static func record(_ r: SQLRow) throws -> ConversionRecord {
        let id = try r.string(0)
        return ConversionRecord(
            id: id, personID: try r.string(1), ruleID: try r.string(2), ruleVersion: try r.int(3),
            family: try requiredCase(try r.string(4), "conversions.family", row: id), programme: try r.string(5), evidence: try r.string(6),
            tenths: try r.int(7), postingID: try r.string(8), isActive: try r.string(9) == "active", reversalReason: try r.optionalString(10))
    }

    func conversion(_ id: String) throws -> ConversionRecord? {
        try db.row("SELECT \(Self.columns) FROM conversions WHERE id = $1", [id]).map(Self.record)
    }

    func conversions(of person: String) throws -> [ConversionRecord] {
        try db.rows("SELECT \(Self.columns) FROM conversions WHERE person_id = $1 ORDER BY id", [person]).map(Self.record)
    }

    func activeConversions(evidence: [String]) throws -> [ConversionRecord] {
        guard !evidence.isEmpty else { return [] }
        let placeholders = (1...evidence.count).map { "$\($0)" }.joined(separator: ", ")
        return try db.rows("SELECT \(Self.columns) FROM conversions WHERE evidence IN (\(placeholders)) AND status = 'active' ORDER BY id",
                           evidence).map(Self.record)
    }

    func markReversed(_ id: String, reason: String, eventID: String) throws {
        try db.run("UPDATE conversions SET status = 'reversed', reversal_reason = $1, reversal_event_id = $2 WHERE id = $3", [reason, eventID, id])
    }
}

struct PostgresAssessments: AssessmentStore {
    let db: PostgresSession

    func insert(_ a: Assessment, eventID: String) throws {
        try db.run("""
            INSERT INTO assessments(id, institution_id, kind, occupation, level, work_type, dual_mapping, pass_mark, scheduled_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [a.id, a.institutionID, a.kind.rawValue, a.occupation, a.level, a.workType, a.dualMapping, a.practicalPassMark, a.scheduledAt, eventID])
    }

    func assessment(_ id: String) throws -> Assessment? {
        try db.row("SELECT \(Self.columns) FROM assessments WHERE id = $1", [id]).map(Self.assessment)
    }

    func assessments(institution: String?, after cursor: String?, limit: Int) throws -> [Assessment] {
        try db.rows("SELECT \(Self.columns) FROM assessments WHERE id > $1 AND ($2::text IS NULL OR institution_id = $2) ORDER BY id LIMIT $3",
                    [cursor ?? "", institution, limit]).map(Self.assessment)
    }

    func candidates(assessment: String, after cursor: String?, limit: Int) throws -> [Candidate] {
        try db.rows("SELECT person_id, status, theory, practical FROM candidates WHERE assessment_id = $1 AND person_id > $2 ORDER BY person_id LIMIT $3",
                    [assessment, cursor ?? "", limit]).map { r in
            Candidate(assessmentID: assessment, personID: try r.string(0), status: try requiredCase(try r.string(1), "candidates.status", row: assessment),
                      theory: try r.optionalInt(2), practical: try r.optionalInt(3))
        }
    }

    private static let columns = "id, institution_id, kind, occupation, level, work_type, dual_mapping, pass_mark, scheduled_at"

    private static func assessment(_ r: SQLRow) throws -> Assessment {
        let id = try r.string(0)
        return Assessment(
            id: id, institutionID: try r.string(1), kind: try requiredCase(try r.string(2), "assessments.kind", row: id), occupation: try r.string(3),
            level: try r.optionalInt(4), workType: try r.optionalString(5), dualMapping: try r.optionalString(6), theoryPassMark: nil,
            practicalPassMark: try r.int(7), scheduledAt: try r.string(8))
    }

    func candidates(assessment: String, persons: [String]) throws -> [String: Candidate] {
        var found: [String: Candidate] = [:]
        for r in try db.rows("SELECT person_id, status, theory, practical FROM candidates WHERE person_id = ANY($1) AND assessment_id = $2",
                             [SQLArray(persons), assessment]) {
            let person = try r.string(0)
            found[person] = Candidate(assessmentID: assessment, personID: person, status: try requiredCase(try r.string(1), "candidates.status", row: assessment),
                                      theory: try r.optionalInt(2), practical: try r.optionalInt(3))
        }
        return found
    }

    func insertCandidate(assessment: String, person: String, eventID: String) throws {
        try db.run("INSERT INTO candidates(assessment_id, person_id, status, event_id) VALUES ($1, $2, 'enrolled', $3)", [assessment, person, eventID])
    }

    func recordResults(assessment: String, _ results: [CandidateResult], at time: String) throws {
        guard !results.isEmpty else { return }
        // One statement: the results as parallel arrays, unnested into rows (an array holds no
        // null, so a missing theory score travels as -1: scores are 0–100).
        try db.run("""
            UPDATE candidates c SET status = r.status, theory = nullif(r.theory, -1), practical = r.practical, recorded_at = $5
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS r(person_id, status, theory, practical)
            WHERE c.person_id = r.person_id AND c.assessment_id = $6
            """, [SQLArray(results.map(\.person)), SQLArray(results.map(\.status.rawValue)), SQLArray(results.map { $0.theory ?? -1 }),
                  SQLArray(results.map(\.practical)), time, assessment])
    }
}

struct PostgresCertificates: CertificateStore {
    let db: PostgresSession

    func insert(_ certificates: [StoredCertificate]) throws {
        guard !certificates.isEmpty else { return }
        // The routing keys first: a number or id already taken anywhere fails there.
        try db.insert(into: "certificate_keys", ["key", "person_id"], certificates.flatMap { c -> [[any SQLArgument]] in
            [[c.summary.id, c.summary.personID], [c.summary.number, c.summary.personID]]
        })
        try db.insert(into: "certificates", [
            "id", "number", "kind", "institution_id", "person_id", "assessment_id", "occupation", "level", "issued_at", "twin_id", "key_id",
            "status", "revocation_index", "suspension_index", "salt_ciphertext", "credential", "event_id",
        ], certificates.map { c -> [any SQLArgument] in
            let s = c.summary
            return [s.id, s.number, s.kind, s.institutionID, s.personID, c.assessmentID, s.occupation, s.level, s.issuedAt, s.twinID, c.keyID,
                    s.status.rawValue, c.revocationIndex, c.suspensionIndex, c.saltCiphertext, c.credential, c.eventID]
        })
    }

    private static let columns = """
        c.id, c.number, c.kind, c.institution_id, c.person_id, c.occupation, c.level, c.issued_at, c.status, c.twin_id,
        c.assessment_id, c.key_id, c.revocation_index, c.suspension_index, c.salt_ciphertext, c.credential, c.event_id
        """

    private static func summary(_ r: SQLRow) throws -> CertificateSummary {
        let id = try r.string(0)
        return CertificateSummary(
            id: id, number: try r.string(1), kind: try r.string(2), institutionID: try r.string(3), personID: try r.string(4),
            occupation: try r.string(5), level: try r.optionalInt(6), issuedAt: try r.string(7),
            status: try requiredCase(try r.string(8), "certificates.status", row: id), twinID: try r.optionalString(9))
    }

    func certificate(_ idOrNumber: String) throws -> StoredCertificate? {
        // The look-up table names the person, so the certificate is read from one shard.
        guard let r = try db.row("""
            SELECT \(Self.columns) FROM certificate_keys k JOIN certificates c ON c.person_id = k.person_id AND (c.id = k.key OR c.number = k.key)
            WHERE k.key = $1
            """, [idOrNumber]) else { return nil }
        return StoredCertificate(
            summary: try Self.summary(r), assessmentID: try r.optionalString(10), keyID: try r.string(11), revocationIndex: try r.int(12),
            suspensionIndex: try r.int(13), saltCiphertext: try r.bytes(14), credential: try r.bytes(15), eventID: try r.string(16))
    }

    func certificates(institution: String?, status: CertificateStatus?, after cursor: String?, limit: Int) throws -> [CertificateSummary] {
        try db.rows("""
            SELECT \(Self.columns) FROM certificates c WHERE c.id > $1 AND ($2::text IS NULL OR c.institution_id = $2) AND ($3::text IS NULL OR c.status = $3)
            ORDER BY c.id LIMIT $4
            """, [cursor ?? "", institution, status?.rawValue, limit]).map(Self.summary)
    }

    func certificates(of person: String) throws -> [CertificateSummary] {
        try db.rows("SELECT \(Self.columns) FROM certificates c WHERE c.person_id = $1 ORDER BY c.issued_at, c.id", [person]).map(Self.summary)
    }

    func setStatus(_ id: String, _ status: CertificateStatus) throws {
        try db.run("""
            UPDATE certificates SET status = $1 WHERE person_id = (SELECT person_id FROM certificate_keys WHERE key = $2) AND id = $2
            """, [status.rawValue, id])
    }

    func dropIdentitySalts(person: String) throws {
        try db.run("UPDATE certificates SET salt_ciphertext = '' WHERE person_id = $1", [person])
    }

    func statusIndicesTaken(institution: String, revocation: [Int], suspension: [Int]) throws -> (revocation: Set<Int>, suspension: Set<Int>) {
        let rows = try db.rows("""
            SELECT 0, revocation_index FROM certificates WHERE institution_id = $1 AND revocation_index = ANY($2)
            UNION ALL SELECT 1, suspension_index FROM certificates WHERE institution_id = $1 AND suspension_index = ANY($3)
            """, [institution, SQLArray(revocation), SQLArray(suspension)])
        var taken: (revocation: Set<Int>, suspension: Set<Int>) = ([], [])
        for r in rows {
            if try r.int(0) == 0 { taken.revocation.insert(try r.int(1)) } else { taken.suspension.insert(try r.int(1)) }
        }
        return taken
    }

    func insertShare(_ share: CertificateShare, sha256: String, eventID: String) throws {
        try db.run("""
            INSERT INTO certificate_shares(id, certificate_id, sha256, created_at, expires_at, event_id) VALUES ($1, $2, $3, $4, $5, $6)
            """, [share.id, share.certificateID, sha256, share.createdAt, share.expiresAt, eventID])
    }

    func share(sha256: String) throws -> CertificateShare? {
        try db.row("SELECT id, certificate_id, created_at, expires_at FROM certificate_shares WHERE sha256 = $1", [sha256]).map {
            CertificateShare(id: try $0.string(0), certificateID: try $0.string(1), createdAt: try $0.string(2), expiresAt: try $0.string(3))
        }
    }

    func lastSerial(prefix: String) throws -> Int {
        try db.int("SELECT last FROM certificate_serials WHERE prefix = $1", [prefix]) ?? 0
    }

    func setLastSerial(_ serial: Int, prefix: String) throws {
        try db.run("""
            INSERT INTO certificate_serials(prefix, last) VALUES ($1, $2) ON CONFLICT (prefix) DO UPDATE SET last = excluded.last
            """, [prefix, serial])
    }
}

struct PostgresStatusLists: StatusListStore {
    let db: PostgresSession

    func statusList(institution: String, purpose: StatusPurpose) throws -> [UInt8]? {
        try db.row("SELECT credential FROM status_lists WHERE institution_id = $1 AND purpose = $2", [institution, purpose.rawValue])?.bytes(0)
    }

    func saveStatusList(_ credential: [UInt8], institution: String, purpose: StatusPurpose, at time: String) throws {
        try db.run("""
            INSERT INTO status_lists(institution_id, purpose, credential, updated_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (institution_id, purpose) DO UPDATE SET credential = excluded.credential, updated_at = excluded.updated_at
            """, [institution, purpose.rawValue, credential, time])
    }

    func allStatusLists() throws -> [[UInt8]] {
        try db.rows("SELECT credential FROM status_lists ORDER BY institution_id, purpose").map { try $0.bytes(0) }
    }
}

struct PostgresEventLog: EventLogStore {
    let db: PostgresSession

    func append(_ events: [NewEvent]) throws -> Int {
        // Every write unit holds the writer lock, so the newest sequence number + 1 is the
        // sequencer: contiguous, and in commit order, however many processes write.
        let first = try lastSequence() + 1
        try db.insert(into: "events", ["seq", "id", "type", "occurred_at", "actor", "canonical", "salt", "commitment", "person_id"],
                      events.enumerated().map { i, e -> [any SQLArgument] in
                          [first + i, e.event.id, e.event.type, e.event.time, e.event.actor, e.canonical, e.salt, e.commitment,
                           e.event.subjects["person"]?.stringValue]
                      })
        return first
    }

    func eventIDs(person: String) throws -> [String] {
        try db.rows("SELECT id FROM events WHERE person_id = $1 ORDER BY seq", [person]).map { try $0.string(0) }
    }

    func dropBody(of id: String, keeping commitment: [UInt8]) throws {
        try db.run("UPDATE events SET canonical = '', salt = NULL, commitment = $1 WHERE id = $2", [commitment, id])
    }

    private static let columns = "seq, id, type, occurred_at, actor, canonical, salt, commitment"

    private static func event(_ r: SQLRow) throws -> StoredEvent {
        StoredEvent(seq: try r.int(0), id: try r.string(1), type: try r.string(2), occurredAt: try r.string(3), actor: try r.string(4),
                    canonical: try r.bytes(5), salt: try r.optionalBytes(6), commitment: try r.optionalBytes(7))
    }

    func events(after seq: Int, limit: Int) throws -> [StoredEvent] {
        try db.rows("SELECT \(Self.columns) FROM events WHERE seq > $1 ORDER BY seq LIMIT $2", [seq, limit]).map(Self.event)
    }

    func event(id: String) throws -> StoredEvent? {
        try db.row("SELECT \(Self.columns) FROM events WHERE id = $1", [id]).map(Self.event)
    }

    func lastSequence() throws -> Int { try db.int("SELECT coalesce(max(seq), 0)::bigint FROM events") ?? 0 }

    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws {
        // A page at a time: the audit streams a ledger of any size.
        var after = 0
        while true {
            let page = try events(after: after, limit: 2_000)
            for event in page { try body(event) }
            guard let last = page.last else { return }
            after = last.seq
        }
    }

    func node(level: Int, index: Int) throws -> [UInt8]? {
        try db.row("SELECT hash FROM log_nodes WHERE level = $1 AND idx = $2", [level, index])?.bytes(0)
    }

    func insertNodes(_ nodes: [(level: Int, index: Int, hash: [UInt8])]) throws {
        try db.insert(into: "log_nodes", ["level", "idx", "hash"], nodes.map { [$0.level, $0.index, $0.hash] })
    }

    func nodes(level: Int) throws -> [(index: Int, hash: [UInt8])] {
        try db.rows("SELECT idx, hash FROM log_nodes WHERE level = $1 ORDER BY idx", [level]).map { (try $0.int(0), try $0.bytes(1)) }
    }

    func nodeCount() throws -> Int { try db.int("SELECT count(*) FROM log_nodes") ?? 0 }

    func leafCount() throws -> Int { try db.int("SELECT coalesce(max(idx) + 1, 0)::bigint FROM log_nodes WHERE level = 0") ?? 0 }

    func checkpoint(size: Int) throws -> String? { try db.string("SELECT note FROM checkpoints WHERE size = $1", [size]) }

    func insertCheckpoint(size: Int, root: [UInt8], note: String, at time: String) throws {
        try db.run("INSERT INTO checkpoints(size, root, note, created_at) VALUES ($1, $2, $3, $4)", [size, root, note, time])
    }

    func checkpoints() throws -> [(size: Int, root: [UInt8], note: String)] {
        try db.rows("SELECT size, root, note FROM checkpoints ORDER BY size").map { (try $0.int(0), try $0.bytes(1), try $0.string(2)) }
    }
}
