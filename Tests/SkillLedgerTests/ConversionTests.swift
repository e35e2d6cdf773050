import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillLedger
import Testing

@Suite struct ConversionTests {
    @Test func applyPostsOnceAndRevocationReversesIt() throws {
        let b = try IssuedBank()
        let made = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        #expect(made.count == 1 && made[0].tenths == 30 && made[0].ruleVersion == 1 && made[0].evidence == b.certificate.id)
        #expect(try b.ledger.accounts.balances(of: b.person.id).first { $0.account.kind == "academic" }?.tenths == 30)
        let before = try b.bank.snapshot()
        expectCode(.alreadyApplied) { _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician") }
        expectCode(.notPostable) { _ = try b.ledger.conversions.apply(person: b.person.id, rule: "title-engineer") }
        expectCode(.ruleNotFound) { _ = try b.ledger.conversions.apply(person: b.person.id, rule: "nope") }
        expectCode(.invalidField) { _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician", programme: "college-20pct") }
        let notApplicable = expectCode(.notApplicable) { _ = try b.ledger.conversions.apply(person: b.person.id, rule: "kr-gisa") }
        #expect(notApplicable?.message.contains("a 기사 qualification") == true)
        #expect(try b.bank.snapshot() == before)
        // The same certificate converts at another programme, once.
        #expect(try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-college20-electrician").count == 1)
        #expect(try b.ledger.accounts.reconcile().isBalanced)

        // Revoking the certificate reverses both conversions in the same transaction.
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .revoke, reason: "forged documents")
        let conversions = try b.ledger.conversions.conversions(of: b.person.id)
        #expect(conversions.count == 2 && conversions.allSatisfy { !$0.isActive && $0.reversalReason == "certificate revoked: forged documents" })
        #expect(try b.ledger.accounts.balances(of: b.person.id).filter { $0.account.kind == "academic" }.allSatisfy { $0.tenths == 0 })
        #expect(try b.bank.count("events", "type = 'conversion.reversed'") == 2)
        #expect(try b.ledger.accounts.record(of: b.person.id).conversions.count == 2)
        let report = try b.ledger.accounts.reconcile()
        #expect(report.isBalanced, "\(report.problems)")
        // The revoked certificate no longer converts.
        expectCode(.notApplicable) { _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician") }
    }

    @Test func aHigherLevelReplacesTheLowerConversion() throws {
        let b = try IssuedBank()
        _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        let a3 = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: 3)
        try b.ledger.issuance.enrolCandidate(assessment: a3.id, person: b.person.id, override: "test: level-3 eligibility not under test")
        _ = try b.ledger.issuance.recordResult(assessment: a3.id, person: b.person.id, theory: 90, practical: 90)
        let made = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        #expect(made.map(\.tenths) == [40])
        let all = try b.ledger.conversions.conversions(of: b.person.id)
        #expect(all.filter(\.isActive).map(\.tenths) == [40])
        #expect(all.first { !$0.isActive }?.reversalReason?.hasPrefix("replaced by a higher-level certificate") == true)
        #expect(try b.ledger.accounts.balances(of: b.person.id).first { $0.account.kind == "academic" }?.tenths == 40)
        #expect(try b.ledger.accounts.reconcile().isBalanced)
    }

    @Test func eligibilityIsCheckedAtEnrolmentAndOverridesAreLogged() throws {
        let b = try IssuedBank()
        let worker = try b.bank.person(40)
        let refused = expectCode(.notEligible) { try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: worker.id) }
        #expect(refused?.message.contains("8.0 more credits in 6-31-01-03 电工 at level 4") == true)
        // 80 hours of level-4 training (8.0 credits) make the worker eligible.
        let school = try b.bank.school()
        let course = try b.bank.course(school, level: 4, hours: 80)
        let e = try b.ledger.training.enrol(person: worker.id, course: course.id)
        _ = try b.ledger.training.close(enrolment: e.id, as: .completed)
        let pathway = try b.ledger.conversions.pathway(person: worker.id, occupation: "6-31-01-03", level: 4)
        #expect(pathway.outcomes.contains { $0.applies })
        try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: worker.id)
        // Someone without credits can be enrolled by the operator, and the event says why.
        let other = try b.bank.person(41)
        expectCode(.invalidField) { try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: other.id, override: "  ") }
        try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: other.id, override: "10 years as a site electrician, documents checked")
        let event = try #require(try b.ledger.log.events(limit: 10_000).last)
        let value = try JSONParser().parse(event.canonical)
        #expect(value["change"]?["override"] == "10 years as a site electrician, documents checked")
        #expect(value["change"]?["missing"]?.arrayValue?.isEmpty == false)
    }

    @Test func statementIsSignedByTheRegistryAndVerifies() throws {
        let b = try IssuedBank()
        _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        let statement = try b.ledger.accounts.statement(of: b.person.id)
        let text = try statement.prettyString()
        let clear = try b.ledger.registration.revealPerson(b.person.id)
        #expect(!text.contains(clear.name) && !text.contains(clear.idNumber))
        #expect(statement["credentialSubject"]?["conversions"]?.arrayValue?.count == 1)
        let verifier = CredentialVerifier(trustList: try b.ledger.registration.trustList())
        #expect(verifier.verify(credential: statement).isValid)
        guard case .object(var members) = statement else { return }
        members["validFrom"] = "2020-01-01T00:00:00Z"
        #expect(verifier.verify(credential: .object(members)).reasons.contains(.proofInvalid))
    }

    /// Random deposits, issuances, conversions and revocations: balances reconcile, none
    /// goes negative, and no piece of evidence is counted twice in a programme.
    @Test(arguments: [7, 11, 2026])
    func randomSequencesNeverCountTwice(seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        let b = try IssuedBank()
        let school = try b.bank.school()
        let courses = try [5, 4, 3].map { try b.bank.course(school, level: $0, hours: Int.random(in: 40...200, using: &rng)) }
        let people = [b.person] + (try (50..<55).map { try b.bank.person($0) })
        let assessments = try [5, 4, 3].map { try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: $0) }
        let postingRules = ["cert-academic-gdpt-electrician", "cert-academic-college20-electrician", "online-academic-gdpt"]
        for _ in 0..<120 {
            let p = people.randomElement(using: &rng)!
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                if let e = try? b.ledger.training.enrol(person: p.id, course: courses.randomElement(using: &rng)!.id) {
                    _ = try b.ledger.training.close(enrolment: e.id, as: .completed)
                }
            case 1:
                let a = assessments.randomElement(using: &rng)!
                if (try? b.ledger.issuance.enrolCandidate(assessment: a.id, person: p.id, override: "random sequence")) != nil {
                    _ = try b.ledger.issuance.recordResult(assessment: a.id, person: p.id, theory: Int.random(in: 40...100, using: &rng), practical: 80)
                }
            case 2:
                do { _ = try b.ledger.conversions.apply(person: p.id, rule: postingRules.randomElement(using: &rng)!) } catch {
                    #expect([.alreadyApplied, .notApplicable].contains(error.code), "\(error)")
                }
            default:
                if let c = try b.ledger.certificates.certificates(of: p.id).filter({ $0.status == .active }).randomElement(using: &rng) {
                    _ = try b.ledger.certificates.changeStatus(of: c.id, .revoke, reason: "random")
                }
            }
        }
        let report = try b.ledger.accounts.reconcile()
        #expect(report.isBalanced, "\(report.problems)")
        let queue = try DatabaseQueue(path: b.bank.dbPath)
        let twice = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT programme, evidence FROM conversions WHERE status = 'active' GROUP BY 1, 2 HAVING count(*) > 1)")
        }
        #expect(twice == 0)
        let revokedButActive = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM conversions v JOIN certificates c ON c.id = v.evidence WHERE v.status = 'active' AND c.status = 'revoked'")
        }
        #expect(revokedButActive == 0)
        for p in people {
            for balance in try b.ledger.accounts.balances(of: p.id) { #expect(balance.tenths >= 0) }
        }
    }
}
