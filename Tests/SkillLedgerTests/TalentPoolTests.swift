import Foundation
import SkillCore
@testable import SkillLedger
import Testing

/// The talent pool on a bank: consent decides who is found, handles link nothing, a contact
/// shares only what the worker accepts, and the worker sees every disclosure.
@Suite struct TalentPoolTests {
    /// An employer institution (kind employer) accredited for 电工.
    func employer(_ b: IssuedBank, _ n: Int = 1) throws -> Institution {
        try b.ledger.registration.registerInstitution(.init(name: "用人单位\(n)", kind: .employer, code: TestBank.uscc("91440300MA5F8E\(String(format: "%03d", n))"),
                                                             province: "44"))
    }

    @Test func searchShowsMaskedConsentingWorkersAndContactSharesOnlyOnAcceptance() throws {
        let b = try IssuedBank()
        let e = try employer(b)
        // Before consent: nobody.
        #expect(try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 4).isEmpty)
        _ = try b.ledger.talent.optIn(person: b.person.id, .init(district: "宝安区", areas: ["南山区"], contact: "13800001111"))
        let found = try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 4)
        #expect(found.count == 1 && found[0].maskedName == "李*" && found[0].fit.qualifies)
        let text = String(decoding: try found[0].json.canonicalBytes(), as: UTF8.self)
        #expect(!text.contains(b.person.id) && !text.contains(b.certificate.number) && !text.contains(b.certificate.id) && !text.contains("13800001111"))
        // A new handle every time; another employer cannot use it; a non-employer cannot search.
        let again = try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 4)
        #expect(again[0].handle != found[0].handle)
        let other = try employer(b, 2)
        expectCode(.invalidField) { _ = try b.ledger.talent.requestContact(institution: other.id, candidate: found[0].handle) }
        expectCode(.forbidden) { _ = try b.ledger.talent.search(institution: b.evaluator.id, occupation: "6-31-01-03", minLevel: 4) }
        // A level-4 holder is not found for a level-3 search.
        #expect(try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 3).isEmpty)

        let request = try b.ledger.talent.requestContact(institution: e.id, candidate: found[0].handle, message: "欢迎面试")
        #expect(try b.ledger.talent.contactForEmployer(request.id, institution: e.id)["shared"] == .null)
        #expect(try b.ledger.notices.notices(of: b.person.id).notices.contains { $0.notice.kind == .contactRequested })
        expectCode(.contactNotFound) { _ = try b.ledger.talent.contactForEmployer(request.id, institution: other.id) }
        // Only the worker answers, once.
        let stranger = try b.bank.person(99)
        expectCode(.contactNotFound) { _ = try b.ledger.talent.answer(request.id, person: stranger.id, accept: true) }
        _ = try b.ledger.talent.answer(request.id, person: b.person.id, accept: true)
        expectCode(.transitionInvalid) { _ = try b.ledger.talent.answer(request.id, person: b.person.id, accept: false) }
        let shared = try b.ledger.talent.contactForEmployer(request.id, institution: e.id)
        #expect(shared["shared"]?["contact"]?.stringValue == "13800001111" && shared["shared"]?["bundles"]?.arrayValue?.count == 1)
        #expect(shared["shared"]?["bundles"]?.arrayValue?.first?["credential"] != nil)
        // The worker sees every listing, the request and the share.
        let log = try b.ledger.talent.disclosures(of: b.person.id).map(\.0.kind)
        #expect(log == [.shared, .contactRequested, .listed, .listed])
        // The contact channel is never kept in clear.
        #expect(try b.bank.rawString("SELECT count(*) FROM talent_profiles WHERE CAST(contact_ciphertext AS TEXT) LIKE '%13800001111%'") == "0")
    }

    @Test func optingOutRemovesAWorkerAtOnceAndWithdrawsRequests() throws {
        let b = try IssuedBank()
        let e = try employer(b)
        _ = try b.ledger.talent.optIn(person: b.person.id, .init(contact: "a@b.example"))
        let handle = try #require(try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 4).first?.handle)
        let pending = try b.ledger.talent.requestContact(institution: e.id, candidate: handle)
        _ = try b.ledger.talent.optOut(person: b.person.id)
        #expect(try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 4).isEmpty)
        expectCode(.candidateUnavailable) { _ = try b.ledger.talent.requestContact(institution: e.id, candidate: handle) }
        #expect(try b.ledger.talent.contacts(of: b.person.id).first { $0.id == pending.id }?.status == .withdrawn)
        expectCode(.notInPool) { _ = try b.ledger.talent.optOut(person: b.person.id) }
        #expect(try b.bank.count("events", "type IN ('talent.opted-in', 'talent.opted-out')") == 2)
    }

    @Test func recommendationRanksBothWays() throws {
        let b = try IssuedBank()
        let e = try employer(b)
        let near = try b.ledger.talent.postVacancy(institution: e.id, title: "电工", occupation: "6-31-01-03", minLevel: 4, district: "宝安区", count: 2)
        let far = try b.ledger.talent.postVacancy(institution: e.id, title: "美容师", occupation: "4-10-03-01", minLevel: 5, district: "福田区", count: 1)
        _ = try b.ledger.talent.optIn(person: b.person.id, .init(district: "宝安区"))
        let ranked = try b.ledger.talent.vacancies(for: b.person.id)
        #expect(ranked.map(\.vacancy.id) == [near.id] && ranked[0].fit.because.contains("lives in 宝安区"))
        let candidates = try b.ledger.talent.candidates(for: near.id, onlyFor: e.id)
        #expect(candidates.count == 1 && candidates[0].fit.score == 90)
        #expect(try b.ledger.talent.candidates(for: far.id, onlyFor: e.id).isEmpty)
        expectCode(.vacancyNotFound) { _ = try b.ledger.talent.candidates(for: near.id, onlyFor: b.evaluator.id) }
        _ = try b.ledger.talent.closeVacancy(near.id)
        #expect(try b.ledger.talent.vacancies(for: b.person.id).isEmpty)
    }

    /// Many random histories of consent: whoever has not opted in, or opted out last, is in no
    /// employer result (search or recommendation), and whoever consents and holds a matching
    /// certificate is.
    @Test func consentDecidesWhoAppearsOverManyRandomStates() throws {
        var rng = SeededRandom(state: 2026_12_07)
        let b = try IssuedBank()
        let e = try employer(b)
        let vacancy = try b.ledger.talent.postVacancy(institution: e.id, title: "电工", occupation: "6-31-01-03", minLevel: 5, district: "宝安区", count: 5)
        var workers = [b.person.id]
        for n in 0..<11 {
            let p = try b.bank.person(200 + n)
            try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: p.id, override: "test")
            _ = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: 80, practical: 80)
            workers.append(p.id)
        }
        var consenting: Set<String> = []
        var checks = 0
        for _ in 0..<40 {
            // A few random moves: opt in, opt out, or nothing.
            for w in workers where Int.random(in: 0..<3, using: &rng) == 0 {
                if consenting.contains(w) {
                    _ = try b.ledger.talent.optOut(person: w)
                    consenting.remove(w)
                } else {
                    _ = try b.ledger.talent.optIn(person: w, .init(district: Bool.random(using: &rng) ? "宝安区" : nil))
                    consenting.insert(w)
                }
            }
            let searched = Set(try b.ledger.talent.search(institution: e.id, occupation: "6-31-01-03", minLevel: 4, limit: 500).map(\.personID))
            let recommended = Set(try b.ledger.talent.candidates(for: vacancy.id, limit: 500).map(\.personID))
            #expect(searched == consenting && recommended == consenting)
            checks += 1
        }
        #expect(checks == 40 && !consenting.isEmpty)
    }
}
