import Foundation
import SkillCore
import Testing

/// The pure rules, with plain values and no store.
@Suite struct EnrolmentPolicyTests {
    static let today = CalendarDate(iso: "2026-03-01")!
    static let course = Course(
        id: "crs_1", institutionID: "ins_1", title: "电工", occupation: "6-31-01-03", level: 4, hours: 64, framework: "hkqf", creditTenths: 64,
        startsOn: CalendarDate(iso: "2026-01-01")!, endsOn: CalendarDate(iso: "2026-06-30")!, capacity: 2, enrolled: nil, isOnline: false)
    static let day = CalendarDate(iso: "2026-03-01")!

    @Test func anOpenCourseWithRoomAdmits() throws {
        try EnrolmentPolicy.admit(to: Self.course, institutionIsActive: true, existingEnrolment: nil, placesTaken: 1, on: Self.day)
    }

    /// Each refusal, in the order the rule checks them.
    @Test(arguments: [
        (false, nil, 0, "2026-03-01", SkillError.Code.institutionSuspended),
        (true, nil, 0, "2026-07-01", .courseClosed),
        (true, "enr_1", 0, "2026-03-01", .enrolmentExists),
        (true, nil, 2, "2026-03-01", .courseFull),
        (false, "enr_1", 2, "2026-07-01", .institutionSuspended),
        (true, "enr_1", 2, "2026-07-01", .courseClosed),
    ] as [(Bool, String?, Int, String, SkillError.Code)])
    func refusals(active: Bool, existing: String?, taken: Int, day: String, code: SkillError.Code) {
        #expect { try EnrolmentPolicy.admit(to: Self.course, institutionIsActive: active, existingEnrolment: existing, placesTaken: taken, on: CalendarDate(iso: day)!) }
            throws: { ($0 as? SkillError)?.code == code }
    }

    @Test func aCourseWithoutCapacityIsNeverFull() throws {
        let open = Course(
            id: "crs_2", institutionID: "ins_1", title: "电工", occupation: "6-31-01-03", level: 4, hours: 64, framework: "hkqf", creditTenths: 64,
            startsOn: CalendarDate(iso: "2026-01-01")!, endsOn: nil, capacity: nil, enrolled: nil, isOnline: false)
        try EnrolmentPolicy.admit(to: open, institutionIsActive: true, existingEnrolment: nil, placesTaken: 1_000_000, on: CalendarDate(iso: "2099-01-01")!)
    }

    static let enrolment = Enrolment(id: "enr_1", personID: "per_1", courseID: "crs_1", status: .enrolled, enrolledAt: "2026-03-01T00:00:00Z", closedAt: nil)

    @Test func aCompletionDepositsTheCoursesCreditsOnce() throws {
        let closure = try EnrolmentPolicy.close(Self.enrolment, as: .completed, course: Self.course, institutionIsActive: true, postingID: "pst_1", today: Self.today)
        #expect(closure.status == .completed)
        let posting = try #require(closure.posting)
        #expect(posting.from == .issued(institution: "ins_1", occupation: "6-31-01-03", level: 4))
        #expect(posting.to == .training(person: "per_1", occupation: "6-31-01-03", level: 4))
        #expect(posting.tenths == 64 && posting.reference == "enr_1" && posting.id == "pst_1")
        #expect(closure.change["posting"]?["amount_tenths"] == .int(64))
    }

    @Test(arguments: [EnrolmentStatus.failed, .withdrawn])
    func otherOutcomesDepositNothing(_ outcome: EnrolmentStatus) throws {
        let closure = try EnrolmentPolicy.close(Self.enrolment, as: outcome, course: Self.course, institutionIsActive: true, postingID: "pst_1", today: Self.today)
        #expect(closure.status == outcome && closure.posting == nil && closure.change["posting"] == nil)
    }

    @Test func transitionsOnlyGoForwardFromEnrolled() {
        for from in EnrolmentStatus.allCases {
            for to in EnrolmentStatus.allCases {
                #expect(from.canMove(to: to) == (from == .enrolled && to != .enrolled), "\(from) → \(to)")
            }
        }
        let closed = Enrolment(id: "enr_1", personID: "per_1", courseID: "crs_1", status: .completed, enrolledAt: "", closedAt: "")
        #expect { try EnrolmentPolicy.close(closed, as: .withdrawn, course: Self.course, institutionIsActive: true, postingID: "p", today: Self.today) }
            throws: { ($0 as? SkillError)?.code == .transitionInvalid }
        #expect { try EnrolmentPolicy.close(Self.enrolment, as: .enrolled, course: Self.course, institutionIsActive: true, postingID: "p", today: Self.today) }
            throws: { ($0 as? SkillError)?.code == .transitionInvalid }
    }

    /// A suspended institution records no result, but a worker may still withdraw.
    @Test func aSuspendedInstitutionLetsWorkersWithdrawOnly() throws {
        for outcome in [EnrolmentStatus.completed, .failed] {
            #expect { try EnrolmentPolicy.close(Self.enrolment, as: outcome, course: Self.course, institutionIsActive: false, postingID: "p", today: Self.today) }
                throws: { ($0 as? SkillError)?.code == .institutionSuspended }
        }
        #expect(try EnrolmentPolicy.close(Self.enrolment, as: .withdrawn, course: Self.course, institutionIsActive: false, postingID: "p", today: Self.today).status == .withdrawn)
        // Before the course starts: no completion and no failure, but a withdrawal.
        let early = CalendarDate(iso: "2025-12-31")!
        for outcome in [EnrolmentStatus.completed, .failed] {
            #expect(throws: SkillError.self) { try EnrolmentPolicy.close(Self.enrolment, as: outcome, course: Self.course, institutionIsActive: true, postingID: "p", today: early) }
        }
        do {
            _ = try EnrolmentPolicy.close(Self.enrolment, as: .completed, course: Self.course, institutionIsActive: true, postingID: "p", today: early)
            Issue.record("a completion before the course starts was accepted")
        } catch {
            #expect(error.code == .courseNotStarted && error.message.contains("starts on 2026-01-01"))
        }
        #expect(try EnrolmentPolicy.close(Self.enrolment, as: .withdrawn, course: Self.course, institutionIsActive: true, postingID: "p", today: early).status == .withdrawn)
    }

    @Test func aCreditlessCourseDepositsNothing() throws {
        let free = Course(
            id: "crs_3", institutionID: "ins_1", title: "讲座", occupation: "6-31-01-03", level: 4, hours: 1, framework: "hkqf", creditTenths: 0,
            startsOn: CalendarDate(iso: "2026-01-01")!, endsOn: nil, capacity: nil, enrolled: nil, isOnline: false)
        #expect(try EnrolmentPolicy.close(Self.enrolment, as: .completed, course: free, institutionIsActive: true, postingID: "p", today: Self.today).posting == nil)
    }
}

@Suite struct CertificateStatusMachineTests {
    static func certificate(_ id: String, _ status: CertificateStatus, twin: String? = nil, issuer: String = "ins_A", index: Int = 10) -> StoredCertificate {
        StoredCertificate(
            summary: CertificateSummary(id: id, number: "N-\(id)", kind: "skill-level-certificate", institutionID: issuer, personID: "per_1",
                                        occupation: "6-31-01-03", level: 4, issuedAt: "2026-12-06T00:00:00Z", status: status, twinID: twin),
            assessmentID: "asm_1", keyID: "key_1", revocationIndex: index, suspensionIndex: index + 1, saltCiphertext: [], credential: [], eventID: "evt_1")
    }

    static func conversion(_ id: String, evidence: String, active: Bool = true) -> ConversionRecord {
        ConversionRecord(id: id, personID: "per_1", ruleID: "r", ruleVersion: 1, family: .certificateToAcademic, programme: "p", evidence: evidence,
                         tenths: 30, postingID: "pst_\(id)", isActive: active, reversalReason: nil)
    }

    /// Every status × change: what moves, and what is refused.
    @Test(arguments: CertificateStatus.allCases, StatusChange.allCases)
    func theMachine(_ status: CertificateStatus, _ change: StatusChange) {
        let allowed: Bool = switch (status, change) {
        case (.revoked, _): false
        case (.active, .suspend), (.active, .revoke), (.suspended, .revoke), (.suspended, .reinstate): true
        default: false
        }
        let result = Result { () throws(SkillError) in try CertificateStatusMachine.cascade(change, of: Self.certificate("crt_1", status), twin: nil, activeConversions: []) }
        switch result {
        case .success(let cascade):
            #expect(allowed, "\(status) → \(change) should be refused")
            #expect(cascade.transitions.map(\.to) == [change.target] && cascade.transitions.map(\.from) == [status])
        case .failure(let error):
            #expect(!allowed, "\(status) → \(change) should be allowed")
            #expect(error.code == .transitionInvalid)
        }
    }

    /// Revoking one of a 一试双证 pair revokes both, reverses the conversions made from either,
    /// and names the bits of both issuers' lists.
    @Test func revocationCascadesToTheTwinTheConversionsAndBothIssuersLists() throws {
        let domestic = Self.certificate("crt_1", .suspended, twin: "crt_2", issuer: "ins_A", index: 10)
        let twin = Self.certificate("crt_2", .suspended, twin: "crt_1", issuer: "ins_B", index: 20)
        let conversions = [
            Self.conversion("cnv_1", evidence: "crt_1"), Self.conversion("cnv_2", evidence: "crt_2"),
            Self.conversion("cnv_3", evidence: "crt_9"), Self.conversion("cnv_4", evidence: "crt_1", active: false),
        ]
        let cascade = try CertificateStatusMachine.cascade(.revoke, of: domestic, twin: twin, activeConversions: conversions)
        #expect(cascade.transitions.map(\.certificate.summary.id) == ["crt_1", "crt_2"])
        #expect(cascade.transitions.map(\.viaTwin) == [false, true])
        #expect(cascade.transitions.allSatisfy { $0.from == .suspended && $0.to == .revoked })
        #expect(cascade.conversionsToReverse.map(\.id) == ["cnv_1", "cnv_2"])
        #expect(cascade.issuers == ["ins_A", "ins_B"])
        // Revoked: the revocation bit set, the suspension bit cleared, and the message entry (at the
        // revocation index) 1 = revoked, in each issuer's lists.
        #expect(Set(cascade.bits) == [
            .init(institutionID: "ins_A", purpose: .revocation, index: 10, value: 1), .init(institutionID: "ins_A", purpose: .suspension, index: 11, value: 0),
            .init(institutionID: "ins_A", purpose: .message, index: 10, value: 1),
            .init(institutionID: "ins_B", purpose: .revocation, index: 20, value: 1), .init(institutionID: "ins_B", purpose: .suspension, index: 21, value: 0),
            .init(institutionID: "ins_B", purpose: .message, index: 20, value: 1),
        ])
    }

    @Test func suspensionReversesNothingAndAlreadyRevokedTwinsStayRevoked() throws {
        let cascade = try CertificateStatusMachine.cascade(
            .suspend, of: Self.certificate("crt_1", .active, twin: "crt_2"), twin: Self.certificate("crt_2", .revoked, twin: "crt_1"),
            activeConversions: [Self.conversion("cnv_1", evidence: "crt_1")])
        #expect(cascade.transitions.map(\.certificate.summary.id) == ["crt_1"])
        #expect(cascade.conversionsToReverse.isEmpty)
        #expect(cascade.bits.filter(\.isSet).map(\.purpose) == [.suspension, .message])
        #expect(cascade.bits.first { $0.purpose == .message }?.value == 2)
    }
}

@Suite struct NumberingAndMarkingTests {
    static let evaluator = Institution(
        id: "ins_A", name: "甲", kind: .social, code: "X", province: "44", isSuspended: false, registeredAt: "", accreditations: [],
        evaluatorCode: "0012", siteSequence: "000007", keys: [])

    @Test func numbersArePrefixedByIssuerYearAndLevelAndCountUp() throws {
        let parts = CertificateNumbering.parts(issuer: Self.evaluator, level: 4, year: 2026)
        #expect(CertificateNumbering.prefix(parts) == "S00124400000726" + "4")
        #expect(try CertificateNumbering.nextSerial(after: 0, prefix: "p") == 1)
        #expect(try CertificateNumbering.nextSerial(after: 41, prefix: "p") == 42)
        #expect(CertificateNumbering.serialText(42) == "000042")
        let employer = Institution(id: "ins_B", name: "乙", kind: .employer, code: "Y", province: "11", isSuspended: false, registeredAt: "",
                                   accreditations: [], evaluatorCode: "0000", siteSequence: "000001", keys: [])
        #expect(CertificateNumbering.prefix(CertificateNumbering.parts(issuer: employer, level: 5, year: 2031)) == "Y000011000001315")
    }

    @Test func serialsRunOutAtSixDigitsWithTheirOwnCode() {
        #expect(throws: Never.self) { _ = try CertificateNumbering.nextSerial(after: 999_998, prefix: "p") }
        #expect { try CertificateNumbering.nextSerial(after: 999_999, prefix: "p") } throws: { ($0 as? SkillError)?.code == .serialsExhausted }
    }

    static let skill = Assessment(
        id: "asm_1", institutionID: "ins_A", kind: .skill, occupation: "6-31-01-03", level: 4, workType: nil, dualMapping: nil, theoryPassMark: 60,
        practicalPassMark: 60, scheduledAt: "")
    static let special = Assessment(
        id: "asm_2", institutionID: "ins_A", kind: .special, occupation: "6-31-01-03", level: nil, workType: nil, dualMapping: nil, theoryPassMark: nil,
        practicalPassMark: 70, scheduledAt: "")

    @Test(arguments: [(60, 60, true), (59, 100, false), (100, 59, false), (100, 100, true)] as [(Int, Int, Bool)])
    func bothPartsMustPass(theory: Int, practical: Int, passes: Bool) throws {
        try Self.skill.validate(theory: theory, practical: practical)
        #expect(Self.skill.passes(theory: theory, practical: practical) == passes)
    }

    @Test func aPracticalOnlyAssessmentIgnoresTheoryAndScoresAreBounded() throws {
        try Self.special.validate(theory: nil, practical: 70)
        #expect(Self.special.passes(theory: nil, practical: 70) && !Self.special.passes(theory: nil, practical: 69))
        #expect { try Self.skill.validate(theory: nil, practical: 80) } throws: { ($0 as? SkillError)?.field == "theory" }
        #expect { try Self.skill.validate(theory: 101, practical: 80) } throws: { ($0 as? SkillError)?.field == "theory" }
        #expect { try Self.skill.validate(theory: 80, practical: -1) } throws: { ($0 as? SkillError)?.field == "practical" }
    }
}

@Suite struct ReconciliationTests {
    static let person = "per_1"
    static let training = AccountKey.training(person: "per_1", occupation: "6-31-01-03", level: 4)
    static let issued = AccountKey.issued(institution: "ins_1", occupation: "6-31-01-03", level: 4)
    static let academic = AccountKey.academic(person: "per_1", programme: "p1")
    static let recognised = AccountKey.recognised(programme: "p1")

    /// A ledger where everything agrees: one completion of 6.4 credits, one conversion of 3.
    static func balanced() -> ReconciliationFacts {
        ReconciliationFacts(
            balances: [.init(account: training, tenths: 64), .init(account: issued, tenths: -64), .init(account: academic, tenths: 30),
                       .init(account: recognised, tenths: -30)],
            postingsByEventType: ["enrolment.completed": (1, 64), "conversion.applied": (1, 30)],
            enrolments: [.init(enrolmentID: "enr_1", personID: person, occupation: "6-31-01-03", level: 4, status: .completed, creditTenths: 64, deposits: 1),
                         .init(enrolmentID: "enr_2", personID: person, occupation: "6-31-01-03", level: 4, status: .failed, creditTenths: 64, deposits: 0)],
            activeConversions: [(person: person, programme: "p1", tenths: 30)],
            passedCandidates: [.init(assessmentID: "asm_1", personID: person)],
            certificatesFromAssessments: [.init(assessmentID: "asm_1", personID: person), .init(assessmentID: "asm_1", personID: person)], events: 9)
    }

    @Test func aConsistentLedgerReconciles() {
        let report = Reconciliation.check(Self.balanced())
        #expect(report.isBalanced, "\(report.problems)")
        #expect(report.postings == 2 && report.depositedTenths == 64 && report.events == 9)
    }

    /// Each invariant, broken on its own, is named.
    @Test(arguments: [
        "negative", "training", "deposits", "unexplained", "academic", "net", "unissued", "unearned",
    ])
    func eachBrokenInvariantIsNamed(_ broken: String) {
        var facts = Self.balanced()
        let expected: String
        switch broken {
        case "negative":
            facts.balances += [.init(account: .training(person: "per_2", occupation: "x", level: 1), tenths: -5), .init(account: Self.issued, tenths: 5)]
            expected = "negative balance"
        case "training":
            facts.enrolments[0] = .init(enrolmentID: "enr_1", personID: Self.person, occupation: "6-31-01-03", level: 4, status: .completed, creditTenths: 70, deposits: 1)
            expected = "training balances differ"
        case "deposits":
            facts.enrolments[1] = .init(enrolmentID: "enr_2", personID: Self.person, occupation: "6-31-01-03", level: 4, status: .failed, creditTenths: 64, deposits: 1)
            expected = "wrong number of credit deposits"
        case "unexplained":
            facts.postingsByEventType[nil] = (1, 5)
            expected = "lack an event"
        case "academic":
            facts.activeConversions = []
            expected = "academic account"
        case "net":
            facts.balances[1] = .init(account: Self.issued, tenths: -60)
            expected = "do not sum to zero"
        case "unissued":
            facts.certificatesFromAssessments = []
            expected = "have no certificate"
        default:
            facts.passedCandidates = []
            expected = "lack the pass"
        }
        let report = Reconciliation.check(facts)
        #expect(!report.isBalanced)
        #expect(report.problems.contains { $0.contains(expected) }, "\(report.problems)")
    }
}
