import Foundation
import SkillCore
import SkillLedger
import Testing

/// Subsidies end to end on a bank: insurance import by blind index, claims decided by the
/// engine, approval posting once, payment batches, recovery on revocation, notices.
@Suite struct SubsidyTests {
    /// Writes an insurance CSV for fixture people `numbers` with `months` each.
    func insuranceFile(_ b: IssuedBank, _ rows: [(Int, Int)], benefit: String = "no", asOf: String = "2026-11-30") throws -> URL {
        let url = b.bank.folder.appendingPathComponent("insurance-\(UUID().uuidString).csv")
        let lines = ["id_type,id_number,months,as_of,benefit"] + rows.map { "resident,\(TestBank.residentID($0.0)),\($0.1),\(asOf),\(benefit)" }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func aClaimIsDecidedApprovedPaidOnceAndRecoveredOnRevocation() throws {
        let b = try IssuedBank()
        let s = b.ledger.subsidies
        // Without insurance figures the engine refuses, naming the rule.
        let refused = expectCode(.subsidyRefused) { _ = try s.apply(person: b.person.id, programme: "skill-upgrade", evidence: b.certificate.id) }
        #expect(refused?.field == "skill-upgrade.insured-12-months")

        // The import keeps the figures against the blind index only, and matches the registered worker.
        let report = try s.importInsurance(from: try insuranceFile(b, [(7, 26), (999, 40)]))
        #expect(report.committed && report.imported == 2 && report.created.map(\.id) == [b.person.id])
        #expect(try b.bank.count("insurance_records") == 2)
        #expect(try b.bank.rawString("SELECT count(*) FROM insurance_records WHERE CAST(id_index AS TEXT) LIKE '%\(TestBank.residentID(7))%'") == "0")
        // The worker is told they can claim.
        let inbox = try b.ledger.notices.notices(of: b.person.id)
        let offer = try #require(inbox.notices.first { $0.notice.kind == .eligibleSubsidy })
        #expect(offer.en.contains("up to 1500.00 yuan") && offer.zh.contains("技能提升补贴") && offer.en.contains("as of 2026-11-30"))

        let decision = try s.decide(person: b.person.id, programme: "skill-upgrade", evidence: b.certificate.id)
        #expect(decision.applies && decision.amountFen == 150_000)
        let claim = try s.apply(person: b.person.id, programme: "skill-upgrade", evidence: b.certificate.id)
        #expect(claim.status == .pending && claim.amountFen == 150_000 && claim.payee == b.person.id)
        // The same claim again is refused by the once-only rule, and nothing is written.
        let before = try b.bank.count("subsidy_claims")
        let twice = expectCode(.subsidyRefused) { _ = try s.apply(person: b.person.id, programme: "skill-upgrade", evidence: b.certificate.id) }
        #expect(twice?.field == "skill-upgrade.once-per-occupation-level")
        #expect(try b.bank.count("subsidy_claims") == before)

        let approved = try s.approve(claim.id)
        #expect(approved.status == .approved)
        expectCode(.transitionInvalid) { _ = try s.approve(claim.id) }
        expectCode(.transitionInvalid) { _ = try s.reject(claim.id, reason: "late") }
        #expect(try b.bank.count("subsidy_postings") == 1)

        let (batch, csv) = try s.exportBatch()
        #expect(batch.claims == 1 && batch.totalFen == 150_000)
        #expect(csv.contains("\(claim.id),skill-upgrade,\(b.person.id),worker,1500.00,\(b.certificate.id),"))
        #expect(!csv.contains(TestBank.residentID(7)) && !csv.contains("李明"))
        // Each claim is in one batch only.
        expectCode(.nothingToPay) { _ = try s.exportBatch() }
        #expect(try s.claim(claim.id).status == .paid && s.claim(claim.id).batchID == batch.id)
        #expect(try s.reconcile().isEmpty)

        // Revoking the certificate flags the paid claim for recovery with a compensating entry.
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .revoke, reason: "forged documents")
        let recovered = try s.claim(claim.id)
        #expect(recovered.status == .recoveryDue && recovered.reason?.contains("forged documents") == true)
        #expect(try b.bank.count("subsidy_postings", "from_account = 'recoverable:\(b.person.id)'") == 1)
        #expect(try s.reconcile().isEmpty)
        let kinds = try b.ledger.notices.notices(of: b.person.id).notices.map(\.notice.kind)
        #expect(kinds.contains(.claimRecoveryDue) && kinds.contains(.certificateRevoked) && kinds.contains(.claimApproved))
        #expect(try b.bank.count("events", "type = 'subsidy.recovery-due'") == 1)
    }

    @Test func approvedButUnpaidIsCancelledAndPendingIsRejectedOnRevocation() throws {
        let b = try IssuedBank()
        let s = b.ledger.subsidies
        _ = try s.importInsurance(from: try insuranceFile(b, [(7, 3)], benefit: "yes"))
        let claim = try s.apply(person: b.person.id, programme: "skill-upgrade", evidence: b.certificate.id)
        _ = try s.approve(claim.id, reason: "checked")
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .revoke, reason: "error in the exam record")
        #expect(try s.claim(claim.id).status == .cancelled)
        #expect(try b.bank.count("subsidy_postings", "to_account = 'fund:skill-upgrade' AND from_account = 'payable:\(b.person.id)'") == 1)
        #expect(try s.reconcile().isEmpty)
        // A cancelled claim is not paid.
        expectCode(.nothingToPay) { _ = try s.exportBatch() }

        let c = try IssuedBank()
        _ = try c.ledger.subsidies.importInsurance(from: try insuranceFile(c, [(7, 30)]))
        let pending = try c.ledger.subsidies.apply(person: c.person.id, programme: "skill-upgrade", evidence: c.certificate.id)
        _ = try c.ledger.certificates.changeStatus(of: c.certificate.id, .revoke, reason: "withdrawn")
        #expect(try c.ledger.subsidies.claim(pending.id).status == .rejected)
        #expect(try c.ledger.subsidies.reconcile().isEmpty)
    }

    @Test func aLowerLevelAfterAHigherOneIsRefusedAndRejectionNeedsAReason() throws {
        let b = try IssuedBank(level: 3)
        let s = b.ledger.subsidies
        _ = try s.importInsurance(from: try insuranceFile(b, [(7, 20)]))
        let high = try s.apply(person: b.person.id, programme: "skill-upgrade", evidence: b.certificate.id)
        _ = try s.approve(high.id)
        // A level-4 certificate of the same occupation afterwards.
        let a4 = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: 4)
        try b.ledger.issuance.enrolCandidate(assessment: a4.id, person: b.person.id, override: "test")
        let low = try b.ledger.issuance.recordResult(assessment: a4.id, person: b.person.id, theory: 80, practical: 80).certificates[0]
        let refused = expectCode(.subsidyRefused) { _ = try s.apply(person: b.person.id, programme: "skill-upgrade", evidence: low.id) }
        #expect(refused?.field == "skill-upgrade.no-lower-after-higher")
        expectCode(.invalidField) { _ = try s.reject(high.id, reason: " ") }
        expectCode(.claimNotFound) { _ = try s.approve("clm_nope") }
        expectCode(.programmeNotFound) { _ = try s.apply(person: b.person.id, programme: "nope", evidence: low.id) }
    }

    @Test func insuranceImportReportsBadRowsAndWritesNothing() throws {
        let b = try IssuedBank()
        let url = b.bank.folder.appendingPathComponent("bad.csv")
        try """
            id_type,id_number,months,as_of,benefit
            resident,\(TestBank.residentID(7)),12,2026-11-30,no
            resident,123,12,2026-11-30,no
            resident,\(TestBank.residentID(8)),twelve,2026-11-30,no
            resident,\(TestBank.residentID(9)),12,2026-02-30,no
            resident,\(TestBank.residentID(10)),12,2026-11-30,maybe
            """.write(to: url, atomically: true, encoding: .utf8)
        let report = try b.ledger.subsidies.importInsurance(from: url)
        #expect(!report.committed && report.problems.map(\.column) == ["id_number", "months", "as_of", "benefit"])
        #expect(report.problems.map(\.line) == [3, 4, 5, 6])
        #expect(report.problems.allSatisfy { !$0.message.contains(TestBank.residentID(8)) })
        #expect(try b.bank.count("insurance_records") == 0 && b.bank.count("events", "type = 'insurance.imported'") == 0)
    }

    @Test func trainingSubsidyIsClaimedByTheInstitutionThatTrained() throws {
        let b = try IssuedBank()
        let school = try b.bank.school()
        let course = try b.bank.course(school, level: 5, hours: 40)
        let enrolment = try b.ledger.training.enrol(person: b.person.id, course: course.id)
        _ = try b.ledger.training.close(enrolment: enrolment.id, as: .completed)
        let other = try b.bank.school(2)
        expectCode(.forbidden) {
            _ = try b.ledger.subsidies.apply(person: b.person.id, programme: "subsidised-training", evidence: enrolment.id, onlyFor: other.id)
        }
        let claim = try b.ledger.subsidies.apply(person: b.person.id, programme: "subsidised-training", evidence: enrolment.id, onlyFor: school.id)
        #expect(claim.payee == school.id && claim.amountFen == 80_000)
        _ = try b.ledger.subsidies.approve(claim.id)
        let (_, csv) = try b.ledger.subsidies.exportBatch(programme: "subsidised-training")
        #expect(csv.contains(",\(school.id),institution,800.00,"))
        #expect(try b.ledger.subsidies.reconcile().isEmpty)
    }
}
