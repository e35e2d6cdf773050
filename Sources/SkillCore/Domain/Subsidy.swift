import Foundation

/// A subsidy programme (补贴项目) as `subsidies.json` states it: who it pays, against what
/// evidence, and the rules a claim must pass, each with its source.
public struct SubsidyProgramme: Sendable, Codable, Hashable {
    /// What a claim is made against.
    public enum Evidence: String, Sendable, Codable, Hashable {
        /// A certificate the worker holds (the skill-upgrade subsidy).
        case certificate
        /// A completed enrolment in a course (subsidised training pays the institution).
        case completion
    }

    /// Who is paid.
    public enum Payee: String, Sendable, Codable, Hashable {
        case worker, institution
    }

    public let id: String
    public let zh: String
    public let en: String
    public let evidence: Evidence
    public let payee: Payee
    public let rules: [SubsidyRule]
    public let source: String
    public let status: Provenance

    /// The amount paid for `level`, in fen, or nil when the programme pays nothing at that level.
    public func amount(level: Int?) -> Int? {
        guard let level else { return nil }
        return rules.lazy.compactMap(\.amounts).first?.first { $0.level == level }?.fen
    }
}

/// One condition of a programme. Which members a rule carries depends on its kind
/// (checked when the Standards load).
public struct SubsidyRule: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        /// The claim is made within one of the dated policy periods.
        case period
        /// Unemployment insurance for at least `months` (or receiving the benefit, when `countsBenefit`).
        case insuredMonths = "insured-months"
        /// The evidence is an active certificate of one of `kinds`.
        case certificateKinds = "certificate-kinds"
        /// The evidence is a completed enrolment.
        case completedTraining = "completed-training"
        /// What is paid per level (fen).
        case amountByLevel = "amount-by-level"
        /// The claim is made within `months` of the certificate's issue.
        case applyWithinMonths = "apply-within-months"
        /// At most `claims` claims of the programme per person per calendar year.
        case yearlyCap = "yearly-cap"
        /// The same occupation and level is paid once.
        case oncePerOccupationLevel = "once-per-occupation-level"
        /// Once a higher level of an occupation was paid, no lower level of it is.
        case noLowerAfterHigher = "no-lower-after-higher"
        /// Not together with a claim of `programme` for the same occupation and level.
        case notWith = "not-with"
        /// One claim per piece of evidence.
        case oncePerEvidence = "once-per-evidence"
    }

    /// A policy period, each with its own source (extensions are published separately).
    public struct Period: Sendable, Codable, Hashable {
        public let from: CalendarDate
        public let until: CalendarDate
        public let source: String
        public let status: Provenance
    }

    /// The amount paid at one five-level code.
    public struct Amount: Sendable, Codable, Hashable {
        public let level: Int
        public let fen: Int
    }

    public let id: String
    public let kind: Kind
    public let zh: String
    public let en: String
    public let source: String
    public let status: Provenance
    public let months: Int?
    public let countsBenefit: Bool?
    public let kinds: [String]?
    public let amounts: [Amount]?
    public let claims: Int?
    public let programme: String?
    public let periods: [Period]?
}

/// What the social-insurance system says about a worker's unemployment insurance, imported
/// by the operator and kept against the blind index of the ID number.
public struct InsuranceStanding: Sendable, Hashable {
    /// Months of contributions.
    public let months: Int
    /// Whether the worker currently receives unemployment insurance benefit.
    public let receivesBenefit: Bool
    /// The day the social-insurance system's figures are as of.
    public let asOf: CalendarDate

    public init(months: Int, receivesBenefit: Bool, asOf: CalendarDate) {
        self.months = months
        self.receivesBenefit = receivesBenefit
        self.asOf = asOf
    }
}

/// Where a claim stands.
public enum SubsidyClaimStatus: String, Sendable, Codable, CaseIterable {
    /// Applied; the engine found it eligible; waiting for the operator.
    case pending
    /// Approved and posted to the subsidy ledger; not yet in a payment batch.
    case approved
    /// Refused by the operator (with a reason), or its evidence was revoked before approval.
    case rejected
    /// In a payment batch.
    case paid
    /// Approved, then its certificate was revoked before payment: the approval was reversed.
    case cancelled
    /// Paid, then its certificate was revoked: the money is to be recovered (追回).
    case recoveryDue = "recovery-due"

    /// Whether the claim counts against the caps and once-only rules.
    public var isLive: Bool { self == .pending || self == .approved || self == .paid }
}

/// A subsidy claim.
public struct SubsidyClaim: Sendable, Hashable {
    public let id: String
    public let programme: String
    public let personID: String
    /// Who is paid: the worker, or the institution for training subsidies.
    public let payee: String
    /// The certificate or enrolment claimed against.
    public let evidence: String
    public let occupation: String
    public let level: Int
    public let amountFen: Int
    public var status: SubsidyClaimStatus
    /// The day applied for, in the registry's time zone (the yearly cap counts by its year).
    public let appliedOn: CalendarDate
    public let appliedAt: String
    public var decidedAt: String?
    /// The operator's reason for a decision, or why a claim was cancelled or is to be recovered.
    public var reason: String?
    public var batchID: String?
    /// The engine's checks at application (rule ids, pass/fail, the insurance figures' date).
    public let decision: JSONValue

    public init(id: String, programme: String, personID: String, payee: String, evidence: String, occupation: String, level: Int, amountFen: Int,
                status: SubsidyClaimStatus, appliedOn: CalendarDate, appliedAt: String, decidedAt: String? = nil, reason: String? = nil,
                batchID: String? = nil, decision: JSONValue) {
        self.id = id
        self.programme = programme
        self.personID = personID
        self.payee = payee
        self.evidence = evidence
        self.occupation = occupation
        self.level = level
        self.amountFen = amountFen
        self.status = status
        self.appliedOn = appliedOn
        self.appliedAt = appliedAt
        self.decidedAt = decidedAt
        self.reason = reason
        self.batchID = batchID
        self.decision = decision
    }

    /// Fen as yuan with two decimals ("1500.00").
    public static func yuan(_ fen: Int) -> String { DecimalText.twoDecimals(fen) }

    public var json: JSONValue {
        [
            "id": .string(id), "programme": .string(programme), "person": .string(personID), "payee": .string(payee),
            "evidence": .string(evidence), "occupation": .string(occupation), "level": .int(level), "amount_fen": .int(amountFen),
            "amount_yuan": .string(Self.yuan(amountFen)), "status": .string(status.rawValue), "applied_on": .string(appliedOn.description),
            "applied_at": .string(appliedAt), "decided_at": .optional(decidedAt), "reason": .optional(reason), "batch": .optional(batchID),
            "decision": decision,
        ]
    }
}

/// A posting of the subsidy ledger, in fen. Accounts are named `fund:PROGRAMME` (the
/// programme's budget), `payable:PAYEE` (approved, not yet paid), `paid:PAYEE` (in a payment
/// batch) and `recoverable:PAYEE` (paid and to be recovered).
public struct SubsidyPosting: Sendable, Hashable {
    public let id: String
    public let claimID: String
    public let from: String
    public let to: String
    public let fen: Int

    public init(id: String, claimID: String, from: String, to: String, fen: Int) {
        self.id = id
        self.claimID = claimID
        self.from = from
        self.to = to
        self.fen = fen
    }

    public var json: JSONValue { ["id": .string(id), "claim": .string(claimID), "from": .string(from), "to": .string(to), "amount_fen": .int(fen)] }
}

/// A payment batch handed to the finance system.
public struct PaymentBatch: Sendable, Hashable {
    public let id: String
    public let createdAt: String
    public let claims: Int
    public let totalFen: Int
    /// SHA-256 of the exported CSV, so the file the finance system received can be matched.
    public let sha256: String

    public init(id: String, createdAt: String, claims: Int, totalFen: Int, sha256: String) {
        self.id = id
        self.createdAt = createdAt
        self.claims = claims
        self.totalFen = totalFen
        self.sha256 = sha256
    }

    public var json: JSONValue {
        ["id": .string(id), "created_at": .string(createdAt), "claims": .int(claims), "total_fen": .int(totalFen),
         "total_yuan": .string(SubsidyClaim.yuan(totalFen)), "sha256": .string(sha256)]
    }
}
