import Foundation
import GRDB
import SkillCore
import SkillStore

/// A row of `assessments` (its `pass_mark` is the practical pass mark).
struct AssessmentRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "assessments"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, occupation, level
        case institutionID = "institution_id", workType = "work_type", dualMapping = "dual_mapping", passMark = "pass_mark"
        case scheduledAt = "scheduled_at", eventID = "event_id"
    }
    var id: String
    var institutionID: String
    var kind: String
    var occupation: String
    var level: Int?
    var workType: String?
    var dualMapping: String?
    var passMark: Int
    var scheduledAt: String
    var eventID: String
}

struct SQLiteAssessments: AssessmentStore {
    let db: Database

    func insert(_ a: Assessment, eventID: String) throws {
        try AssessmentRow(
            id: a.id, institutionID: a.institutionID, kind: a.kind.rawValue, occupation: a.occupation, level: a.level, workType: a.workType,
            dualMapping: a.dualMapping, passMark: a.practicalPassMark, scheduledAt: a.scheduledAt, eventID: eventID
        ).insert(db)
    }

    func assessment(_ id: String) throws -> Assessment? {
        guard let r = try AssessmentRow.fetchOne(db, cached: "SELECT * FROM assessments WHERE id = ?", [id]) else { return nil }
        return try Self.assessment(r)
    }

    func assessments(institution: String?, after cursor: String?, limit: Int) throws -> [Assessment] {
        try AssessmentRow.fetchAll(db, sql: "SELECT * FROM assessments WHERE id > ? AND (? IS NULL OR institution_id = ?) ORDER BY id LIMIT ?",
                                   arguments: [cursor ?? "", institution, institution, limit]).map(Self.assessment)
    }

    func candidates(assessment: String, after cursor: String?, limit: Int) throws -> [Candidate] {
        try Row.fetchAll(db, sql: "SELECT person_id, status, theory, practical FROM candidates WHERE assessment_id = ? AND person_id > ? ORDER BY person_id LIMIT ?",
                         arguments: [assessment, cursor ?? "", limit]).map { r in
            Candidate(assessmentID: assessment, personID: r[0], status: try requiredCase(r[1], "candidates.status", row: assessment), theory: r[2], practical: r[3])
        }
    }

    private static func assessment(_ r: AssessmentRow) throws -> Assessment {
        Assessment(
            id: r.id, institutionID: r.institutionID, kind: try requiredCase(r.kind, "assessments.kind", row: r.id), occupation: r.occupation,
            level: r.level, workType: r.workType, dualMapping: r.dualMapping, theoryPassMark: nil, practicalPassMark: r.passMark,
            scheduledAt: r.scheduledAt)
    }

    func candidates(assessment: String, persons: [String]) throws -> [String: Candidate] {
        let statement = try db.cachedStatement(sql: "SELECT status, theory, practical FROM candidates WHERE assessment_id = ? AND person_id = ?")
        var found: [String: Candidate] = [:]
        for person in persons {
            guard let r = try Row.fetchOne(statement, arguments: [assessment, person]) else { continue }
            found[person] = Candidate(assessmentID: assessment, personID: person, status: try requiredCase(r[0], "candidates.status", row: assessment),
                                      theory: r[1], practical: r[2])
        }
        return found
    }

    func insertCandidate(assessment: String, person: String, eventID: String) throws {
        try db.run("INSERT INTO candidates(assessment_id, person_id, status, event_id) VALUES (?, ?, 'enrolled', ?)", [assessment, person, eventID])
    }

    func recordResults(assessment: String, _ results: [CandidateResult], at time: String) throws {
        for r in results {
            try db.run("UPDATE candidates SET status = ?, theory = ?, practical = ?, recorded_at = ? WHERE assessment_id = ? AND person_id = ?",
                       [r.status.rawValue, r.theory, r.practical, time, assessment, r.person])
        }
    }
}

struct SQLiteCertificates: CertificateStore {
    let db: Database

    func insert(_ certificates: [StoredCertificate]) throws {
        for c in certificates {
            let s = c.summary
            try db.run("""
                INSERT INTO certificates(id, number, kind, institution_id, person_id, assessment_id, occupation, level, issued_at, twin_id, key_id,
                                         status, revocation_index, suspension_index, salt_ciphertext, credential, event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    s.id, s.number, s.kind, s.institutionID, s.personID, c.assessmentID, s.occupation, s.level, s.issuedAt, s.twinID, c.keyID,
                    s.status.rawValue, c.revocationIndex, c.suspensionIndex, Data(c.saltCiphertext), Data(c.credential), c.eventID,
                ])
        }
    }

    private static let columns = """
        id, number, kind, institution_id, person_id, occupation, level, issued_at, status, twin_id,
        assessment_id, key_id, revocation_index, suspension_index, salt_ciphertext, credential, event_id
        """

    private static func summary(_ r: Row) throws -> CertificateSummary {
        let id: String = r[0]
        return CertificateSummary(
            id: id, number: r[1], kind: r[2], institutionID: r[3], personID: r[4], occupation: r[5], level: r[6], issuedAt: r[7],
            status: try requiredCase(r[8], "certificates.status", row: id), twinID: r[9])
    }

    func certificate(_ idOrNumber: String) throws -> StoredCertificate? {
        let statement = try db.cachedStatement(sql: "SELECT \(Self.columns) FROM certificates WHERE id = ?1 OR number = ?1")
        guard let r = try Row.fetchOne(statement, arguments: [idOrNumber]) else { return nil }
        return StoredCertificate(
            summary: try Self.summary(r), assessmentID: r[10], keyID: r[11], revocationIndex: r[12], suspensionIndex: r[13],
            saltCiphertext: Array(r[14] as Data), credential: Array(r[15] as Data), eventID: r[16])
    }

    func certificates(institution: String?, status: CertificateStatus?, after cursor: String?, limit: Int) throws -> [CertificateSummary] {
        try Row.fetchAll(db, sql: """
            SELECT \(Self.columns) FROM certificates WHERE id > ? AND (? IS NULL OR institution_id = ?) AND (? IS NULL OR status = ?) ORDER BY id LIMIT ?
            """, arguments: [cursor ?? "", institution, institution, status?.rawValue, status?.rawValue, limit]).map(Self.summary)
    }

    func certificates(of person: String) throws -> [CertificateSummary] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.columns) FROM certificates WHERE person_id = ? ORDER BY issued_at, id"), arguments: [person])
            .map(Self.summary)
    }

    func dropIdentitySalts(person: String) throws {
        try db.run("UPDATE certificates SET salt_ciphertext = X'' WHERE person_id = ?", [person])
    }

    func setStatus(_ id: String, _ status: CertificateStatus) throws {
        try db.run("UPDATE certificates SET status = ? WHERE id = ?", [status.rawValue, id])
    }

    func statusIndicesTaken(institution: String, revocation: [Int], suspension: [Int]) throws -> (revocation: Set<Int>, suspension: Set<Int>) {
        let revoked = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM certificates WHERE institution_id = ? AND revocation_index = ?)")
        let suspended = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM certificates WHERE institution_id = ? AND suspension_index = ?)")
        return (Set(try revocation.filter { try Bool.fetchOne(revoked, arguments: [institution, $0]) ?? false }),
                Set(try suspension.filter { try Bool.fetchOne(suspended, arguments: [institution, $0]) ?? false }))
    }

    func insertShare(_ share: CertificateShare, sha256: String, eventID: String) throws {
        try db.run("INSERT INTO certificate_shares(id, certificate_id, sha256, created_at, expires_at, event_id) VALUES (?, ?, ?, ?, ?, ?)",
                   [share.id, share.certificateID, sha256, share.createdAt, share.expiresAt, eventID])
    }

    func share(sha256: String) throws -> CertificateShare? {
        let statement = try db.cachedStatement(sql: "SELECT id, certificate_id, created_at, expires_at FROM certificate_shares WHERE sha256 = ?")
        return try Row.fetchOne(statement, arguments: [sha256]).map { CertificateShare(id: $0[0], certificateID: $0[1], createdAt: $0[2], expiresAt: $0[3]) }
    }

    func lastSerial(prefix: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT last FROM certificate_serials WHERE prefix = ?"), arguments: [prefix]) ?? 0
    }

    func setLastSerial(_ serial: Int, prefix: String) throws {
        try db.run("INSERT INTO certificate_serials(prefix, last) VALUES (?, ?) ON CONFLICT(prefix) DO UPDATE SET last = excluded.last", [prefix, serial])
    }
}

struct SQLiteStatusLists: StatusListStore {
    let db: Database

    func statusList(institution: String, purpose: StatusPurpose) throws -> [UInt8]? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT credential FROM status_lists WHERE institution_id = ? AND purpose = ?"),
                          arguments: [institution, purpose.rawValue]).map(Array.init)
    }

    func saveStatusList(_ credential: [UInt8], institution: String, purpose: StatusPurpose, at time: String) throws {
        try db.run("""
            INSERT INTO status_lists(institution_id, purpose, credential, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(institution_id, purpose) DO UPDATE SET credential = excluded.credential, updated_at = excluded.updated_at
            """, [institution, purpose.rawValue, Data(credential), time])
    }

    func allStatusLists() throws -> [[UInt8]] {
        try Data.fetchAll(db, sql: "SELECT credential FROM status_lists ORDER BY institution_id, purpose").map(Array.init)
    }
}
