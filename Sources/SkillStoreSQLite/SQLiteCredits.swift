import Foundation
import GRDB
import SkillCore
import SkillStore

struct SQLiteCredits: CreditStore {
    let transaction: SQLiteTransaction
    var db: Database { transaction.db }

    func post(_ posting: CreditPosting, eventID: String) throws {
        let from = try accountID(posting.from)
        let to = try accountID(posting.to)
        try db.run("INSERT INTO postings(id, event_id, from_account, to_account, amount_tenths, reference, person_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [posting.id, eventID, from, to, posting.tenths, posting.reference, posting.person])
    }

    /// The row id of an account, opening it on first use.
    private func accountID(_ key: AccountKey) throws -> Int64 {
        if let id = transaction.accountIDs[key] { return id }
        let args: StatementArguments = [key.ownerKind, key.ownerID, key.kind, key.occupation, key.level]
        try db.run("INSERT INTO accounts(owner_kind, owner_id, kind, occupation, level) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", args)
        guard let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM accounts WHERE owner_kind = ? AND owner_id = ? AND kind = ? AND occupation = ? AND level = ?"),
            arguments: args)
        else { throw SkillError(.storeFailure, "an account could not be opened", cause: key.description) }
        transaction.accountIDs[key] = id
        return id
    }

    /// Each account's balance, derived from postings.
    private static let balanceSQL = """
        SELECT a.owner_kind, a.owner_id, a.kind, a.occupation, a.level,
               coalesce((SELECT sum(amount_tenths) FROM postings WHERE to_account = a.id), 0)
             - coalesce((SELECT sum(amount_tenths) FROM postings WHERE from_account = a.id), 0) AS balance
        FROM accounts a
        """

    private static func balance(_ r: Row) -> AccountBalance {
        AccountBalance(account: AccountKey(ownerKind: r[0], ownerID: r[1], kind: r[2], occupation: r[3], level: r[4]), tenths: r[5])
    }

    func balances(of owner: String) throws -> [AccountBalance] {
        try Row.fetchAll(db.cachedStatement(sql: Self.balanceSQL + " WHERE a.owner_id = ? ORDER BY a.kind, a.occupation, a.level DESC"), arguments: [owner])
            .map(Self.balance)
    }

    func reconciliationFacts() throws -> ReconciliationFacts {
        let balances = try Row.fetchAll(db, sql: Self.balanceSQL).map(Self.balance)
        var byType: [String?: (count: Int, tenths: Int)] = [:]
        for r in try Row.fetchAll(db, sql: """
            SELECT v.type, count(*), coalesce(sum(p.amount_tenths), 0) FROM postings p LEFT JOIN events v ON v.id = p.event_id GROUP BY v.type
            """) {
            byType[r[0] as String?] = (r[1], r[2])
        }
        var enrolments: [ReconciliationFacts.EnrolmentDeposit] = []
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT e.id, e.person_id, c.occupation, c.level, e.status, c.credit_tenths,
                   (SELECT count(*) FROM postings p WHERE p.reference = e.id)
            FROM enrolments e JOIN courses c ON c.id = e.course_id
            """)
        while let r = try cursor.next() {
            let id: String = r[0]
            enrolments.append(.init(enrolmentID: id, personID: r[1], occupation: r[2], level: r[3],
                                    status: try requiredCase(r[4], "enrolments.status", row: id), creditTenths: r[5], deposits: r[6]))
        }
        let conversions = try Row.fetchAll(db, sql: "SELECT person_id, programme, amount_tenths FROM conversions WHERE status = 'active'")
            .map { (person: $0[0] as String, programme: $0[1] as String, tenths: $0[2] as Int) }
        let passes = try Row.fetchAll(db, sql: "SELECT assessment_id, person_id FROM candidates WHERE status = 'passed'")
            .map { ReconciliationFacts.AssessmentPerson(assessmentID: $0[0], personID: $0[1]) }
        let issued = try Row.fetchAll(db, sql: "SELECT assessment_id, person_id FROM certificates WHERE assessment_id IS NOT NULL")
            .map { ReconciliationFacts.AssessmentPerson(assessmentID: $0[0], personID: $0[1]) }
        return ReconciliationFacts(
            balances: balances, postingsByEventType: byType, enrolments: enrolments, activeConversions: conversions, passedCandidates: passes,
            certificatesFromAssessments: issued, events: try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0)
    }
}

/// A row of `conversions`.
struct ConversionRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "conversions"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, family, programme, evidence, status
        case personID = "person_id", ruleID = "rule_id", ruleVersion = "rule_version", amountTenths = "amount_tenths", postingID = "posting_id"
        case eventID = "event_id", reversalReason = "reversal_reason", reversalEventID = "reversal_event_id"
    }
    var id: String
    var personID: String
    var ruleID: String
    var ruleVersion: Int
    var family: String
    var programme: String
    var evidence: String
    var amountTenths: Int
    var postingID: String
    var eventID: String
    var status: String
    var reversalReason: String?
    var reversalEventID: String?

    func record() throws -> ConversionRecord {
        ConversionRecord(
            id: id, personID: personID, ruleID: ruleID, ruleVersion: ruleVersion, family: try requiredCase(family, "conversions.family", row: id),
            programme: programme, evidence: evidence, tenths: amountTenths, postingID: postingID, isActive: status == "active",
            reversalReason: reversalReason)
    }
}

struct SQLiteConversions: ConversionStore {
    let db: Database

    func insert(_ c: ConversionRecord, eventID: String) throws {
        try ConversionRow(
            id: c.id, personID: c.personID, ruleID: c.ruleID, ruleVersion: c.ruleVersion, family: c.family.rawValue, programme: c.programme,
            evidence: c.evidence, amountTenths: c.tenths, postingID: c.postingID, eventID: eventID, status: c.isActive ? "active" : "reversed",
            reversalReason: c.reversalReason, reversalEventID: nil
        ).insert(db)
    }

    func conversion(_ id: String) throws -> ConversionRecord? {
        try ConversionRow.fetchOne(db, cached: "SELECT * FROM conversions WHERE id = ?", [id])?.record()
    }

    func conversions(of person: String) throws -> [ConversionRecord] {
        try ConversionRow.fetchAll(db, cached: "SELECT * FROM conversions WHERE person_id = ? ORDER BY id", [person]).map { try $0.record() }
    }

    func activeConversions(evidence: [String]) throws -> [ConversionRecord] {
        try ConversionRow.filter(evidence.contains(ConversionRow.CodingKeys.evidence) && ConversionRow.CodingKeys.status == "active")
            .order(ConversionRow.CodingKeys.id).fetchAll(db).map { try $0.record() }
    }

    func markReversed(_ id: String, reason: String, eventID: String) throws {
        try db.run("UPDATE conversions SET status = 'reversed', reversal_reason = ?, reversal_event_id = ? WHERE id = ?", [reason, eventID, id])
    }
}
