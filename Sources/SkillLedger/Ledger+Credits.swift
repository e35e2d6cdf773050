import Foundation
import GRDB
import SkillCore

/// An account of the double-entry credit ledger: whose, what kind, in which occupation and level.
public struct AccountKey: Sendable, Hashable, CustomStringConvertible {
    public let ownerKind: String
    public let ownerID: String
    public let kind: String
    public let occupation: String
    public let level: Int

    /// A worker's training credits in an occupation at a level.
    public static func training(person: String, occupation: String, level: Int) -> AccountKey {
        AccountKey(ownerKind: "person", ownerID: person, kind: "training", occupation: occupation, level: level)
    }

    /// The contra account of the credits an institution has issued (its balance is minus what it issued).
    public static func issued(institution: String, occupation: String, level: Int) -> AccountKey {
        AccountKey(ownerKind: "institution", ownerID: institution, kind: "training-issued", occupation: occupation, level: level)
    }

    public var description: String { "\(ownerKind):\(ownerID)/\(kind)/\(occupation)/\(level)" }
}

/// A derived balance: the sum of postings into an account minus those out of it.
public struct AccountBalance: Sendable, Hashable {
    public let account: AccountKey
    public let tenths: Int

    public var json: JSONValue {
        [
            "kind": .string(account.kind), "occupation": .string(account.occupation), "level": .int(account.level),
            "balance": .string(Credits.format(tenths)), "balance_tenths": .int(tenths),
        ]
    }
}

/// Account row ids looked up during one transaction, so bulk writes do not query twice.
struct AccountCache {
    var ids: [AccountKey: Int64] = [:]

    mutating func id(_ db: Database, _ key: AccountKey) throws -> Int64 {
        if let id = ids[key] { return id }
        let args: StatementArguments = [key.ownerKind, key.ownerID, key.kind, key.occupation, key.level]
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO accounts(owner_kind, owner_id, kind, occupation, level) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: args)
        let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM accounts WHERE owner_kind = ? AND owner_id = ? AND kind = ? AND occupation = ? AND level = ?"),
            arguments: args)!
        ids[key] = id
        return id
    }
}

extension Ledger {
    /// Writes one posting inside the caller's transaction, tied to the event that explains it.
    static func post(
        _ db: Database, id: String, from: AccountKey, to: AccountKey, tenths: Int, event: String, reference: String,
        accounts: inout AccountCache
    ) throws {
        precondition(tenths > 0, "postings move a positive amount")
        let fromID = try accounts.id(db, from)
        let toID = try accounts.id(db, to)
        try db.cachedStatement(
            sql: "INSERT INTO postings(id, event_id, from_account, to_account, amount_tenths, reference) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [id, event, fromID, toID, tenths, reference])
    }

    /// Balances of every account `ownerID` holds, derived from postings.
    /// - Throws: `store.failure`.
    public func balances(of ownerID: String) throws(SkillError) -> [AccountBalance] {
        try read { db in try Ledger.balances(db, ownerID) }
    }

    static func balances(_ db: Database, _ ownerID: String) throws -> [AccountBalance] {
        let sql = """
            SELECT a.owner_kind, a.owner_id, a.kind, a.occupation, a.level,
                   coalesce((SELECT sum(amount_tenths) FROM postings WHERE to_account = a.id), 0)
                 - coalesce((SELECT sum(amount_tenths) FROM postings WHERE from_account = a.id), 0) AS balance
            FROM accounts a WHERE a.owner_id = ? ORDER BY a.kind, a.occupation, a.level DESC
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [ownerID]).map { r in
            AccountBalance(
                account: AccountKey(ownerKind: r["owner_kind"], ownerID: r["owner_id"], kind: r["kind"], occupation: r["occupation"], level: r["level"]),
                tenths: r["balance"])
        }
    }

    /// Checks the ledger's invariants from the stored rows.
    /// - Returns: what was checked and every problem found (empty when the ledger reconciles).
    public func reconcile() throws(SkillError) -> ReconciliationReport {
        try read { db in
            var problems: [String] = []
            let total = try Int.fetchOne(db, sql: """
                SELECT coalesce(sum(p.amount_tenths), 0) FROM postings p JOIN events v ON v.id = p.event_id WHERE v.type = 'enrolment.completed'
                """) ?? 0
            // 1. No worker's account is negative.
            let negative = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (
                  SELECT a.id, coalesce((SELECT sum(amount_tenths) FROM postings WHERE to_account = a.id), 0)
                             - coalesce((SELECT sum(amount_tenths) FROM postings WHERE from_account = a.id), 0) AS b
                  FROM accounts a WHERE a.owner_kind = 'person') WHERE b < 0
                """) ?? 0
            if negative > 0 { problems.append("\(negative) worker account(s) have a negative balance") }
            // 2. Training balances equal the credits of completed enrolments, recomputed independently.
            let mismatched = try Row.fetchAll(db, sql: """
                WITH expected AS (
                  SELECT e.person_id AS owner, c.occupation, c.level, sum(c.credit_tenths) AS tenths
                  FROM enrolments e JOIN courses c ON c.id = e.course_id
                  WHERE e.status = 'completed' AND c.credit_tenths > 0 GROUP BY 1, 2, 3),
                actual AS (
                  SELECT a.owner_id AS owner, a.occupation, a.level,
                         coalesce((SELECT sum(amount_tenths) FROM postings WHERE to_account = a.id), 0)
                       - coalesce((SELECT sum(amount_tenths) FROM postings WHERE from_account = a.id), 0) AS tenths
                  FROM accounts a WHERE a.owner_kind = 'person' AND a.kind = 'training')
                SELECT x.owner FROM expected x LEFT JOIN actual y USING (owner, occupation, level) WHERE y.tenths IS NOT x.tenths
                UNION ALL
                SELECT y.owner FROM actual y LEFT JOIN expected x USING (owner, occupation, level) WHERE x.tenths IS NULL AND y.tenths <> 0
                LIMIT 20
                """)
            if !mismatched.isEmpty {
                problems.append("training balances differ from completed enrolments for \(mismatched.count) account(s), e.g. \(mismatched[0][0] as String)")
            }
            // 3. Each completed enrolment with credit has exactly one deposit; no other enrolment has one.
            let badDeposits = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM enrolments e JOIN courses c ON c.id = e.course_id
                WHERE (SELECT count(*) FROM postings p WHERE p.reference = e.id)
                   <> (CASE WHEN e.status = 'completed' AND c.credit_tenths > 0 THEN 1 ELSE 0 END)
                """) ?? 0
            if badDeposits > 0 { problems.append("\(badDeposits) enrolment(s) have a wrong number of credit deposits") }
            // 4. Each posting is explained by an event of a type that moves credits.
            let unexplained = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM postings p LEFT JOIN events v ON v.id = p.event_id
                WHERE v.id IS NULL OR v.type NOT IN ('enrolment.completed', 'conversion.applied', 'conversion.reversed')
                """) ?? 0
            if unexplained > 0 { problems.append("\(unexplained) posting(s) lack an event that explains them") }
            // 5. Academic balances equal the active conversions into each programme.
            let academic = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM accounts a
                WHERE a.owner_kind = 'person' AND a.kind = 'academic'
                  AND coalesce((SELECT sum(amount_tenths) FROM postings WHERE to_account = a.id), 0)
                    - coalesce((SELECT sum(amount_tenths) FROM postings WHERE from_account = a.id), 0)
                   <> coalesce((SELECT sum(amount_tenths) FROM conversions c
                                WHERE c.person_id = a.owner_id AND c.programme = a.occupation AND c.status = 'active'), 0)
                """) ?? 0
            if academic > 0 { problems.append("\(academic) academic account(s) differ from their active conversions") }
            // 6. Issued credits mirror deposited credits: every account sums to zero overall.
            let net = try Int.fetchOne(db, sql: """
                SELECT coalesce(sum(b), 0) FROM (
                  SELECT coalesce((SELECT sum(amount_tenths) FROM postings WHERE to_account = a.id), 0)
                       - coalesce((SELECT sum(amount_tenths) FROM postings WHERE from_account = a.id), 0) AS b FROM accounts a)
                """) ?? 0
            if net != 0 { problems.append("accounts do not sum to zero (net \(Credits.format(net)))") }
            // 7. A pass and its certificate are one: no passed result without a certificate, no
            //    certificate from an assessment without a recorded pass.
            let unissued = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM candidates c WHERE c.status = 'passed'
                  AND NOT EXISTS (SELECT 1 FROM certificates t WHERE t.assessment_id = c.assessment_id AND t.person_id = c.person_id)
                """) ?? 0
            if unissued > 0 { problems.append("\(unissued) passed result(s) have no certificate") }
            let unearned = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM certificates t WHERE t.assessment_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM candidates c WHERE c.assessment_id = t.assessment_id AND c.person_id = t.person_id AND c.status = 'passed')
                """) ?? 0
            if unearned > 0 { problems.append("\(unearned) certificate(s) lack the pass they were issued for") }
            return ReconciliationReport(
                postings: try Int.fetchOne(db, sql: "SELECT count(*) FROM postings") ?? 0,
                events: try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0,
                depositedTenths: total, problems: problems)
        }
    }
}

/// The outcome of `Ledger.reconcile()`.
public struct ReconciliationReport: Sendable {
    public let postings: Int
    public let events: Int
    /// Training credits deposited by completions (conversions are not counted here).
    public let depositedTenths: Int
    public let problems: [String]
    public var isBalanced: Bool { problems.isEmpty }

    public var json: JSONValue {
        [
            "postings": .int(postings), "events": .int(events), "deposited": .string(Credits.format(depositedTenths)),
            "balanced": .bool(isBalanced), "problems": .array(problems.map(JSONValue.string)),
        ]
    }
}
