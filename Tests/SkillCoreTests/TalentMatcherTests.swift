import SkillCore
import Testing

/// Job recommendation's fit, on plain values: each part of the score on and off.
@Suite struct TalentMatcherTests {
    let today = CalendarDate(iso: "2026-12-07")!
    let vacancy = Vacancy(id: "vac_1", institutionID: "ins_1", title: "电工", occupation: "6-31-01-03", minLevel: 4, district: "宝安区", count: 1, createdAt: "")

    func cert(_ occupation: String = "6-31-01-03", level: Int? = 4, issued: String = "2026-01-01") -> TalentMatcher.ShownCertificate {
        .init(id: "crt_\(occupation)\(level ?? 0)", occupation: occupation, level: level, issuedOn: CalendarDate(iso: issued)!)
    }

    func fit(_ certs: [TalentMatcher.ShownCertificate], district: String? = nil, areas: [String] = []) -> TalentMatcher.Fit {
        TalentMatcher().fit(certificates: certs, district: district, areas: areas, vacancy: vacancy, today: today)
    }

    @Test func exactOccupationAtTheLevelRecentAndLocalScoresHighest() {
        let f = fit([cert()], district: "宝安区")
        #expect(f.qualifies && f.score == 45 + 25 + 10 + 10 && f.against.isEmpty)
        #expect(f.because.contains("holds 6-31-01-03, the vacancy's occupation") && f.because.contains("lives in 宝安区"))
    }

    @Test func eachPartCounts() {
        // A level above the minimum adds 5 per level, at most 10.
        #expect(fit([cert(level: 3)]).score == fit([cert(level: 4)]).score + 5)
        #expect(fit([cert(level: 1)]).score == fit([cert(level: 4)]).score + 10)
        // Below the minimum: no level points, and it does not qualify.
        let low = fit([cert(level: 5)])
        #expect(!low.qualifies && low.against.contains("level 5 is below the minimum level 4"))
        // A nearby occupation counts less and never qualifies.
        #expect(fit([cert("6-31-01-05")]).score == fit([cert()]).score - 20 && !fit([cert("6-31-01-05")]).qualifies)
        #expect(fit([cert("6-31-02-01")]).score == fit([cert()]).score - 35)
        #expect(fit([cert("4-10-03-01")]).score == 0 && fit([cert("4-10-03-01")]).against.first == "no certificate in or near 6-31-01-03")
        // Recency: within 2 years 10, within 5 years 5, older 0.
        #expect(fit([cert(issued: "2023-06-01")]).score == fit([cert()]).score - 5)
        #expect(fit([cert(issued: "2019-06-01")]).score == fit([cert()]).score - 10)
        // Place: lives there 10, willing 5, neither 0.
        #expect(fit([cert()], areas: ["宝安区"]).score == fit([cert()], district: "宝安区").score - 5)
        #expect(fit([cert()], district: "福田区").score == fit([cert()], district: "宝安区").score - 10)
    }

    @Test func theBestCertificateIsTheOneThatCounts() {
        let f = fit([cert("4-10-03-01", level: 1), cert(level: 5), cert(level: 3)], district: "宝安区")
        #expect(f.qualifies && f.because.contains("level 3 meets the minimum level 4"))
    }
}
