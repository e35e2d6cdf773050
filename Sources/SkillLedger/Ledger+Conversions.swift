import Foundation
import GRDB
import SkillCore

/// A conversion as the worker's record shows it.
public struct ConversionRecord: Sendable, Hashable {
    public let id: String
    public let ruleID: String
    public let ruleVersion: Int
    public let programme: String
    public let evidence: String
    public let tenths: Int
    public let isActive: Bool
    public let reversalReason: String?

    public var json: JSONValue {
        [
            "id": .string(id), "rule": .string(ruleID), "version": .int(ruleVersion), "programme": .string(programme),
            "evidence": .string(evidence), "credits": .string(Credits.format(tenths)), "status": .string(isActive ? "active" : "reversed"),
            "reversal_reason": .optional(reversalReason),
        ]
    }

    init(row: Row) {
        id = row["id"]
        ruleID = row["rule_id"]
        ruleVersion = row["rule_version"]
        programme = row["programme"]
        evidence = row["evidence"]
        tenths = row["amount_tenths"]
        isActive = row["status"] == "active"
        reversalReason = row["reversal_reason"]
    }
}

extension AccountKey {
    /// A worker's academic credits recognised by a programme.
    static func academic(person: String, programme: String) -> AccountKey {
        AccountKey(ownerKind: "person", ownerID: person, kind: "academic", occupation: programme, level: 0)
    }

    /// The programme's contra account for the credits it has recognised.
    static func recognised(programme: String) -> AccountKey {
        AccountKey(ownerKind: "registry", ownerID: programme, kind: "academic-recognised", occupation: programme, level: 0)
    }
}

extension Ledger {
    /// The engine's view of a worker, read inside the caller's transaction.
    func learningRecord(_ db: Database, person: String, asOf date: Date) throws -> LearningRecord {
        _ = try Ledger.requirePerson(db, person)
        let balances = try Ledger.balances(db, person).map {
            LearningRecord.Balance(kind: $0.account.kind, scope: $0.account.occupation, level: $0.account.level, tenths: $0.tenths)
        }
        let certificates = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.id, c.number, c.kind, c.occupation, c.level, c.issued_at, c.status, a.dual_mapping
            FROM certificates c LEFT JOIN assessments a ON a.id = c.assessment_id WHERE c.person_id = ? ORDER BY c.issued_at
            """), arguments: [person]).map { r in
            let kind: String = r["kind"]
            let mapping = (r["dual_mapping"] as String?).flatMap { standards.dualMapping($0) }
            return LearningRecord.Certificate(
                id: r["id"], number: r["number"], kind: kind, occupation: r["occupation"], level: r["level"],
                issuedOn: CalendarDate(Timestamp.parse(r["issued_at"]) ?? date), isActive: r["status"] == "active",
                externalTitle: kind == "international-certificate" ? mapping?.externalTitle : nil)
        }
        // A cursor read by column index: copying rows and looking columns up by name cost more
        // than the rest of the record for a long training history.
        var completions: [LearningRecord.Completion] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT e.id, c.occupation, c.level, c.hours, c.framework, c.online FROM enrolments e JOIN courses c ON c.id = e.course_id
            WHERE e.person_id = ? AND e.status = 'completed' ORDER BY e.id
            """), arguments: [person])
        while let r = try cursor.next() {
            completions.append(LearningRecord.Completion(enrolmentID: r[0], occupation: r[1], level: r[2], hours: r[3], framework: r[4], isOnline: r[5] as Int != 0))
        }
        let conversions = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM conversions WHERE person_id = ? AND status = 'active'"), arguments: [person]).map { r in
            LearningRecord.Conversion(id: r["id"], ruleID: r["rule_id"], family: ConversionFamily(rawValue: r["family"]) ?? .certificateToAcademic,
                                      programme: r["programme"], evidence: r["evidence"], tenths: r["amount_tenths"])
        }
        return LearningRecord(personID: person, balances: balances, certificates: certificates, completions: completions,
                              conversions: conversions, asOf: CalendarDate(date))
    }

    /// What every rule (or one) says about a worker now. Changes nothing.
    /// - Throws: `ledger.person-not-found`, `conversion.rule-not-found`.
    public func previewConversions(person: String, rule: String? = nil) throws(SkillError) -> [RuleOutcome] {
        if let rule, standards.conversion.rule(rule) == nil {
            throw SkillError(.ruleNotFound, "no conversion rule '\(rule.prefix(40))'", field: "--rule")
        }
        let date = now
        let record = try read { db in try learningRecord(db, person: person, asOf: date) }
        return ConversionEngine(standards: standards).evaluate(record, ruleID: rule)
    }

    /// What a worker holds toward sitting `level` of `occupation`, and what is missing.
    /// - Throws: `ledger.person-not-found`, `standards.*`.
    public func pathway(person: String, occupation: String, level: Int) throws(SkillError) -> (outcomes: [RuleOutcome], record: LearningRecord) {
        let occ = try standards.requireOccupation(occupation)
        _ = try standards.requireLevel(level, of: occ)
        let date = now
        let record = try read { db in try learningRecord(db, person: person, asOf: date) }
        return (ConversionEngine(standards: standards).eligibility(for: record, occupation: occ.code, level: level), record)
    }

    /// Applies a posting rule: every grant the engine finds is posted (double entry), recorded
    /// with the rule id and version and its evidence, in one transaction. A lower-level
    /// conversion that a higher one replaces is reversed in the same transaction.
    /// - Parameters:
    ///   - programme: only grants into this programme, when given.
    /// - Returns: the conversions made.
    /// - Throws: `conversion.rule-not-found`, `conversion.not-postable` (the family only explains),
    ///   `conversion.already-applied` (the same conversion again), `conversion.not-applicable`
    ///   (with what is missing), `ledger.person-not-found`.
    public func applyConversion(person: String, rule ruleID: String, programme: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> [ConversionRecord] {
        guard let rule = standards.conversion.rule(ruleID) else {
            throw SkillError(.ruleNotFound, "no conversion rule '\(ruleID.prefix(40))'", field: "--rule")
        }
        guard rule.family.posts else {
            throw SkillError(.notPostable, "\(rule.id) is a \(rule.family.rawValue) rule: it explains eligibility and posts nothing (see convert preview)", field: "--rule")
        }
        if let programme, rule.programme != programme {
            throw SkillError(.invalidField, "rule \(rule.id) converts into \(rule.programme ?? "?"), not \(programme.prefix(40))", field: "--programme")
        }
        let date = now
        let engine = ConversionEngine(standards: standards)
        return try write { db in
            let record = try learningRecord(db, person: person, asOf: date)
            guard let outcome = engine.evaluate(record, ruleID: rule.id).first else {
                throw SkillError(.ruleNotFound, "rule \(rule.id) produced no outcome")
            }
            guard outcome.applies else {
                if outcome.alreadyApplied {
                    throw SkillError(.alreadyApplied, "this conversion was already applied: \(outcome.because.joined(separator: "; "))")
                }
                throw SkillError(.notApplicable, "rule \(rule.id) does not apply: \(outcome.missing.joined(separator: "; "))")
            }
            var made: [ConversionRecord] = []
            var accounts = AccountCache()
            for grant in outcome.grants {
                if let replaced = grant.replaces {
                    try reverseConversion(db, replaced, reason: "replaced by a higher-level certificate (\(grant.evidence))", actor: actor, at: date, accounts: &accounts)
                }
                let id = IdentifierKind.conversion.make(at: date)
                let postingID = IdentifierKind.posting.make(at: date)
                let from = AccountKey.recognised(programme: grant.programme)
                let to = AccountKey.academic(person: person, programme: grant.programme)
                let event = try Ledger.appendEvent(
                    db, type: "conversion.applied", actor: actor, at: date,
                    subjects: ["person": .string(person), "conversion": .string(id)],
                    change: [
                        "rule": .string(rule.id), "version": .int(rule.version), "family": .string(rule.family.rawValue),
                        "programme": .string(grant.programme), "evidence": .string(grant.evidence), "amount_tenths": .int(grant.tenths),
                        "replaces": .optional(grant.replaces),
                        "posting": ["id": .string(postingID), "from": .string(from.description), "to": .string(to.description), "amount_tenths": .int(grant.tenths)],
                    ])
                try Ledger.post(db, id: postingID, from: from, to: to, tenths: grant.tenths, event: event, reference: id, accounts: &accounts)
                try db.execute(
                    sql: """
                        INSERT INTO conversions(id, person_id, rule_id, rule_version, family, programme, evidence, amount_tenths, posting_id, event_id, status)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')
                        """,
                    arguments: [id, person, rule.id, rule.version, rule.family.rawValue, grant.programme, grant.evidence, grant.tenths, postingID, event])
                made.append(ConversionRecord(row: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversions WHERE id = ?"), arguments: [id])!))
            }
            return made
        }
    }

    /// Reverses a conversion with a compensating posting (never an edit of the original).
    func reverseConversion(_ db: Database, _ id: String, reason: String, actor: Actor, at date: Date, accounts: inout AccountCache) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversions WHERE id = ? AND status = 'active'"), arguments: [id]) else { return }
        let c = ConversionRecord(row: row)
        let person: String = row["person_id"]
        let postingID = IdentifierKind.posting.make(at: date)
        let from = AccountKey.academic(person: person, programme: c.programme)
        let to = AccountKey.recognised(programme: c.programme)
        let event = try Ledger.appendEvent(
            db, type: "conversion.reversed", actor: actor, at: date, subjects: ["person": .string(person), "conversion": .string(id)],
            change: [
                "reason": .string(reason), "amount_tenths": .int(c.tenths),
                "posting": ["id": .string(postingID), "from": .string(from.description), "to": .string(to.description), "amount_tenths": .int(c.tenths)],
            ])
        try Ledger.post(db, id: postingID, from: from, to: to, tenths: c.tenths, event: event, reference: id, accounts: &accounts)
        try db.execute(sql: "UPDATE conversions SET status = 'reversed', reversal_reason = ?, reversal_event_id = ? WHERE id = ?",
                       arguments: [reason, event, id])
    }

    /// Reverses every active conversion whose evidence is one of `certificates` (revocation cascade).
    func reverseConversions(_ db: Database, derivedFrom certificates: [String], reason: String, actor: Actor, at date: Date) throws {
        var accounts = AccountCache()
        for certificate in certificates {
            for id in try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM conversions WHERE evidence = ? AND status = 'active'"), arguments: [certificate]) {
                try reverseConversion(db, id, reason: reason, actor: actor, at: date, accounts: &accounts)
            }
        }
    }

    /// A worker's conversions, active and reversed.
    public func conversions(of person: String) throws(SkillError) -> [ConversionRecord] {
        try read { db in try Ledger.conversions(db, person) }
    }

    static func conversions(_ db: Database, _ person: String) throws -> [ConversionRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM conversions WHERE person_id = ? ORDER BY id"), arguments: [person]).map(ConversionRecord.init(row:))
    }
}
