/// What a store reports for reconciliation: aggregates of the credit ledger and of what
/// explains it. Plain values, so the rules below are tested without a database.
public struct ReconciliationFacts: Sendable {
    /// Every account's balance (postings in minus postings out).
    public var balances: [AccountBalance]
    /// Per event type, the postings written with an event of that type and their total; a
    /// posting whose event is missing counts under nil.
    public var postingsByEventType: [String?: (count: Int, tenths: Int)]
    /// Every enrolment with its status, the course's credits, and the postings that name it as
    /// their reference.
    public var enrolments: [EnrolmentDeposit]
    /// Active conversions: their person, programme and amount.
    public var activeConversions: [(person: String, programme: String, tenths: Int)]
    /// (assessment, person) of every candidate whose result was a pass.
    public var passedCandidates: [AssessmentPerson]
    /// (assessment, person) of every certificate issued from an assessment.
    public var certificatesFromAssessments: [AssessmentPerson]
    /// Events in the ledger.
    public var events: Int

    public struct EnrolmentDeposit: Sendable, Hashable {
        public let enrolmentID: String
        public let personID: String
        public let occupation: String
        public let level: Int
        public let status: EnrolmentStatus
        public let creditTenths: Int
        public let deposits: Int
        public init(enrolmentID: String, personID: String, occupation: String, level: Int, status: EnrolmentStatus, creditTenths: Int, deposits: Int) {
            self.enrolmentID = enrolmentID
            self.personID = personID
            self.occupation = occupation
            self.level = level
            self.status = status
            self.creditTenths = creditTenths
            self.deposits = deposits
        }
    }

    public struct AssessmentPerson: Sendable, Hashable {
        public let assessmentID: String
        public let personID: String
        public init(assessmentID: String, personID: String) {
            self.assessmentID = assessmentID
            self.personID = personID
        }
    }

    public init(
        balances: [AccountBalance], postingsByEventType: [String?: (count: Int, tenths: Int)], enrolments: [EnrolmentDeposit],
        activeConversions: [(person: String, programme: String, tenths: Int)], passedCandidates: [AssessmentPerson],
        certificatesFromAssessments: [AssessmentPerson], events: Int
    ) {
        self.balances = balances
        self.postingsByEventType = postingsByEventType
        self.enrolments = enrolments
        self.activeConversions = activeConversions
        self.passedCandidates = passedCandidates
        self.certificatesFromAssessments = certificatesFromAssessments
        self.events = events
    }
}

/// What must hold between events, postings, balances and certificates.
public enum Reconciliation {
    /// The event types whose transactions may move credits.
    public static let postingEventTypes: Set<String> = ["enrolment.completed", "conversion.applied", "conversion.reversed"]

    /// Checks every invariant and names each one that fails.
    /// 1. No worker's account is negative.
    /// 2. Training balances equal the credits of completed enrolments, recomputed independently.
    /// 3. Each completed enrolment with credit has exactly one deposit; no other enrolment has one.
    /// 4. Each posting is explained by an event of a type that moves credits.
    /// 5. Academic balances equal the active conversions into each programme.
    /// 6. Every account sums to zero overall (what was issued mirrors what was deposited).
    /// 7. A pass and its certificate are one: no pass without a certificate, no certificate
    ///    from an assessment without a recorded pass.
    public static func check(_ facts: ReconciliationFacts) -> ReconciliationReport {
        var problems: [String] = []
        let people = facts.balances.filter { $0.account.ownerKind == "person" }

        let negative = people.filter { $0.tenths < 0 }.count
        if negative > 0 { problems.append("\(negative) worker account(s) have a negative balance") }

        var expected: [AccountKey: Int] = [:]
        for e in facts.enrolments where e.status == .completed && e.creditTenths > 0 {
            expected[.training(person: e.personID, occupation: e.occupation, level: e.level), default: 0] += e.creditTenths
        }
        var mismatched: [String] = []
        var actual: [AccountKey: Int] = [:]
        for b in people where b.account.kind == "training" { actual[b.account] = b.tenths }
        for (key, tenths) in expected where actual[key] != tenths { mismatched.append(key.ownerID) }
        for (key, tenths) in actual where expected[key] == nil && tenths != 0 { mismatched.append(key.ownerID) }
        if !mismatched.isEmpty {
            problems.append("training balances differ from completed enrolments for \(mismatched.count) account(s), e.g. \(mismatched.sorted()[0])")
        }

        let badDeposits = facts.enrolments.filter { $0.deposits != ($0.status == .completed && $0.creditTenths > 0 ? 1 : 0) }.count
        if badDeposits > 0 { problems.append("\(badDeposits) enrolment(s) have a wrong number of credit deposits") }

        let unexplained = facts.postingsByEventType.filter { $0.key.map { !postingEventTypes.contains($0) } ?? true }.reduce(0) { $0 + $1.value.count }
        if unexplained > 0 { problems.append("\(unexplained) posting(s) lack an event that explains them") }

        var converted: [AccountKey: Int] = [:]
        for c in facts.activeConversions { converted[.academic(person: c.person, programme: c.programme), default: 0] += c.tenths }
        let academic = people.filter { $0.account.kind == "academic" && $0.tenths != converted[$0.account, default: 0] }.count
        if academic > 0 { problems.append("\(academic) academic account(s) differ from their active conversions") }

        let net = facts.balances.reduce(0) { $0 + $1.tenths }
        if net != 0 { problems.append("accounts do not sum to zero (net \(Credits.format(net)))") }

        let passes = Set(facts.passedCandidates)
        let issued = Set(facts.certificatesFromAssessments)
        let unissued = passes.subtracting(issued).count
        if unissued > 0 { problems.append("\(unissued) passed result(s) have no certificate") }
        let unearned = facts.certificatesFromAssessments.filter { !passes.contains($0) }.count
        if unearned > 0 { problems.append("\(unearned) certificate(s) lack the pass they were issued for") }

        return ReconciliationReport(
            postings: facts.postingsByEventType.values.reduce(0) { $0 + $1.count }, events: facts.events,
            depositedTenths: facts.postingsByEventType["enrolment.completed"]?.tenths ?? 0, problems: problems)
    }
}

/// The outcome of reconciliation.
public struct ReconciliationReport: Sendable {
    public let postings: Int
    public let events: Int
    /// Training credits deposited by completions (conversions are not counted here).
    public let depositedTenths: Int
    public let problems: [String]
    public var isBalanced: Bool { problems.isEmpty }

    public init(postings: Int, events: Int, depositedTenths: Int, problems: [String]) {
        self.postings = postings
        self.events = events
        self.depositedTenths = depositedTenths
        self.problems = problems
    }

    public var json: JSONValue {
        [
            "postings": .int(postings), "events": .int(events), "deposited": .string(Credits.format(depositedTenths)),
            "balanced": .bool(isBalanced), "problems": .array(problems.map(JSONValue.string)),
        ]
    }
}
