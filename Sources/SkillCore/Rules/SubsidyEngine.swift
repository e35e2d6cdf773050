/// What the subsidy engine knows about a claimant: the certificates and completed training
/// they could claim against, their insurance standing, and the claims already made.
public struct SubsidyFacts: Sendable {
    /// A completed enrolment (the evidence of a training-subsidy claim).
    public struct Completion: Sendable, Hashable {
        public let enrolmentID: String
        public let institutionID: String
        public let occupation: String
        public let level: Int
        public init(enrolmentID: String, institutionID: String, occupation: String, level: Int) {
            self.enrolmentID = enrolmentID
            self.institutionID = institutionID
            self.occupation = occupation
            self.level = level
        }
    }

    public let personID: String
    public let certificates: [LearningRecord.Certificate]
    public let completions: [Completion]
    /// nil when the social-insurance system's figures were never imported for this worker.
    public let insurance: InsuranceStanding?
    /// Every claim made for this worker, of every programme and status.
    public let claims: [SubsidyClaim]
    /// The day of the decision (the application day).
    public let asOf: CalendarDate

    public init(personID: String, certificates: [LearningRecord.Certificate], completions: [Completion], insurance: InsuranceStanding?,
                claims: [SubsidyClaim], asOf: CalendarDate) {
        self.personID = personID
        self.certificates = certificates
        self.completions = completions
        self.insurance = insurance
        self.claims = claims
        self.asOf = asOf
    }

    /// The same facts without one claim: how a pending claim is decided again on approval.
    public func excluding(claim id: String) -> SubsidyFacts {
        SubsidyFacts(personID: personID, certificates: certificates, completions: completions, insurance: insurance,
                     claims: claims.filter { $0.id != id }, asOf: asOf)
    }
}

/// One rule's verdict on a claim.
public struct SubsidyCheck: Sendable, Hashable {
    public let rule: String
    public let passed: Bool
    /// What was found, in English (ids, figures, dates: never a name).
    public let says: String
    public let status: Provenance

    public init(rule: String, passed: Bool, says: String, status: Provenance) {
        self.rule = rule
        self.passed = passed
        self.says = says
        self.status = status
    }

    public var json: JSONValue { ["rule": .string(rule), "passed": .bool(passed), "says": .string(says), "status": .string(status.rawValue)] }
}

/// What the engine decides about one claim: each rule's verdict, and the amount.
public struct SubsidyDecision: Sendable, Hashable {
    public let programme: String
    public let evidence: String
    public let occupation: String?
    public let level: Int?
    /// Fen payable when every check passes.
    public let amountFen: Int?
    public let checks: [SubsidyCheck]
    /// The date of the insurance figures the decision used.
    public let insuranceAsOf: CalendarDate?

    public init(programme: String, evidence: String, occupation: String?, level: Int?, amountFen: Int?, checks: [SubsidyCheck], insuranceAsOf: CalendarDate?) {
        self.programme = programme
        self.evidence = evidence
        self.occupation = occupation
        self.level = level
        self.amountFen = amountFen
        self.checks = checks
        self.insuranceAsOf = insuranceAsOf
    }

    public var applies: Bool { amountFen != nil && checks.allSatisfy(\.passed) }
    /// The first rule that refuses the claim.
    public var refusedBy: SubsidyCheck? { checks.first { !$0.passed } }

    public var json: JSONValue {
        [
            "programme": .string(programme), "evidence": .string(evidence), "occupation": .optional(occupation), "level": level.map(JSONValue.int) ?? .null,
            "applies": .bool(applies), "amount_fen": amountFen.map(JSONValue.int) ?? .null,
            "amount_yuan": amountFen.map { .string(SubsidyClaim.yuan($0)) } ?? .null,
            "insurance_as_of": .optional(insuranceAsOf?.description), "refused_by": .optional(refusedBy?.rule),
            "checks": .array(checks.map(\.json)),
        ]
    }
}

/// The subsidy engine: pure and total, in the manner of `ConversionEngine`. For a claim, every
/// rule of its programme says pass or fail and why; a claim applies when all pass.
public struct SubsidyEngine: Sendable {
    public let programmes: [SubsidyProgramme]

    public init(programmes: [SubsidyProgramme]) { self.programmes = programmes }

    public func programme(_ id: String) -> SubsidyProgramme? { programmes.first { $0.id == id } }

    /// Every claim the worker could make now, programme by programme, each with its decision:
    /// what the notices and the worker's page show.
    public func options(_ facts: SubsidyFacts) -> [SubsidyDecision] {
        programmes.flatMap { p -> [SubsidyDecision] in
            switch p.evidence {
            case .certificate:
                return facts.certificates.filter { p.amount(level: $0.level) != nil }.map { decide(p, evidence: $0.id, facts) }
            case .completion:
                return facts.completions.filter { p.amount(level: $0.level) != nil }.map { decide(p, evidence: $0.enrolmentID, facts) }
            }
        }
    }

    /// Decides a claim of `programme` against `evidence` (a certificate or enrolment id).
    public func decide(_ programme: SubsidyProgramme, evidence: String, _ facts: SubsidyFacts) -> SubsidyDecision {
        let certificate = facts.certificates.first { $0.id == evidence }
        let completion = facts.completions.first { $0.enrolmentID == evidence }
        let occupation = certificate?.occupation ?? completion?.occupation
        let level = certificate?.level ?? completion?.level
        let live = facts.claims.filter { $0.status.isLive }
        let mine = live.filter { $0.programme == programme.id }
        var checks: [SubsidyCheck] = []
        func check(_ rule: SubsidyRule, _ passed: Bool, _ says: String) {
            checks.append(SubsidyCheck(rule: rule.id, passed: passed, says: says, status: rule.status))
        }
        let what = occupation.map { "\($0) level \(level.map(String.init) ?? "-")" } ?? evidence

        for rule in programme.rules {
            switch rule.kind {
            case .period:
                let period = rule.periods?.first { $0.from <= facts.asOf && facts.asOf <= $0.until }
                check(rule, period != nil, period.map { "\(facts.asOf) is within \($0.from)…\($0.until) (\($0.status.rawValue))" }
                    ?? "\(facts.asOf) is outside every policy period (\(rule.periods?.map { "\($0.from)…\($0.until)" }.joined(separator: ", ") ?? ""))")
            case .insuredMonths:
                let need = rule.months ?? 0
                guard let insurance = facts.insurance else {
                    check(rule, false, "no unemployment-insurance record has been imported for this worker")
                    continue
                }
                if insurance.months >= need {
                    check(rule, true, "\(insurance.months) months insured as of \(insurance.asOf) (at least \(need))")
                } else if rule.countsBenefit == true, insurance.receivesBenefit {
                    check(rule, true, "receiving unemployment insurance benefit as of \(insurance.asOf)")
                } else {
                    check(rule, false, "\(insurance.months) months insured as of \(insurance.asOf); \(need) needed")
                }
            case .certificateKinds:
                guard let certificate else {
                    check(rule, false, "\(evidence) is not a certificate of this worker")
                    continue
                }
                let kinds = rule.kinds ?? []
                if !kinds.contains(certificate.kind) {
                    check(rule, false, "\(certificate.number) is a \(certificate.kind), not one of \(kinds.joined(separator: ", "))")
                } else if !certificate.isActive {
                    check(rule, false, "\(certificate.number) is not active (revoked or suspended)")
                } else {
                    check(rule, true, "\(certificate.number) is an active \(certificate.kind)")
                }
            case .completedTraining:
                check(rule, completion != nil, completion.map { "\($0.enrolmentID) was completed (\($0.occupation) level \($0.level))" }
                    ?? "\(evidence) is not a completed enrolment of this worker")
            case .amountByLevel:
                let fen = programme.amount(level: level)
                check(rule, fen != nil, fen.map { "level \(level!) pays at most \(SubsidyClaim.yuan($0)) yuan" }
                    ?? "the programme pays nothing at level \(level.map(String.init) ?? "-")")
            case .applyWithinMonths:
                guard let certificate else {
                    check(rule, false, "\(evidence) is not a certificate of this worker")
                    continue
                }
                let last = certificate.issuedOn.addingMonths(rule.months ?? 0)
                check(rule, facts.asOf <= last, facts.asOf <= last
                    ? "issued \(certificate.issuedOn); claims are accepted until \(last)"
                    : "issued \(certificate.issuedOn); the last day to claim was \(last)")
            case .yearlyCap:
                let cap = rule.claims ?? 0
                let thisYear = mine.filter { $0.appliedOn.year == facts.asOf.year }
                check(rule, thisYear.count < cap, "\(thisYear.count) claim(s) in \(facts.asOf.year) already; at most \(cap) a year")
            case .oncePerOccupationLevel:
                let same = mine.first { $0.occupation == occupation && $0.level == level }
                check(rule, same == nil, same.map { "\(what) was already claimed (\($0.id), \($0.status.rawValue))" } ?? "\(what) not claimed before")
            case .noLowerAfterHigher:
                // Five-level codes: 1 is the highest (高级技师), 5 the lowest (初级工).
                let higher = mine.first { $0.occupation == occupation && level != nil && $0.level < level! }
                check(rule, higher == nil, higher.map { "level \($0.level) of \($0.occupation) was already subsidised (\($0.id)); no lower level is" }
                    ?? "no higher level of \(occupation ?? evidence) subsidised")
            case .notWith:
                let other = live.first { $0.programme == rule.programme && $0.occupation == occupation && $0.level == level }
                check(rule, other == nil, other.map { "\(what) is already claimed under \($0.programme) (\($0.id))" }
                    ?? "no \(rule.programme ?? "") claim for \(what)")
            case .oncePerEvidence:
                let same = mine.first { $0.evidence == evidence }
                check(rule, same == nil, same.map { "\(evidence) was already claimed (\($0.id))" } ?? "\(evidence) not claimed before")
            }
        }
        return SubsidyDecision(programme: programme.id, evidence: evidence, occupation: occupation, level: level, amountFen: programme.amount(level: level),
                               checks: checks, insuranceAsOf: facts.insurance?.asOf)
    }
}

/// The subsidy ledger's invariants, checked on plain values like `Reconciliation`.
public enum SubsidyReconciliation {
    /// Every problem found; empty when the subsidy ledger agrees with its claims:
    /// - every account's postings balance to zero across the ledger;
    /// - each claim has exactly the postings its status implies, of its amount: an approval for
    ///   approved, paid, cancelled and recovery-due; a payment for paid and recovery-due; a
    ///   reversal for cancelled; a recovery for recovery-due; none for pending and rejected;
    /// - a batch's claims add up to its total, and only paid or recovery-due claims are in one.
    public static func check(claims: [SubsidyClaim], postings: [SubsidyPosting], batches: [PaymentBatch]) -> [String] {
        var problems: [String] = []
        let sum = postings.reduce(0) { $0 + $1.fen }
        var balances: [String: Int] = [:]
        for p in postings {
            balances[p.from, default: 0] -= p.fen
            balances[p.to, default: 0] += p.fen
        }
        let net = balances.values.reduce(0, +)
        if net != 0 { problems.append("subsidy accounts do not balance: they sum to \(net) fen over \(sum) fen posted") }
        let byClaim = Dictionary(grouping: postings, by: \.claimID)
        let claimIDs = Set(claims.map(\.id))
        for stray in byClaim.keys.sorted() where !claimIDs.contains(stray) {
            problems.append("postings name claim \(stray), which does not exist")
        }
        for claim in claims {
            let mine = byClaim[claim.id] ?? []
            func count(_ from: (String) -> Bool, _ to: (String) -> Bool) -> Int {
                mine.filter { from($0.from) && to($0.to) && $0.fen == claim.amountFen }.count
            }
            let fund = { (a: String) in a == "fund:\(claim.programme)" }
            let payable = { (a: String) in a == "payable:\(claim.payee)" }
            let paid = { (a: String) in a == "paid:\(claim.payee)" }
            let recoverable = { (a: String) in a == "recoverable:\(claim.payee)" }
            let expected: (approval: Int, payment: Int, reversal: Int, recovery: Int) = switch claim.status {
            case .pending, .rejected: (0, 0, 0, 0)
            case .approved: (1, 0, 0, 0)
            case .paid: (1, 1, 0, 0)
            case .cancelled: (1, 0, 1, 0)
            case .recoveryDue: (1, 1, 0, 1)
            }
            let found = (count(fund, payable), count(payable, paid), count(payable, fund), count(recoverable, fund))
            if found != expected || mine.count != expected.approval + expected.payment + expected.reversal + expected.recovery {
                problems.append("claim \(claim.id) is \(claim.status.rawValue) but has \(mine.count) posting(s) (approval \(found.0), payment \(found.1), reversal \(found.2), recovery \(found.3))")
            }
            let inBatch = claim.batchID != nil
            if inBatch != (claim.status == .paid || claim.status == .recoveryDue) {
                problems.append("claim \(claim.id) is \(claim.status.rawValue) \(inBatch ? "but in" : "and in no") payment batch")
            }
        }
        let byBatch = Dictionary(grouping: claims.filter { $0.batchID != nil }, by: { $0.batchID! })
        for batch in batches {
            let members = byBatch[batch.id] ?? []
            let total = members.reduce(0) { $0 + $1.amountFen }
            if members.count != batch.claims || total != batch.totalFen {
                problems.append("payment batch \(batch.id) lists \(batch.claims) claim(s), \(batch.totalFen) fen; its claims are \(members.count), \(total) fen")
            }
        }
        let batchIDs = Set(batches.map(\.id))
        for id in byBatch.keys.sorted() where !batchIDs.contains(id) { problems.append("claims name payment batch \(id), which does not exist") }
        return problems
    }
}
