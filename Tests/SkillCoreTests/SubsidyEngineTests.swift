import Foundation
import SkillCore
import Testing

/// Each rule of the skill-upgrade and training subsidies, true and false, on plain values.
@Suite struct SubsidyEngineTests {
    let standards: Standards
    let engine: SubsidyEngine
    let today = CalendarDate(iso: "2026-06-01")!

    init() throws {
        standards = try Standards.load(directory: standardsDirectory)
        engine = SubsidyEngine(programmes: standards.subsidies)
    }

    var upgrade: SubsidyProgramme { engine.programme("skill-upgrade")! }
    var training: SubsidyProgramme { engine.programme("subsidised-training")! }

    func cert(_ id: String, occupation: String = "6-31-01-03", level: Int? = 4, issued: String = "2026-03-01", active: Bool = true,
              kind: String = "skill-level-certificate") -> LearningRecord.Certificate {
        .init(id: id, number: "N-\(id)", kind: kind, occupation: occupation, level: level, issuedOn: CalendarDate(iso: issued)!, isActive: active)
    }

    func claim(_ id: String, programme: String = "skill-upgrade", evidence: String = "crt_old", occupation: String = "6-31-01-03", level: Int = 4,
               status: SubsidyClaimStatus = .approved, applied: String = "2026-02-01") -> SubsidyClaim {
        SubsidyClaim(id: id, programme: programme, personID: "per_x", payee: "per_x", evidence: evidence, occupation: occupation, level: level,
                     amountFen: 100, status: status, appliedOn: CalendarDate(iso: applied)!, appliedAt: applied + "T00:00:00Z", decision: [:])
    }

    func facts(certificates: [LearningRecord.Certificate] = [], completions: [SubsidyFacts.Completion] = [],
               insurance: InsuranceStanding? = InsuranceStanding(months: 24, receivesBenefit: false, asOf: CalendarDate(iso: "2026-05-01")!),
               claims: [SubsidyClaim] = [], on day: String = "2026-06-01") -> SubsidyFacts {
        SubsidyFacts(personID: "per_x", certificates: certificates, completions: completions, insurance: insurance, claims: claims, asOf: CalendarDate(iso: day)!)
    }

    /// The verdict of one rule on a claim against `crt_1`.
    func verdict(_ rule: String, _ f: SubsidyFacts, programme: SubsidyProgramme? = nil, evidence: String = "crt_1") -> Bool? {
        engine.decide(programme ?? upgrade, evidence: evidence, f).checks.first { $0.rule == rule }?.passed
    }

    @Test func aSoundClaimPassesEveryRuleAndPaysByLevel() {
        for (level, fen) in [(5, 100_000), (4, 150_000), (3, 200_000)] {
            let d = engine.decide(upgrade, evidence: "crt_1", facts(certificates: [cert("crt_1", level: level)]))
            #expect(d.applies, "\(d.checks.filter { !$0.passed })")
            #expect(d.amountFen == fen && d.checks.count == upgrade.rules.count && d.insuranceAsOf == CalendarDate(iso: "2026-05-01"))
        }
        // Levels 2 and 1 are not in the national table.
        let high = engine.decide(upgrade, evidence: "crt_1", facts(certificates: [cert("crt_1", level: 2)]))
        #expect(!high.applies && high.refusedBy?.rule == "skill-upgrade.amount")
    }

    @Test(arguments: [
        // (rule, facts, passes)
        ("insured-12-months", 12, false, true), ("insured-12-months", 11, false, false), ("insured-12-months", 3, true, true),
    ])
    func insuranceMonthsOrBenefit(_ rule: String, months: Int, benefit: Bool, passes: Bool) {
        let f = facts(certificates: [cert("crt_1")], insurance: InsuranceStanding(months: months, receivesBenefit: benefit, asOf: today))
        #expect(verdict("skill-upgrade.\(rule)", f) == passes)
    }

    @Test func noInsuranceRecordRefusesAndSaysSo() {
        let d = engine.decide(upgrade, evidence: "crt_1", facts(certificates: [cert("crt_1")], insurance: nil))
        #expect(d.refusedBy?.rule == "skill-upgrade.insured-12-months" && d.refusedBy!.says.contains("no unemployment-insurance record"))
    }

    @Test func certificateKindAndStatus() {
        #expect(verdict("skill-upgrade.certificate", facts(certificates: [cert("crt_1")])) == true)
        #expect(verdict("skill-upgrade.certificate", facts(certificates: [cert("crt_1", kind: "vocational-qualification-legacy")])) == true)
        #expect(verdict("skill-upgrade.certificate", facts(certificates: [cert("crt_1", kind: "training-record")])) == false)
        #expect(verdict("skill-upgrade.certificate", facts(certificates: [cert("crt_1", active: false)])) == false)
        #expect(verdict("skill-upgrade.certificate", facts(certificates: [])) == false)
    }

    @Test func policyPeriodIsDated() {
        #expect(verdict("skill-upgrade.period", facts(certificates: [cert("crt_1")], on: "2024-06-01")) == true)
        #expect(verdict("skill-upgrade.period", facts(certificates: [cert("crt_1")], on: "2027-12-31")) == true)
        #expect(verdict("skill-upgrade.period", facts(certificates: [cert("crt_1")], on: "2023-12-31")) == false)
        #expect(verdict("skill-upgrade.period", facts(certificates: [cert("crt_1")], on: "2028-01-01")) == false)
        let check = engine.decide(upgrade, evidence: "crt_1", facts(certificates: [cert("crt_1")])).checks.first { $0.rule == "skill-upgrade.period" }!
        #expect(check.says.contains("illustrative"))
    }

    @Test func applyWithinTwelveMonthsIsALocalRuleMarkedUnverified() {
        #expect(verdict("skill-upgrade.apply-within-12-months", facts(certificates: [cert("crt_1", issued: "2025-06-01")])) == true)
        #expect(verdict("skill-upgrade.apply-within-12-months", facts(certificates: [cert("crt_1", issued: "2025-05-31")])) == false)
        let rule = upgrade.rules.first { $0.id == "skill-upgrade.apply-within-12-months" }!
        #expect(rule.status == .unverified && rule.source.contains("jwbk.com"))
    }

    @Test func atMostThreeClaimsAYear() {
        let others = (1...3).map { claim("clm_\($0)", evidence: "crt_o\($0)", occupation: "0-00-00-0\($0)") }
        #expect(verdict("skill-upgrade.three-per-year", facts(certificates: [cert("crt_1")], claims: Array(others.prefix(2)))) == true)
        #expect(verdict("skill-upgrade.three-per-year", facts(certificates: [cert("crt_1")], claims: others)) == false)
        // Last year's claims and refused ones do not count.
        let lastYear = others.map { claim($0.id, evidence: $0.evidence, occupation: $0.occupation, applied: "2025-12-31") }
        #expect(verdict("skill-upgrade.three-per-year", facts(certificates: [cert("crt_1")], claims: lastYear)) == true)
        let rejected = others.map { claim($0.id, evidence: $0.evidence, occupation: $0.occupation, status: .rejected) }
        #expect(verdict("skill-upgrade.three-per-year", facts(certificates: [cert("crt_1")], claims: rejected)) == true)
    }

    @Test func theSameOccupationAndLevelOnce() {
        #expect(verdict("skill-upgrade.once-per-occupation-level", facts(certificates: [cert("crt_1")], claims: [claim("clm_1")])) == false)
        #expect(verdict("skill-upgrade.once-per-occupation-level", facts(certificates: [cert("crt_1")], claims: [claim("clm_1", level: 5)])) == true)
        #expect(verdict("skill-upgrade.once-per-occupation-level",
                        facts(certificates: [cert("crt_1")], claims: [claim("clm_1", status: .cancelled)])) == true)
    }

    @Test func noLowerLevelAfterAHigherOne() {
        // Level 3 (高级) was subsidised: level 4 of the same occupation is not.
        #expect(verdict("skill-upgrade.no-lower-after-higher", facts(certificates: [cert("crt_1", level: 4)], claims: [claim("clm_1", level: 3)])) == false)
        // A lower level first, then the higher one, is fine; so is another occupation.
        #expect(verdict("skill-upgrade.no-lower-after-higher", facts(certificates: [cert("crt_1", level: 3)], claims: [claim("clm_1", level: 4)])) == true)
        #expect(verdict("skill-upgrade.no-lower-after-higher",
                        facts(certificates: [cert("crt_1", level: 4)], claims: [claim("clm_1", occupation: "4-10-03-01", level: 3)])) == true)
    }

    @Test func notTogetherWithATrainingSubsidyForTheSameTraining() {
        let trainingClaim = claim("clm_t", programme: "subsidised-training", evidence: "enr_1", status: .paid)
        #expect(verdict("skill-upgrade.not-with-training-subsidy", facts(certificates: [cert("crt_1")], claims: [trainingClaim])) == false)
        #expect(verdict("skill-upgrade.not-with-training-subsidy", facts(certificates: [cert("crt_1", level: 5)], claims: [trainingClaim])) == true)
        // And the other way round.
        let completion = SubsidyFacts.Completion(enrolmentID: "enr_1", institutionID: "ins_1", occupation: "6-31-01-03", level: 4)
        let upgradeClaim = claim("clm_u", evidence: "crt_1")
        #expect(verdict("subsidised-training.not-with-skill-upgrade", facts(completions: [completion], claims: [upgradeClaim]), programme: training,
                        evidence: "enr_1") == false)
        #expect(verdict("subsidised-training.not-with-skill-upgrade", facts(completions: [completion]), programme: training, evidence: "enr_1") == true)
    }

    @Test func trainingSubsidyPaysPerCompletionOnce() {
        let completion = SubsidyFacts.Completion(enrolmentID: "enr_1", institutionID: "ins_1", occupation: "6-31-01-03", level: 4)
        let d = engine.decide(training, evidence: "enr_1", facts(completions: [completion], insurance: nil))
        #expect(d.applies && d.amountFen == 120_000)
        #expect(verdict("subsidised-training.completed", facts(), programme: training, evidence: "enr_1") == false)
        let again = claim("clm_t", programme: "subsidised-training", evidence: "enr_1")
        #expect(verdict("subsidised-training.once-per-enrolment", facts(completions: [completion], claims: [again]), programme: training,
                        evidence: "enr_1") == false)
        #expect(training.status == .illustrative)
    }

    @Test func optionsListEveryClaimableEvidence() {
        let f = facts(certificates: [cert("crt_1"), cert("crt_2", level: 3, issued: "2026-04-01"), cert("crt_3", level: nil, kind: "special-capability-certificate")])
        let options = engine.options(f)
        #expect(Set(options.map(\.evidence)) == ["crt_1", "crt_2"])
        #expect(options.allSatisfy { $0.applies })
    }

    @Test func reconciliationFindsEachKindOfDisagreement() {
        var paid = claim("clm_1", status: .paid)
        paid.batchID = "bat_1"
        let postings = [
            SubsidyPosting(id: "p1", claimID: "clm_1", from: "fund:skill-upgrade", to: "payable:per_x", fen: 100),
            SubsidyPosting(id: "p2", claimID: "clm_1", from: "payable:per_x", to: "paid:per_x", fen: 100),
        ]
        let batch = PaymentBatch(id: "bat_1", createdAt: "", claims: 1, totalFen: 100, sha256: "")
        #expect(SubsidyReconciliation.check(claims: [paid], postings: postings, batches: [batch]).isEmpty)
        // A payment missing, a second approval, a batch total off, a claim in no batch.
        #expect(SubsidyReconciliation.check(claims: [paid], postings: [postings[0]], batches: [batch]).count == 1)
        #expect(SubsidyReconciliation.check(claims: [paid], postings: postings + [postings[0]], batches: [batch]).count == 1)
        #expect(SubsidyReconciliation.check(claims: [paid], postings: postings,
                                            batches: [PaymentBatch(id: "bat_1", createdAt: "", claims: 1, totalFen: 90, sha256: "")]).count == 1)
        var unbatched = paid
        unbatched.batchID = nil
        #expect(SubsidyReconciliation.check(claims: [unbatched], postings: postings, batches: [batch]).count == 2)
        // Recovery after payment: approval, payment and recovery.
        var recovered = paid
        recovered.status = .recoveryDue
        let recovery = SubsidyPosting(id: "p3", claimID: "clm_1", from: "recoverable:per_x", to: "fund:skill-upgrade", fen: 100)
        #expect(SubsidyReconciliation.check(claims: [recovered], postings: postings + [recovery], batches: [batch]).isEmpty)
        #expect(SubsidyReconciliation.check(claims: [recovered], postings: postings, batches: [batch]).count == 1)
    }
}
