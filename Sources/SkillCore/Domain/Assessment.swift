/// Whether an assessment leads to a skill-level certificate or a special-capability one.
public enum AssessmentKind: String, Sendable, CaseIterable {
    /// 职业技能等级认定: a level of an occupation.
    case skill
    /// 专项职业能力考核: one unit of an occupation, no level, practical only.
    case special

    /// The credential type id in Standards.
    public var credentialType: String { self == .skill ? "skill-level-certificate" : "special-capability-certificate" }
}

/// A scheduled assessment.
public struct Assessment: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let kind: AssessmentKind
    public let occupation: String
    public let level: Int?
    /// 工种 under the occupation, when the assessment is for one.
    public let workType: String?
    public let dualMapping: String?
    /// The theory pass mark of the assessment rule in Standards (nil when there is no theory part).
    public var theoryPassMark: Int?
    public let practicalPassMark: Int
    public let scheduledAt: String

    public init(
        id: String, institutionID: String, kind: AssessmentKind, occupation: String, level: Int?, workType: String?, dualMapping: String?,
        theoryPassMark: Int?, practicalPassMark: Int, scheduledAt: String
    ) {
        self.id = id
        self.institutionID = institutionID
        self.kind = kind
        self.occupation = occupation
        self.level = level
        self.workType = workType
        self.dualMapping = dualMapping
        self.theoryPassMark = theoryPassMark
        self.practicalPassMark = practicalPassMark
        self.scheduledAt = scheduledAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "institution": .string(institutionID), "kind": .string(kind.rawValue), "occupation": .string(occupation),
            "level": .optional(level), "work_type": .optional(workType), "dual_mapping": .optional(dualMapping), "theory_pass_mark": .optional(theoryPassMark),
            "practical_pass_mark": .int(practicalPassMark), "scheduled_at": .string(scheduledAt),
        ]
    }
}

/// Where a candidate of an assessment is: enrolled, then passed or failed once.
public enum CandidateStatus: String, Sendable, CaseIterable {
    case enrolled, passed, failed
}

/// A worker sitting an assessment.
public struct Candidate: Sendable, Hashable {
    public let assessmentID: String
    public let personID: String
    public let status: CandidateStatus
    public let theory: Int?
    public let practical: Int?

    public init(assessmentID: String, personID: String, status: CandidateStatus, theory: Int?, practical: Int?) {
        self.assessmentID = assessmentID
        self.personID = personID
        self.status = status
        self.theory = theory
        self.practical = practical
    }
}

/// What recording a result did.
public struct AssessmentOutcome: Sendable {
    public let passed: Bool
    public let certificates: [CertificateSummary]

    public init(passed: Bool, certificates: [CertificateSummary]) {
        self.passed = passed
        self.certificates = certificates
    }

    public var json: JSONValue {
        ["passed": .bool(passed), "certificates": .array(certificates.map { ["id": .string($0.id), "number": .string($0.number)] })]
    }
}
