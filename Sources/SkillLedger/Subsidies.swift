import Foundation
import SkillCore
import SkillCrypto
import SkillStore

/// Subsidies (补贴): insurance figures imported from the social-insurance system, claims decided
/// by `SubsidyEngine` (load → decide → persist), the operator's approval posting to the subsidy
/// ledger in fen exactly once, payment batches for the finance system, and recovery (追回)
/// when a subsidised certificate is revoked.
public struct Subsidies: Sendable {
    let context: BankContext

    var engine: SubsidyEngine { SubsidyEngine(programmes: context.standards.subsidies) }

    func requireProgramme(_ id: String) throws(SkillError) -> SubsidyProgramme {
        guard let p = engine.programme(id) else {
            throw SkillError(.programmeNotFound, "no subsidy programme '\(id.prefix(40))' (known: \(engine.programmes.map(\.id).joined(separator: ", ")))",
                             field: "programme")
        }
        return p
    }

    /// What the engine knows about a worker today (`record`: their learning record, when the caller has it already).
    func facts(_ tx: any StoreTransaction, person: String, at date: Date, record known: LearningRecord? = nil) throws -> SubsidyFacts {
        let record = try known ?? context.learningRecord(tx, person: person, asOf: date)
        let completions = try tx.training.trainingHistory(person: person).filter { $0.enrolment.status == .completed }.map { line in
            SubsidyFacts.Completion(enrolmentID: line.enrolment.id, institutionID: line.course.institutionID, occupation: line.course.occupation,
                                    level: line.course.level)
        }
        let insurance = try tx.people.sealedPerson(person).flatMap { try tx.subsidies.insurance(index: $0.idIndex) }
        return SubsidyFacts(personID: person, certificates: record.certificates, completions: completions, insurance: insurance,
                            claims: try tx.subsidies.claims(person: person), asOf: CalendarDate(date))
    }

    // MARK: Insurance

    /// Imports unemployment-insurance figures (`id_type,id_number,months,as_of,benefit`): each
    /// row is kept against the blind index of its ID number, never the number, and replaces
    /// what an earlier import said. Rows for people not registered yet are kept for when they
    /// are. One event records the import (how many rows, no person).
    /// - Returns: the report; `created` lists the registered workers a row matched.
    /// - Throws: `input.file-unreadable`, `import.header-invalid`, `import.csv-malformed`, `store.*`.
    public func importInsurance(from url: URL, skipBad: Bool = false, actor: Actor = .operatorCLI) throws(SkillError) -> ImportReport {
        let rows = try CSVRows(url, columns: ImportKind.insurance.columns)
        let date = context.now
        let eventID = IdentifierKind.event.make(at: date)
        let provinces = context.standards.provinceCodes
        var newlyMatched: [String] = []
        return try RowImport(kind: .insurance, skipBad: skipBad, progress: nil).run(rows, in: context, batch: 1, { tx, records in
            let f = records[0].fields
            do {
                guard let type = IDType(rawValue: f["id_type"]!.trimmingSpaces.lowercased()) else {
                    throw SkillError(.invalidField, "id_type must be one of \(IDType.allCases.map(\.rawValue).joined(separator: ", "))", field: "id_type")
                }
                let document: PersonalID
                do { document = try PersonalID(type: type, number: f["id_number"]!, provinces: provinces) } catch let error as SkillError {
                    throw error.at("id_number")
                }
                guard let months = Int(f["months"]!.trimmingSpaces), (0...600).contains(months) else {
                    throw SkillError(.invalidField, "months must be a whole number from 0 to 600", field: "months")
                }
                let asOf = try CalendarDate.parse(f["as_of"]!.trimmingSpaces, field: "as_of")
                guard asOf <= CalendarDate(date) else { throw SkillError(.invalidField, "as_of is in the future", field: "as_of") }
                let benefit: Bool
                switch f["benefit"]!.trimmingSpaces.lowercased() {
                case "yes", "true", "1", "是": benefit = true
                case "no", "false", "0", "否", "": benefit = false
                default: throw SkillError(.invalidField, "benefit must be yes or no", field: "benefit")
                }
                let index = context.vault.index(of: document)
                try tx.subsidies.putInsurance(index: index, InsuranceStanding(months: months, receivesBenefit: benefit, asOf: asOf), eventID: eventID)
                guard let person = try tx.people.personID(idIndex: index) else { return [.done([])] }
                newlyMatched.append(person)
                return [.done([person])]
            } catch let error as SkillError where error.refusesOnlyItsRow {
                return [.refused(error)]
            }
        }, finish: { tx, imported in
            try context.append(tx, [LedgerEvent(type: "insurance.imported", actor: actor, at: date, subjects: [:],
                                                change: ["rows": .int(imported), "matched": .int(newlyMatched.count)], id: eventID)])
            for person in newlyMatched { try Notices(context: context).subsidyOptions(tx, person: person, at: date, trigger: eventID) }
        })
    }

    // MARK: Decisions and claims

    /// Every claim a worker could make now, with the engine's decision on each. Changes nothing.
    /// - Throws: `ledger.person-not-found`.
    public func options(person: String) throws(SkillError) -> [SubsidyDecision] {
        let date = context.now
        return engine.options(try context.read { tx in try facts(tx, person: person, at: date) })
    }

    /// What the engine decides about one claim, without making it.
    /// - Throws: `subsidy.programme-not-found`, `ledger.person-not-found`.
    public func decide(person: String, programme: String, evidence: String) throws(SkillError) -> SubsidyDecision {
        let p = try requireProgramme(programme)
        let date = context.now
        return engine.decide(p, evidence: evidence, try context.read { tx in try facts(tx, person: person, at: date) })
    }

    /// Applies for a subsidy: the engine decides; a claim that passes every rule is kept as
    /// pending for the operator, one that fails is refused with the rule that refuses it.
    /// - Parameter institution: when an institution applies (training subsidies), the enrolment
    ///   must be at one of its courses.
    /// - Throws: `subsidy.programme-not-found`, `subsidy.refused` (field: the rule),
    ///   `ledger.person-not-found`, `auth.forbidden`.
    public func apply(person: String, programme: String, evidence: String, actor: Actor = .operatorCLI, onlyFor institution: String? = nil) throws(SkillError) -> SubsidyClaim {
        let p = try requireProgramme(programme)
        let date = context.now
        return try context.write { tx in
            _ = try context.requirePerson(tx, person, forChange: true)
            let payee: String
            switch p.payee {
            case .worker: payee = person
            case .institution:
                guard let enrolment = try tx.training.enrolment(evidence), enrolment.personID == person,
                    let course = try tx.training.course(enrolment.courseID)
                else {
                    throw SkillError(.subsidyRefused, "\(evidence.prefix(40)) is not an enrolment of this worker", field: "evidence")
                }
                payee = course.institutionID
            }
            // Ownership first: another institution learns nothing about the worker's record.
            if let institution, payee != institution {
                throw SkillError(.forbidden, "a training subsidy is claimed by the institution that trained", field: "evidence")
            }
            let facts = try facts(tx, person: person, at: date)
            let decision = engine.decide(p, evidence: evidence, facts)
            if let refused = decision.refusedBy {
                throw SkillError(.subsidyRefused, refused.says, field: refused.rule)
            }
            guard let amount = decision.amountFen, let occupation = decision.occupation, let level = decision.level else {
                throw SkillError(.subsidyRefused, "the programme pays nothing for \(evidence.prefix(40))", field: "evidence")
            }
            let claim = SubsidyClaim(
                id: IdentifierKind.claim.make(at: date), programme: p.id, personID: person, payee: payee, evidence: evidence, occupation: occupation,
                level: level, amountFen: amount, status: .pending, appliedOn: CalendarDate(date), appliedAt: Timestamp.format(date), decision: decision.json)
            let event = try context.append(
                tx, "subsidy.claimed", actor: actor, at: date, subjects: subjects(claim),
                change: ["programme": .string(p.id), "evidence": .string(evidence), "amount_fen": .int(amount), "checks": .array(decision.checks.map { .string($0.rule) })])
            try tx.subsidies.insert(claim, eventID: event)
            return claim
        }
    }

    private func subjects(_ claim: SubsidyClaim) -> [String: JSONValue] {
        var s: [String: JSONValue] = ["claim": .string(claim.id), "person": .string(claim.personID)]
        if IdentifierKind(prefixOf: claim.payee) == .institution { s["institution"] = .string(claim.payee) }
        return s
    }

    func requireClaim(_ tx: any StoreTransaction, _ id: String) throws -> SubsidyClaim {
        guard let claim = try tx.subsidies.claim(id) else { throw SkillError(.claimNotFound, "no subsidy claim \(id.prefix(40))", field: "claim") }
        return claim
    }

    /// Approves a pending claim: the engine decides again (another claim may have been approved
    /// since), then `fund:PROGRAMME → payable:PAYEE` is posted, once.
    /// - Throws: `subsidy.claim-not-found`, `ledger.transition-invalid` (not pending),
    ///   `subsidy.refused` (a rule now refuses it: reject it with that reason).
    public func approve(_ claimID: String, reason: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> SubsidyClaim {
        let date = context.now
        return try context.write { tx in
            var claim = try requireClaim(tx, claimID)
            guard claim.status == .pending else {
                throw SkillError(.transitionInvalid, "claim \(claim.id) is \(claim.status.rawValue); only a pending claim can be approved", field: "claim")
            }
            let p = try requireProgramme(claim.programme)
            let decision = engine.decide(p, evidence: claim.evidence, try facts(tx, person: claim.personID, at: date).excluding(claim: claim.id))
            // The application day's rules (period, apply-within) judged the claim when it was made.
            let dated: Set<SubsidyRule.Kind> = [.period, .applyWithinMonths]
            let kinds = Dictionary(p.rules.map { ($0.id, $0.kind) }, uniquingKeysWith: { a, _ in a })
            if let refused = decision.checks.first(where: { check in !check.passed && !dated.contains(kinds[check.rule] ?? .period) }) {
                throw SkillError(.subsidyRefused, "no longer eligible: \(refused.says); reject the claim with this reason", field: refused.rule)
            }
            claim.status = .approved
            claim.decidedAt = Timestamp.format(date)
            claim.reason = reason
            let posting = SubsidyPosting(id: IdentifierKind.posting.make(at: date), claimID: claim.id, from: "fund:\(claim.programme)",
                                         to: "payable:\(claim.payee)", fen: claim.amountFen)
            let event = try context.append(tx, "subsidy.approved", actor: actor, at: date, subjects: subjects(claim),
                                           change: ["amount_fen": .int(claim.amountFen), "posting": posting.json, "reason": .optional(reason)])
            try tx.subsidies.post(posting, eventID: event)
            try tx.subsidies.update(claim, eventID: event)
            try Notices(context: context).claimDecided(tx, claim, at: date, trigger: event)
            return claim
        }
    }

    /// Rejects a pending claim with a reason the worker is shown.
    /// - Throws: `subsidy.claim-not-found`, `ledger.transition-invalid`, `input.invalid-field` (no reason).
    public func reject(_ claimID: String, reason: String, actor: Actor = .operatorCLI) throws(SkillError) -> SubsidyClaim {
        guard !reason.trimmingSpaces.isEmpty else { throw SkillError(.invalidField, "a rejection needs a reason", field: "reason") }
        let date = context.now
        return try context.write { tx in
            var claim = try requireClaim(tx, claimID)
            guard claim.status == .pending else {
                throw SkillError(.transitionInvalid, "claim \(claim.id) is \(claim.status.rawValue); only a pending claim can be rejected", field: "claim")
            }
            claim.status = .rejected
            claim.decidedAt = Timestamp.format(date)
            claim.reason = reason
            let event = try context.append(tx, "subsidy.rejected", actor: actor, at: date, subjects: subjects(claim), change: ["reason": .string(reason)])
            try tx.subsidies.update(claim, eventID: event)
            try Notices(context: context).claimDecided(tx, claim, at: date, trigger: event)
            return claim
        }
    }

    /// Puts every approved claim (of one programme, when given) into a new payment batch:
    /// `payable → paid` is posted for each, and each claim is in this batch only.
    /// - Returns: the batch and its CSV (`batch,claim,programme,payee,payee_kind,amount_yuan,evidence,masked_id`)
    ///   for the finance system; ids and masked forms only.
    /// - Throws: `subsidy.nothing-to-pay`, `subsidy.programme-not-found`.
    public func exportBatch(programme: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> (batch: PaymentBatch, csv: String) {
        if let programme { _ = try requireProgramme(programme) }
        let date = context.now
        return try context.write { tx in
            var approved: [SubsidyClaim] = []
            var cursor: String?
            while true {
                let page = try tx.subsidies.claims(status: .approved, payee: nil, after: cursor, limit: 1_000)
                approved += page.filter { programme == nil || $0.programme == programme }
                guard page.count == 1_000 else { break }
                cursor = page.last?.id
            }
            guard !approved.isEmpty else { throw SkillError(.nothingToPay, "no approved claim waits for payment", field: "programme") }
            let id = IdentifierKind.batch.make(at: date)
            var csv = "batch,claim,programme,payee,payee_kind,amount_yuan,evidence,masked_id\r\n"
            let people = try tx.people.sealedPeople(Array(Set(approved.map(\.personID))))
            for claim in approved {
                let kind = IdentifierKind(prefixOf: claim.payee) == .institution ? "institution" : "worker"
                let masked = kind == "worker" ? people[claim.personID]?.summary.maskedIDNumber ?? "" : ""
                csv += [id, claim.id, claim.programme, claim.payee, kind, SubsidyClaim.yuan(claim.amountFen), claim.evidence, masked].joined(separator: ",") + "\r\n"
            }
            let batch = PaymentBatch(id: id, createdAt: Timestamp.format(date), claims: approved.count, totalFen: approved.reduce(0) { $0 + $1.amountFen },
                                     sha256: Hex.encode(SHA256.hash(Array(csv.utf8))))
            let event = try context.append(tx, "subsidy.batch-exported", actor: actor, at: date, subjects: ["batch": .string(id)], change: batch.json)
            try tx.subsidies.insert(batch, eventID: event)
            for var claim in approved {
                claim.status = .paid
                claim.batchID = id
                try tx.subsidies.post(SubsidyPosting(id: IdentifierKind.posting.make(at: date), claimID: claim.id, from: "payable:\(claim.payee)",
                                                     to: "paid:\(claim.payee)", fen: claim.amountFen), eventID: event)
                try tx.subsidies.update(claim, eventID: event)
            }
            return (batch, csv)
        }
    }

    /// Inside a revocation's unit of work: claims on the revoked certificates are undone. A
    /// pending claim is rejected; an approved one is cancelled (`payable → fund`); a paid one
    /// is flagged for recovery (`recoverable → fund`, 追回). Each is a compensating entry with
    /// its own event, and the worker is told.
    func revoked(_ tx: any StoreTransaction, certificates: [String], reason: String, actor: Actor, at date: Date) throws {
        for var claim in try tx.subsidies.claims(evidence: certificates) {
            let from = claim.status
            let posting: SubsidyPosting?
            switch claim.status {
            case .pending:
                claim.status = .rejected
                posting = nil
            case .approved:
                claim.status = .cancelled
                posting = SubsidyPosting(id: IdentifierKind.posting.make(at: date), claimID: claim.id, from: "payable:\(claim.payee)",
                                         to: "fund:\(claim.programme)", fen: claim.amountFen)
            case .paid:
                claim.status = .recoveryDue
                posting = SubsidyPosting(id: IdentifierKind.posting.make(at: date), claimID: claim.id, from: "recoverable:\(claim.payee)",
                                         to: "fund:\(claim.programme)", fen: claim.amountFen)
            case .rejected, .cancelled, .recoveryDue: continue
            }
            claim.decidedAt = claim.decidedAt ?? Timestamp.format(date)
            claim.reason = "certificate \(claim.evidence) revoked: \(reason)"
            let event = try context.append(
                tx, claim.status == .recoveryDue ? "subsidy.recovery-due" : "subsidy.undone", actor: actor, at: date, subjects: subjects(claim),
                change: ["from": .string(from.rawValue), "to": .string(claim.status.rawValue), "posting": posting?.json ?? .null])
            if let posting { try tx.subsidies.post(posting, eventID: event) }
            try tx.subsidies.update(claim, eventID: event)
            try Notices(context: context).claimDecided(tx, claim, at: date, trigger: event)
        }
    }

    /// A claim by id.
    /// - Throws: `subsidy.claim-not-found`.
    public func claim(_ id: String) throws(SkillError) -> SubsidyClaim { try context.read { tx in try requireClaim(tx, id) } }

    /// A worker's claims, in id order.
    public func claims(of person: String) throws(SkillError) -> [SubsidyClaim] {
        try context.read { tx in
            _ = try context.requirePerson(tx, person)
            return try tx.subsidies.claims(person: person)
        }
    }

    /// Claims in id order after `cursor`, of one status and one payee when given.
    public func claims(status: SubsidyClaimStatus? = nil, payee: String? = nil, after cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [SubsidyClaim] {
        try context.read { tx in try tx.subsidies.claims(status: status, payee: payee, after: cursor, limit: limit) }
    }

    /// The subsidy ledger's problems (`SubsidyReconciliation.check`); empty when it agrees with its claims.
    public func reconcile() throws(SkillError) -> [String] {
        let ledger = try context.read { tx in try tx.subsidies.ledger() }
        return SubsidyReconciliation.check(claims: ledger.claims, postings: ledger.postings, batches: ledger.batches)
    }
}
