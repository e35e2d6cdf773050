import Foundation
import GRDB
import SkillCore
import SkillLedger
import Testing

@Suite struct CourseTests {
    @Test func creditsFollowTheFramework() throws {
        let bank = try TestBank()
        let school = try bank.school()
        #expect(try bank.course(school).creditTenths == 64)  // HKQF default: 10 h per credit
        #expect(try bank.course(school, framework: "cn-college").creditTenths == 40)  // 16 学时 per 学分
        #expect(try bank.course(school, framework: "ects").creditTenths == 21)  // 30 h per ECTS, floored
        expectCode(.frameworkUnknown) { _ = try bank.course(school, framework: "eqf") }
        expectCode(.frameworkUnknown) { _ = try bank.course(school, framework: "nope") }
    }

    @Test func publishingOutsideTheScopeIsNotAllowed() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let before = try bank.snapshot()
        expectCode(.outOfScope) { _ = try bank.course(school, level: 2) }  // accredited for 5, 4, 3 only
        expectCode(.outOfScope) {
            _ = try bank.ledger.training.publishCourse(.init(institutionID: school.id, title: "焊工", occupation: "6-18-02-04", level: 5, hours: 10))
        }
        expectCode(.outOfScope) {
            _ = try bank.ledger.training.publishCourse(.init(institutionID: school.id, title: "早", occupation: "6-31-01-03", level: 5, hours: 10,
                                                    startsOn: CalendarDate(iso: "2019-12-31")))
        }
        expectCode(.invalidField) { _ = try bank.course(school, hours: 0) }
        expectCode(.invalidField) { _ = try bank.course(school, capacity: 0) }
        expectCode(.levelUnknown) { _ = try bank.course(school, level: 7) }
        expectCode(.institutionNotFound) {
            _ = try bank.ledger.training.publishCourse(.init(institutionID: "ins_x", title: "t", occupation: "6-31-01-03", level: 5, hours: 10))
        }
        _ = try bank.ledger.registration.setInstitutionSuspended(school.id, true)
        let suspended = try bank.snapshot()
        expectCode(.institutionSuspended) { _ = try bank.course(school) }
        #expect(try bank.snapshot() == suspended)
        #expect(suspended["courses"] == before["courses"])
    }

    @Test func scopeWithAnEndDate() throws {
        let bank = try TestBank()
        let i = try bank.ledger.registration.registerInstitution(.init(name: "x", kind: .training, code: TestBank.uscc("52440300MJ0000001"), province: "44"))
        _ = try bank.ledger.registration.accredit(i.id, occupation: "4-10-01-05", levels: [5, 4], from: CalendarDate(iso: "2024-01-01"), until: CalendarDate(iso: "2030-12-31"))
        _ = try bank.ledger.training.publishCourse(.init(institutionID: i.id, title: "养老护理", occupation: "4-10-01-05", level: 5, hours: 40,
                                                endsOn: CalendarDate(iso: "2030-12-31")))
        expectCode(.outOfScope) {
            _ = try bank.ledger.training.publishCourse(.init(institutionID: i.id, title: "养老护理", occupation: "4-10-01-05", level: 5, hours: 40,
                                                    endsOn: CalendarDate(iso: "2031-01-01")))
        }
    }
}

@Suite struct EnrolmentTests {
    @Test func stateMachineAndCredits() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let course = try bank.course(school)
        let p = try bank.person(1)
        let e = try bank.ledger.training.enrol(person: p.id, course: course.id)
        #expect(e.status == .enrolled)
        expectCode(.enrolmentExists) { _ = try bank.ledger.training.enrol(person: p.id, course: course.id) }
        let (done, credited) = try bank.ledger.training.close(enrolment: e.id, as: .completed)
        #expect(done.status == .completed && credited == 64)
        let before = try bank.snapshot()
        expectCode(.transitionInvalid) { _ = try bank.ledger.training.close(enrolment: e.id, as: .completed) }
        expectCode(.transitionInvalid) { _ = try bank.ledger.training.close(enrolment: e.id, as: .withdrawn) }
        expectCode(.transitionInvalid) { _ = try bank.ledger.training.close(enrolment: e.id, as: .enrolled) }
        expectCode(.enrolmentNotFound) { _ = try bank.ledger.training.close(enrolment: "enr_x", as: .completed) }
        #expect(try bank.snapshot() == before)

        let balances = try bank.ledger.accounts.balances(of: p.id)
        #expect(balances.count == 1)
        #expect(balances[0].account == .training(person: p.id, occupation: "6-31-01-03", level: 4))
        #expect(balances[0].tenths == 64)
        #expect(try bank.ledger.accounts.balances(of: school.id).map(\.tenths) == [-64])

        let p2 = try bank.person(2)
        let e2 = try bank.ledger.training.enrol(person: p2.id, course: course.id)
        #expect(try bank.ledger.training.close(enrolment: e2.id, as: .failed).creditedTenths == 0)
        #expect(try bank.ledger.accounts.balances(of: p2.id).isEmpty)

        let record = try bank.ledger.accounts.record(of: p.id)
        #expect(record.training.count == 1 && record.trainingTenths == 64)
        #expect(record.occupationName(record.training[0].course.occupation) == "电工")
        #expect(try bank.ledger.accounts.reconcile().isBalanced)
    }

    @Test func capacityIsEnforcedAndWithdrawalFreesAPlace() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let course = try bank.course(school, capacity: 2)
        let a = try bank.ledger.training.enrol(person: try bank.person(1).id, course: course.id)
        _ = try bank.ledger.training.enrol(person: try bank.person(2).id, course: course.id)
        let third = try bank.person(3)
        let before = try bank.snapshot()
        expectCode(.courseFull) { _ = try bank.ledger.training.enrol(person: third.id, course: course.id) }
        #expect(try bank.snapshot() == before)
        _ = try bank.ledger.training.close(enrolment: a.id, as: .withdrawn)
        _ = try bank.ledger.training.enrol(person: third.id, course: course.id)
        #expect(try bank.ledger.training.course(course.id).enrolled == 2)
    }

    @Test func suspendedInstitutionsAndClosedCourses() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let ended = try bank.ledger.training.publishCourse(.init(
            institutionID: school.id, title: "旧课", occupation: "6-31-01-03", level: 5, hours: 8,
            startsOn: CalendarDate(iso: "2021-01-01"), endsOn: CalendarDate(iso: "2021-02-01")))
        let p = try bank.person(1)
        expectCode(.courseClosed) { _ = try bank.ledger.training.enrol(person: p.id, course: ended.id) }
        expectCode(.personNotFound) { _ = try bank.ledger.training.enrol(person: "per_x", course: ended.id) }
        expectCode(.courseNotFound) { _ = try bank.ledger.training.enrol(person: p.id, course: "crs_x") }
        let course = try bank.course(school)
        let e = try bank.ledger.training.enrol(person: p.id, course: course.id)
        _ = try bank.ledger.registration.setInstitutionSuspended(school.id, true)
        expectCode(.institutionSuspended) { _ = try bank.ledger.training.enrol(person: try bank.person(2).id, course: course.id) }
        expectCode(.institutionSuspended) { _ = try bank.ledger.training.close(enrolment: e.id, as: .completed) }
        // A worker may still withdraw from a suspended institution's course.
        #expect(try bank.ledger.training.close(enrolment: e.id, as: .withdrawn).enrolment.status == .withdrawn)
    }
}

@Suite struct LedgerInvariantTests {
    @Test func everyChangeHasExactlyOneEventAndHistoryIsAppendOnly() throws {
        let bank = try TestBank()
        let school = try bank.school()  // 2 events
        let course = try bank.course(school)  // 1
        let p = try bank.person(1)  // 1
        let e = try bank.ledger.training.enrol(person: p.id, course: course.id)  // 1
        _ = try bank.ledger.training.close(enrolment: e.id, as: .completed)  // 1
        #expect(try bank.count("events") == 7)  // + the registry key made with the bank
        for table in ["institutions", "accreditations", "courses", "people", "enrolments", "postings"] {
            #expect(try bank.count(table, "event_id NOT IN (SELECT id FROM events)") == 0, "\(table)")
        }
        // The completion's event names its posting; the posting points back at the event.
        let event = try #require(try bank.ledger.log.events(limit: 100).last)
        let value = try JSONParser().parse(event.canonical)
        #expect(value["type"]?.stringValue == "enrolment.completed")
        #expect(value["change"]?["posting"]?["amount_tenths"]?.intValue == 64)
        #expect(try value.canonicalBytes() == event.canonical)
        #expect(try bank.count("postings", "event_id = '\(event.id)'") == 1)

        #expect(throws: (any Error).self) { try bank.rawWrite("UPDATE events SET actor = 'mallory'") }
        #expect(throws: (any Error).self) { try bank.rawWrite("DELETE FROM events") }
        #expect(throws: (any Error).self) { try bank.rawWrite("UPDATE postings SET amount_tenths = 1000") }
        #expect(throws: (any Error).self) { try bank.rawWrite("DELETE FROM postings") }
        #expect(try bank.count("events") == 7)
    }

    @Test func reconcileFindsARoguePosting() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let p = try bank.person(1)
        let e = try bank.ledger.training.enrol(person: p.id, course: try bank.course(school).id)
        _ = try bank.ledger.training.close(enrolment: e.id, as: .completed)
        #expect(try bank.ledger.accounts.reconcile().isBalanced)
        // Someone with file access forges credits, tied to an unrelated event.
        try bank.rawWrite("""
            INSERT INTO postings(id, event_id, from_account, to_account, amount_tenths, reference)
            SELECT 'pst_forged', (SELECT id FROM events WHERE type = 'person.registered'),
                   (SELECT id FROM accounts WHERE owner_kind = 'institution'), (SELECT id FROM accounts WHERE owner_kind = 'person'), 500, 'x'
            """)
        let report = try bank.ledger.accounts.reconcile()
        #expect(!report.isBalanced)
        #expect(report.problems.contains { $0.contains("differ from completed enrolments") })
        #expect(report.problems.contains { $0.contains("lack an event") })
    }

    /// Random sequences of enrolments, completions, failures, withdrawals and refused
    /// operations: balances always equal a simple model and the ledger reconciles.
    @Test(arguments: [1, 2, 3, 42])
    func randomOperationSequencesReconcile(seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        let bank = try TestBank()
        let schools = [try bank.school(1), try bank.school(2)]
        var courses: [Course] = []
        for s in schools {
            for level in [5, 4, 3] { courses.append(try bank.course(s, level: level, hours: Int.random(in: 1...120, using: &rng), capacity: 6)) }
        }
        let people = try (1...12).map { try bank.person($0) }
        var open: [String: (person: String, course: Course)] = [:]
        var expected: [String: Int] = [:]  // person/occupation/level → tenths
        var refused = 0
        for _ in 0..<300 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let p = people.randomElement(using: &rng)!
                let c = courses.randomElement(using: &rng)!
                do {
                    let e = try bank.ledger.training.enrol(person: p.id, course: c.id)
                    open[e.id] = (p.id, c)
                } catch {
                    #expect([.enrolmentExists, .courseFull].contains(error.code))
                    refused += 1
                }
            default:
                guard let id = open.keys.sorted().randomElement(using: &rng) else { continue }
                let outcome: EnrolmentStatus = [.completed, .completed, .failed, .withdrawn].randomElement(using: &rng)!
                let (_, credited) = try bank.ledger.training.close(enrolment: id, as: outcome)
                let (person, course) = open.removeValue(forKey: id)!
                #expect(credited == (outcome == .completed ? course.creditTenths : 0))
                if outcome == .completed { expected["\(person)/\(course.occupation)/\(course.level)", default: 0] += course.creditTenths }
                // A closed enrolment can never be closed again.
                expectCode(.transitionInvalid) { _ = try bank.ledger.training.close(enrolment: id, as: .completed) }
            }
        }
        var actual: [String: Int] = [:]
        for p in people {
            for b in try bank.ledger.accounts.balances(of: p.id) {
                #expect(b.tenths >= 0)
                actual["\(p.id)/\(b.account.occupation)/\(b.account.level)"] = b.tenths
            }
        }
        #expect(actual == expected)
        let issued = try schools.flatMap { try bank.ledger.accounts.balances(of: $0.id) }.reduce(0) { $0 + $1.tenths }
        #expect(issued == -expected.values.reduce(0, +))
        let report = try bank.ledger.accounts.reconcile()
        #expect(report.isBalanced, "\(report.problems)")
        #expect(refused > 0)
    }
}
