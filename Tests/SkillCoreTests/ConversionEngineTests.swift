import Foundation
import SkillCore
import Testing

@Suite struct ConversionEngineTests {
    let standards: Standards
    let engine: ConversionEngine
    let today = CalendarDate(iso: "2026-06-01")!

    init() throws {
        standards = try Standards.load(directory: standardsDirectory)
        engine = ConversionEngine(standards: standards)
    }

    func cert(_ id: String, occupation: String = "6-31-01-03", level: Int?, issued: String, active: Bool = true, kind: String = "skill-level-certificate", external: String? = nil) -> LearningRecord.Certificate {
        .init(id: id, number: "N-\(id)", kind: kind, occupation: occupation, level: level, issuedOn: CalendarDate(iso: issued)!, isActive: active, externalTitle: external)
    }

    func record(credits: [(String, Int, Int)] = [], certificates: [LearningRecord.Certificate] = [], completions: [LearningRecord.Completion] = [],
                conversions: [LearningRecord.Conversion] = []) -> LearningRecord {
        LearningRecord(personID: "per_x", balances: credits.map { .init(kind: "training", scope: $0.0, level: $0.1, tenths: $0.2) },
                       certificates: certificates, completions: completions, conversions: conversions, asOf: today)
    }

    func one(_ r: LearningRecord, _ rule: String) -> RuleOutcome { engine.evaluate(r, ruleID: rule, occupations: ["6-31-01-03"]).first! }

    @Test func missingCreditsAreExplainedInWords() {
        let outcome = one(record(credits: [("6-31-01-03", 4, 20)]), "eligibility-level-4")
        #expect(!outcome.applies)
        #expect(outcome.missing.contains("6.0 more credits in 6-31-01-03 电工 at level 4"))
        #expect(outcome.missing.contains("a 初级工 certificate in 6-31-01-03 电工, held 1 year"))
        // Either condition suffices for level 4: enough credits alone make the worker eligible.
        let enough = one(record(credits: [("6-31-01-03", 4, 80)]), "eligibility-level-4")
        #expect(enough.applies && enough.missing.isEmpty)
        #expect(enough.because == ["8.0 training credits in 6-31-01-03 电工 at level 4 (8.0 needed)"])
    }

    @Test func missingYearsAreExplainedWithTheDate() {
        let r = record(credits: [("6-31-01-03", 3, 120)], certificates: [cert("c4", level: 4, issued: "2026-01-01")])
        let outcome = one(r, "eligibility-level-3")
        #expect(!outcome.applies)
        #expect(outcome.missing == ["1 more year after your 中级工 certificate (eligible from 2027-01-01)"])
        let later = LearningRecord(personID: "p", balances: r.balances, certificates: r.certificates, completions: [], conversions: [], asOf: CalendarDate(iso: "2027-01-01")!)
        #expect(engine.evaluate(later, ruleID: "eligibility-level-3", occupations: ["6-31-01-03"]).first!.applies)
        // A revoked or suspended certificate does not count.
        #expect(!one(record(credits: [("6-31-01-03", 3, 120)], certificates: [cert("c4", level: 4, issued: "2020-01-01", active: false)]), "eligibility-level-3").applies)
    }

    @Test func professionalTitlesFromSkillLevels() {
        let senior = record(certificates: [cert("c3", level: 3, issued: "2024-05-01")])
        #expect(one(senior, "title-assistant-engineer").applies)
        let technician = record(certificates: [cert("c2", level: 2, issued: "2025-03-01")])
        let engineer = one(technician, "title-engineer")
        #expect(!engineer.applies)
        #expect(engineer.missing == ["2 more years after your 技师 certificate (eligible for 工程师 from 2028-03-01)"])
        #expect(one(record(), "title-senior-engineer").rule.status == .unverified)
    }

    @Test func certificateToAcademicCountsTheHighestLevelOnce() {
        let both = record(certificates: [cert("c4", level: 4, issued: "2025-01-01"), cert("c3", level: 3, issued: "2026-01-01")])
        let outcome = one(both, "cert-academic-gdpt-electrician")
        #expect(outcome.applies)
        #expect(outcome.grants == [ConversionGrant(evidence: "c3", programme: "gdpt-electrical", tenths: 40, replaces: nil)])
        // Converted at level 4 before; the level-3 certificate replaces that conversion.
        let earlier = LearningRecord.Conversion(id: "cnv_1", ruleID: "cert-academic-gdpt-electrician", family: .certificateToAcademic, programme: "gdpt-electrical", evidence: "c4", tenths: 30)
        let upgrade = one(record(certificates: both.certificates, conversions: [earlier]), "cert-academic-gdpt-electrician")
        #expect(upgrade.grants == [ConversionGrant(evidence: "c3", programme: "gdpt-electrical", tenths: 40, replaces: "cnv_1")])
        // Converted at level 3 already: nothing more, and it says so.
        let done = LearningRecord.Conversion(id: "cnv_2", ruleID: "cert-academic-gdpt-electrician", family: .certificateToAcademic, programme: "gdpt-electrical", evidence: "c3", tenths: 40)
        let again = one(record(certificates: both.certificates, conversions: [done]), "cert-academic-gdpt-electrician")
        #expect(!again.applies && again.alreadyApplied)
    }

    @Test func capsAtTheirEdges() {
        let c = [cert("c4", level: 4, issued: "2025-01-01")]
        func used(_ tenths: Int, programme: String = "gdpt-electrical") -> [LearningRecord.Conversion] {
            [.init(id: "cnv_x", ruleID: "other", family: .foreignQualificationToAcademic, programme: programme, evidence: "x", tenths: tenths)]
        }
        // 50% of 140 = 70.0: 67.0 used leaves exactly 3.0; 68.0 leaves 2.0; 70.0 leaves nothing.
        #expect(one(record(certificates: c, conversions: used(670)), "cert-academic-gdpt-electrician").grants.first?.tenths == 30)
        let capped = one(record(certificates: c, conversions: used(680)), "cert-academic-gdpt-electrician")
        #expect(capped.grants.first?.tenths == 20 && capped.because.first?.contains("capped from 3.0") == true)
        let full = one(record(certificates: c, conversions: used(700)), "cert-academic-gdpt-electrician")
        #expect(!full.applies && !full.alreadyApplied)
        #expect(full.missing.first?.contains("reached its cap of 70.0 credits (50% of 140)") == true)
        // 20% of 140 = 28.0 at the other college.
        #expect(one(record(certificates: c, conversions: used(270, programme: "college-20pct")), "cert-academic-college20-electrician").grants.first?.tenths == 10)
        #expect(!one(record(certificates: c, conversions: used(280, programme: "college-20pct")), "cert-academic-college20-electrician").applies)
    }

    @Test func onlineCoursesHaveTheirOwnCap() {
        let courses = (1...5).map { LearningRecord.Completion(enrolmentID: "e\($0)", occupation: "6-31-01-03", level: 4, hours: 160, framework: "hkqf", isOnline: true) }
            + [LearningRecord.Completion(enrolmentID: "e9", occupation: "6-31-01-03", level: 4, hours: 160, framework: "hkqf", isOnline: false)]
        let outcome = one(record(completions: courses), "online-academic-gdpt")
        // 160 学时 / 16 = 10.0 学分 each; the online cap is 25% of 140 = 35.0: 10 + 10 + 10 + 5.
        #expect(outcome.grants.map(\.tenths) == [100, 100, 100, 50])
        #expect(outcome.grants.map(\.evidence) == ["e1", "e2", "e3", "e4"])
        #expect(outcome.missing.first?.contains("online courses (25%)") == true)
    }

    @Test func koreanCreditBankPack() {
        let gisa = cert("k1", occupation: "6-31-01-03", level: nil, issued: "2024-01-01", kind: "international-certificate", external: "정보처리기사")
        let sanup = cert("k2", occupation: "6-31-01-03", level: nil, issued: "2024-01-01", kind: "international-certificate", external: "정보처리산업기사")
        let r = record(certificates: [gisa, sanup])
        #expect(one(r, "kr-gisa").grants == [ConversionGrant(evidence: "k1", programme: "kr-acbs-bachelor", tenths: 200, replaces: nil)])
        #expect(one(r, "kr-saneopgisa").grants.map(\.evidence) == ["k2"])  // 산업기사 is not counted as 기사
        #expect(one(r, "kr-gisa").rule.status == .sourced && one(r, "kr-saneopgisa").rule.status == .unverified)
        // At most 3 qualifications toward a bachelor's.
        let three = (1...3).map { LearningRecord.Conversion(id: "c\($0)", ruleID: "kr-gisa", family: .foreignQualificationToAcademic, programme: "kr-acbs-bachelor", evidence: "q\($0)", tenths: 200) }
        let fourth = one(record(certificates: [gisa], conversions: three), "kr-gisa")
        #expect(!fourth.applies && fourth.missing == ["학점은행제 학사 (Korea Academic Credit Bank, bachelor) counts at most 3 qualifications"])
    }

    @Test func crosswalkAndHoursAreShownNotPosted() {
        let r = record(certificates: [cert("c4", level: 4, issued: "2025-01-01")],
                       completions: [.init(enrolmentID: "e1", occupation: "6-31-01-03", level: 4, hours: 64, framework: "hkqf", isOnline: false)])
        let crosswalk = one(r, "crosswalk-qf")
        #expect(crosswalk.applies && crosswalk.grants.isEmpty)
        #expect(crosswalk.because.contains("N-c4 四级/中级工 ≈ GDLEQF 3, HKQF 3, EQF 3/4 (illustrative)"))
        #expect(crosswalk.because.contains("1 completed course, 64 h = 6.4 gdleqf = 6.4 hkqf"))
        #expect(one(r, "hours-hkqf").because == ["1 course, 64 h → 6.4 credits in 6-31-01-03 电工 at level 4"])
        #expect(!one(r, "hours-ects").applies)
        #expect(!ConversionFamily.frameworkCrosswalk.posts && ConversionFamily.certificateToAcademic.posts)
    }

    @Test func deterministicAndTotal() throws {
        let empty = record()
        let all = engine.evaluate(empty)
        #expect(all.count >= standards.conversion.rules.count - 3)  // '*' eligibility rules need an occupation to talk about
        #expect(all.allSatisfy { !$0.applies })
        let r = record(credits: [("6-31-01-03", 4, 80)], certificates: [cert("c4", level: 4, issued: "2025-01-01")])
        #expect(try engine.evaluate(r).map { try $0.json.canonicalString() } == engine.evaluate(r).map { try $0.json.canonicalString() })
    }
}
