import SkillCore

/// Assessments and their candidates.
public protocol AssessmentStore {
    func insert(_ assessment: Assessment, eventID: String) throws
    /// The assessment as stored (its theory pass mark comes from Standards, not the store: nil here).
    func assessment(_ id: String) throws -> Assessment?
    /// `institution`'s assessments (or every one), in id order after `cursor`.
    func assessments(institution: String?, after cursor: String?, limit: Int) throws -> [Assessment]
    /// An assessment's candidates in person-id order after `cursor`.
    func candidates(assessment: String, after cursor: String?, limit: Int) throws -> [Candidate]
    /// The candidates among `persons` of an assessment, by person (the ones that are not, absent).
    func candidates(assessment: String, persons: [String]) throws -> [String: Candidate]
    func insertCandidate(assessment: String, person: String, eventID: String) throws
    /// Records candidates' results, all in one write.
    func recordResults(assessment: String, _ results: [CandidateResult], at time: String) throws
}

/// A result to record for a candidate.
public struct CandidateResult: Sendable, Hashable {
    public let person: String
    public let status: CandidateStatus
    public let theory: Int?
    public let practical: Int

    public init(person: String, status: CandidateStatus, theory: Int?, practical: Int) {
        self.person = person
        self.status = status
        self.theory = theory
        self.practical = practical
    }
}

extension AssessmentStore {
    /// One candidate, or nil.
    public func candidate(assessment: String, person: String) throws -> Candidate? {
        try candidates(assessment: assessment, persons: [person])[person]
    }
}

/// Issued certificates and the serial counters of their numbers.
public protocol CertificateStore {
    /// Stores issued certificates, all in one write.
    func insert(_ certificates: [StoredCertificate]) throws
    /// The certificate with this id or number, or nil.
    func certificate(_ idOrNumber: String) throws -> StoredCertificate?
    /// Certificates a worker holds, oldest first.
    func certificates(of person: String) throws -> [CertificateSummary]
    /// Certificates `institution` issued (or every one), optionally of one status, in id order after `cursor`.
    func certificates(institution: String?, status: CertificateStatus?, after cursor: String?, limit: Int) throws -> [CertificateSummary]
    func setStatus(_ id: String, _ status: CertificateStatus) throws
    /// Destroys the sealed identity salts of a person's certificates (their hashed identifiers
    /// can then never be tied to an ID number again).
    func dropIdentitySalts(person: String) throws
    /// Which of these indices an issuer already uses in its revocation and in its suspension list.
    func statusIndicesTaken(institution: String, revocation: [Int], suspension: [Int]) throws -> (revocation: Set<Int>, suspension: Set<Int>)
    /// Keeps a share a holder made of a certificate (only the secret's SHA-256).
    func insertShare(_ share: CertificateShare, sha256: String, eventID: String) throws
    /// The share whose secret hashes to `sha256`, or nil.
    func share(sha256: String) throws -> CertificateShare?
    /// The last serial handed out under a number prefix (0 when none).
    func lastSerial(prefix: String) throws -> Int
    func setLastSerial(_ serial: Int, prefix: String) throws
}

/// The latest signed status list credential of each issuer and purpose.
public protocol StatusListStore {
    /// The list's canonical credential, or nil when the issuer has none yet.
    func statusList(institution: String, purpose: StatusPurpose) throws -> [UInt8]?
    /// Stores (or replaces) a list.
    func saveStatusList(_ credential: [UInt8], institution: String, purpose: StatusPurpose, at time: String) throws
    /// Every stored list, by issuer then purpose.
    func allStatusLists() throws -> [[UInt8]]
}

extension CertificateStore {
    public func insert(_ certificate: StoredCertificate) throws { try insert([certificate]) }
}
