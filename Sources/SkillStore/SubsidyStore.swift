import SkillCore

/// Subsidy claims, their ledger in fen, payment batches, and the insurance figures imported
/// from the social-insurance system (kept against the blind index of the ID number only).
public protocol SubsidyStore {
    /// Writes or replaces the insurance figures for one blind index.
    func putInsurance(index: [UInt8], _ standing: InsuranceStanding, eventID: String) throws
    func insurance(index: [UInt8]) throws -> InsuranceStanding?
    /// Drops the insurance figures of one blind index (erasure).
    func removeInsurance(index: [UInt8]) throws

    func insert(_ claim: SubsidyClaim, eventID: String) throws
    /// Writes a claim's status, decision time, reason and batch.
    func update(_ claim: SubsidyClaim, eventID: String) throws
    func claim(_ id: String) throws -> SubsidyClaim?
    /// Every claim made for a worker (as claimant), in id order.
    func claims(person: String) throws -> [SubsidyClaim]
    /// Claims in id order after `cursor`, of one status and one payee when given.
    func claims(status: SubsidyClaimStatus?, payee: String?, after cursor: String?, limit: Int) throws -> [SubsidyClaim]
    /// Live claims whose evidence is one of `evidence`.
    func claims(evidence: [String]) throws -> [SubsidyClaim]

    func post(_ posting: SubsidyPosting, eventID: String) throws
    func insert(_ batch: PaymentBatch, eventID: String) throws
    func batch(_ id: String) throws -> PaymentBatch?
    /// Everything reconciliation reads: every claim, posting and batch.
    func ledger() throws -> (claims: [SubsidyClaim], postings: [SubsidyPosting], batches: [PaymentBatch])
}

/// `SubsidyStore` in SQL both stores run.
public struct SQLSubsidies: SubsidyStore {
    let db: any SQLStatements

    public init(_ db: any SQLStatements) { self.db = db }

    public func putInsurance(index: [UInt8], _ s: InsuranceStanding, eventID: String) throws {
        try db.execute("""
            INSERT INTO insurance_records(id_index, months, receives_benefit, as_of, event_id) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id_index) DO UPDATE SET months = excluded.months, receives_benefit = excluded.receives_benefit,
                as_of = excluded.as_of, event_id = excluded.event_id
            """, [.bytes(index), .int(s.months), .int(s.receivesBenefit ? 1 : 0), .text(s.asOf.description), .text(eventID)])
    }

    public func insurance(index: [UInt8]) throws -> InsuranceStanding? {
        try db.rows("insurance_records", "SELECT months, receives_benefit, as_of FROM insurance_records WHERE id_index = ?", [.bytes(index)]).first.map { r in
            guard let asOf = CalendarDate(iso: try r.text(2)) else { throw SkillError(.storeFailure, "the store holds a damaged row", cause: "insurance_records.as_of") }
            return InsuranceStanding(months: try r.int(0), receivesBenefit: try r.int(1) != 0, asOf: asOf)
        }
    }

    public func removeInsurance(index: [UInt8]) throws {
        try db.execute("DELETE FROM insurance_records WHERE id_index = ?", [.bytes(index)])
    }

    static let columns = "id, programme, person_id, payee, evidence, occupation, level, amount_fen, status, applied_on, applied_at, decided_at, reason, batch_id, decision"

    static func claim(_ r: StoreRow) throws -> SubsidyClaim {
        guard let appliedOn = CalendarDate(iso: try r.text(9)) else { throw SkillError(.storeFailure, "the store holds a damaged row", cause: "subsidy_claims.applied_on") }
        return SubsidyClaim(
            id: try r.text(0), programme: try r.text(1), personID: try r.text(2), payee: try r.text(3), evidence: try r.text(4), occupation: try r.text(5),
            level: try r.int(6), amountFen: try r.int(7), status: try r.choice(8, SubsidyClaimStatus.self), appliedOn: appliedOn, appliedAt: try r.text(10),
            decidedAt: try r.optionalText(11), reason: try r.optionalText(12), batchID: try r.optionalText(13), decision: try r.json(14))
    }

    public func insert(_ c: SubsidyClaim, eventID: String) throws {
        try db.execute("INSERT INTO subsidy_claims(\(Self.columns), event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            .text(c.id), .text(c.programme), .text(c.personID), .text(c.payee), .text(c.evidence), .text(c.occupation), .int(c.level), .int(c.amountFen),
            .text(c.status.rawValue), .text(c.appliedOn.description), .text(c.appliedAt), .optional(c.decidedAt), .optional(c.reason), .optional(c.batchID),
            .text(try c.decision.canonicalString()), .text(eventID),
        ])
    }

    public func update(_ c: SubsidyClaim, eventID: String) throws {
        try db.execute("UPDATE subsidy_claims SET status = ?, decided_at = ?, reason = ?, batch_id = ?, last_event_id = ? WHERE id = ?", [
            .text(c.status.rawValue), .optional(c.decidedAt), .optional(c.reason), .optional(c.batchID), .text(eventID), .text(c.id),
        ])
    }

    private func claims(_ whereClause: String, _ arguments: [StoreValue]) throws -> [SubsidyClaim] {
        try db.rows("subsidy_claims", "SELECT \(Self.columns) FROM subsidy_claims \(whereClause)", arguments).map(Self.claim)
    }

    public func claim(_ id: String) throws -> SubsidyClaim? { try claims("WHERE id = ?", [.text(id)]).first }

    public func claims(person: String) throws -> [SubsidyClaim] { try claims("WHERE person_id = ? ORDER BY id", [.text(person)]) }

    public func claims(status: SubsidyClaimStatus?, payee: String?, after cursor: String?, limit: Int) throws -> [SubsidyClaim] {
        var conditions = ["id > ?"]
        var arguments: [StoreValue] = [.text(cursor ?? "")]
        if let status {
            conditions.append("status = ?")
            arguments.append(.text(status.rawValue))
        }
        if let payee {
            conditions.append("payee = ?")
            arguments.append(.text(payee))
        }
        return try claims("WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT \(max(0, limit))", arguments)
    }

    public func claims(evidence: [String]) throws -> [SubsidyClaim] {
        guard !evidence.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: evidence.count).joined(separator: ", ")
        return try claims("WHERE evidence IN (\(marks)) AND status IN ('pending', 'approved', 'paid') ORDER BY id", evidence.map(StoreValue.text))
    }

    public func post(_ p: SubsidyPosting, eventID: String) throws {
        try db.execute("INSERT INTO subsidy_postings(id, claim_id, from_account, to_account, amount_fen, event_id) VALUES (?, ?, ?, ?, ?, ?)", [
            .text(p.id), .text(p.claimID), .text(p.from), .text(p.to), .int(p.fen), .text(eventID),
        ])
    }

    public func insert(_ b: PaymentBatch, eventID: String) throws {
        try db.execute("INSERT INTO payment_batches(id, created_at, claims, total_fen, sha256, event_id) VALUES (?, ?, ?, ?, ?, ?)", [
            .text(b.id), .text(b.createdAt), .int(b.claims), .int(b.totalFen), .text(b.sha256), .text(eventID),
        ])
    }

    private static func batch(_ r: StoreRow) throws -> PaymentBatch {
        PaymentBatch(id: try r.text(0), createdAt: try r.text(1), claims: try r.int(2), totalFen: try r.int(3), sha256: try r.text(4))
    }

    public func batch(_ id: String) throws -> PaymentBatch? {
        try db.rows("payment_batches", "SELECT id, created_at, claims, total_fen, sha256 FROM payment_batches WHERE id = ?", [.text(id)]).first.map(Self.batch)
    }

    public func ledger() throws -> (claims: [SubsidyClaim], postings: [SubsidyPosting], batches: [PaymentBatch]) {
        let postings = try db.rows("subsidy_postings", "SELECT id, claim_id, from_account, to_account, amount_fen FROM subsidy_postings ORDER BY id").map { r in
            SubsidyPosting(id: try r.text(0), claimID: try r.text(1), from: try r.text(2), to: try r.text(3), fen: try r.int(4))
        }
        let batches = try db.rows("payment_batches", "SELECT id, created_at, claims, total_fen, sha256 FROM payment_batches ORDER BY id").map(Self.batch)
        return (try claims("ORDER BY id", []), postings, batches)
    }
}
