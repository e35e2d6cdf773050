import Foundation
import SkillCore
import SkillStore
import Testing

/// The platform aggregates (subsidies, notices, webhooks, the talent pool) read back what was
/// written, on every store.
@Suite struct PlatformContract {
    static let time = "2026-12-07T10:00:00Z"

    func person(_ tx: any StoreTransaction, _ id: String, event: String) throws {
        try tx.people.insert(SealedPerson(
            summary: PersonSummary(id: id, idType: .resident, maskedIDNumber: "4403**********1234", maskedName: "李*", registeredAt: Self.time),
            idIndex: Array(id.utf8), idCiphertext: [4, 5], nameIndex: Array(id.utf8) + [1], nameCiphertext: [7, 8, 9]), eventID: event)
    }

    @Test(arguments: StoreUnderTest.all)
    func subsidiesRoundTrip(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let day = CalendarDate(iso: "2026-12-07")!
        let claim = SubsidyClaim(id: "clm_1", programme: "skill-upgrade", personID: "per_1", payee: "per_1", evidence: "crt_1", occupation: "6-31-01-03",
                                 level: 4, amountFen: 150_000, status: .pending, appliedOn: day, appliedAt: Self.time,
                                 decision: ["applies": true, "checks": ["a", "b"]])
        try store.write { tx in
            let event = try recordedEvent(tx)
            try person(tx, "per_1", event: event)
            try tx.subsidies.putInsurance(index: [9, 9], InsuranceStanding(months: 14, receivesBenefit: false, asOf: day), eventID: event)
            try tx.subsidies.putInsurance(index: [9, 9], InsuranceStanding(months: 15, receivesBenefit: true, asOf: day), eventID: event)
            try tx.subsidies.insert(claim, eventID: event)
        }
        try store.read { tx throws in
            #expect(try tx.subsidies.insurance(index: [9, 9]) == InsuranceStanding(months: 15, receivesBenefit: true, asOf: day))
            #expect(try tx.subsidies.insurance(index: [9]) == nil)
            #expect(try tx.subsidies.claim("clm_1") == claim)
            #expect(try tx.subsidies.claims(person: "per_1") == [claim])
            #expect(try tx.subsidies.claims(evidence: ["crt_1", "crt_2"]).map(\.id) == ["clm_1"])
            #expect(try tx.subsidies.claims(status: .pending, payee: "per_1", after: nil, limit: 5).map(\.id) == ["clm_1"])
            #expect(try tx.subsidies.claims(status: .approved, payee: nil, after: nil, limit: 5).isEmpty)
        }
        var paid = claim
        paid.status = .paid
        paid.decidedAt = Self.time
        paid.reason = "ok"
        paid.batchID = "bat_1"
        let postings = [
            SubsidyPosting(id: "pst_1", claimID: "clm_1", from: "fund:skill-upgrade", to: "payable:per_1", fen: 150_000),
            SubsidyPosting(id: "pst_2", claimID: "clm_1", from: "payable:per_1", to: "paid:per_1", fen: 150_000),
        ]
        let batch = PaymentBatch(id: "bat_1", createdAt: Self.time, claims: 1, totalFen: 150_000, sha256: "ab")
        try store.write { tx in
            let event = try recordedEvent(tx)
            try tx.subsidies.insert(batch, eventID: event)
            for p in postings { try tx.subsidies.post(p, eventID: event) }
            try tx.subsidies.update(paid, eventID: event)
        }
        try store.read { tx throws in
            #expect(try tx.subsidies.claim("clm_1") == paid)
            #expect(try tx.subsidies.batch("bat_1") == batch)
            let ledger = try tx.subsidies.ledger()
            #expect(ledger.claims == [paid] && ledger.postings == postings && ledger.batches == [batch])
            #expect(SubsidyReconciliation.check(claims: ledger.claims, postings: ledger.postings, batches: ledger.batches).isEmpty)
        }
        // Subsidy postings are append-only on every store.
        #expect(throws: (any Error).self) { try store.write { tx in try tx.statements.execute("UPDATE subsidy_postings SET amount_fen = 1", []) } }
        #expect(throws: (any Error).self) { try store.write { tx in try tx.statements.execute("DELETE FROM subsidy_postings", []) } }
    }

    @Test(arguments: StoreUnderTest.all)
    func noticesKeepOnePerKeyAndMarkRead(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        func notice(_ id: String, key: String) -> Notice {
            Notice(id: id, personID: "per_1", kind: .eligibleLevel, key: key, facts: ["occupation": "6-31-01-03", "level": 3], createdAt: Self.time)
        }
        let added = try store.write { tx in
            let event = try recordedEvent(tx)
            try person(tx, "per_1", event: event)
            return [try tx.notices.add(notice("ntc_1", key: "a"), eventID: event), try tx.notices.add(notice("ntc_2", key: "a"), eventID: event),
                    try tx.notices.add(notice("ntc_3", key: "b"), eventID: event)]
        }
        #expect(added == [true, false, true])
        try store.read { tx throws in
            #expect(try tx.notices.notices(person: "per_1", unreadOnly: false, before: nil, limit: 10).map(\.id) == ["ntc_3", "ntc_1"])
            #expect(try tx.notices.notices(person: "per_1", unreadOnly: false, before: "ntc_3", limit: 10) == [notice("ntc_1", key: "a")])
            #expect(try tx.notices.unreadCount(person: "per_1") == 2)
        }
        #expect(try store.write { tx in try tx.notices.markRead(person: "per_1", ids: ["ntc_1", "ntc_9"], at: Self.time) } == 1)
        try store.read { tx throws in
            #expect(try tx.notices.notices(person: "per_1", unreadOnly: true, before: nil, limit: 10).map(\.id) == ["ntc_3"])
            #expect(try tx.notices.notices(person: "per_1", unreadOnly: false, before: nil, limit: 10).last?.readAt == Self.time)
        }
        #expect(try store.write { tx in try tx.notices.markRead(person: "per_1", ids: nil, at: Self.time) } == 1)
        try store.write { tx in try tx.notices.remove(person: "per_1") }
        #expect(try store.read { tx in try tx.notices.unreadCount(person: "per_1") } == 0)
    }

    @Test(arguments: StoreUnderTest.all)
    func webhooksLeaseEachMessageOnceAndKeepItsPayload(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let webhook = Webhook(id: "whk_1", institutionID: "ins_A", url: "https://h.example/x", eventTypes: ["certificate.*"], createdAt: Self.time)
        let messages = (1...3).map { n in
            WebhookMessage(id: "msg_\(n)", webhookID: "whk_1", eventID: "evt_\(n)", eventType: "certificate.issued", payload: #"{"n":\#(n)}"#,
                           createdAt: Self.time, status: .pending, attempts: 0, nextAttemptAt: 1_000 * n)
        }
        try store.write { tx in
            let event = try recordedEvent(tx)
            try tx.institutions.insert(Institution(id: "ins_A", name: "甲", kind: .social, code: uscc("51440000MJ0000001"), province: "44", isSuspended: false,
                                                   registeredAt: Self.time, accreditations: [], evaluatorCode: "0012", siteSequence: "000007", keys: []),
                                       eventID: event)
            try tx.webhooks.insert(webhook, secretCiphertext: [1, 2, 3], eventID: event)
            try tx.webhooks.enqueue(messages)
        }
        try store.read { tx throws in
            #expect(try tx.webhooks.webhook("whk_1")?.webhook == webhook && tx.webhooks.webhook("whk_1")?.secretCiphertext == [1, 2, 3])
            #expect(try tx.webhooks.webhooks(institution: "ins_A") == [webhook] && tx.webhooks.webhooks(institution: "ins_B").isEmpty)
            #expect(try tx.webhooks.messages(webhook: "whk_1", status: nil, after: nil, limit: 10) == messages)
        }
        // Due by time, each leased once until its lease ends.
        #expect(try store.read { tx in try tx.webhooks.anyDue(now: 999) } == false)
        #expect(try store.read { tx in try tx.webhooks.anyDue(now: 1_000) } == true)
        #expect(try store.write { tx in try tx.webhooks.lease(now: 2_000, leaseMilliseconds: 500, limit: 10) }.map(\.id) == ["msg_1", "msg_2"])
        #expect(try store.write { tx in try tx.webhooks.lease(now: 2_400, leaseMilliseconds: 500, limit: 10) }.isEmpty)
        #expect(try store.write { tx in try tx.webhooks.lease(now: 3_000, leaseMilliseconds: 500, limit: 1) }.map(\.id) == ["msg_1"])
        var delivered = messages[0]
        delivered.status = .delivered
        delivered.attempts = 1
        delivered.deliveredAt = Self.time
        try store.write { tx in try tx.webhooks.record(delivered) }
        #expect(try store.read { tx in try tx.webhooks.message("msg_1") } == delivered)
        #expect(try store.read { tx in try tx.webhooks.counts() } == [.delivered: 1, .pending: 2])
        // A message keeps its id and payload on every store.
        #expect(throws: (any Error).self) { try store.write { tx in try tx.statements.execute("UPDATE webhook_messages SET payload = '{}'", []) } }
        try store.write { tx in try tx.webhooks.disable("whk_1", at: Self.time, eventID: "evt_9") }
        #expect(try store.read { tx in try tx.webhooks.counts() } == [.delivered: 1, .dead: 2])
        #expect(try store.read { tx in try tx.webhooks.webhook("whk_1")?.webhook.disabledAt } == Self.time)
    }

    @Test(arguments: StoreUnderTest.all)
    func talentPoolRoundTrips(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let profile = TalentProfile(personID: "per_1", certificates: ["crt_1", "crt_2"], district: "宝安区", areas: ["南山区", "福田区"], sharesBundles: true,
                                    hasContact: true, optedInAt: Self.time)
        let vacancy = Vacancy(id: "vac_1", institutionID: "ins_E", title: "电工", occupation: "6-31-01-03", minLevel: 4, district: "宝安区", count: 2,
                              createdAt: Self.time)
        let request = ContactRequest(id: "ctq_1", institutionID: "ins_E", personID: "per_1", vacancyID: "vac_1", message: "欢迎", status: .pending,
                                     createdAt: Self.time)
        try store.write { tx in
            let event = try recordedEvent(tx)
            try person(tx, "per_1", event: event)
            try person(tx, "per_2", event: event)
            try tx.institutions.insert(Institution(id: "ins_E", name: "用人单位", kind: .employer, code: uscc("91440300MA5F8E001"), province: "44",
                                                   isSuspended: false, registeredAt: Self.time, accreditations: [], evaluatorCode: "0000",
                                                   siteSequence: "000001", keys: []), eventID: event)
            try tx.talent.putProfile(profile, contactCiphertext: [9, 9], eventID: event)
            try tx.talent.putProfile(TalentProfile(personID: "per_2", certificates: [], district: nil, areas: [], sharesBundles: false, hasContact: false,
                                                   optedInAt: Self.time), contactCiphertext: nil, eventID: event)
            try tx.talent.insert(vacancy, eventID: event)
            try tx.talent.insert(request, eventID: event)
            try tx.talent.add([Disclosure(id: "dsc_1", personID: "per_1", institutionID: "ins_E", kind: .listed, reference: "vac_1", at: Self.time),
                               Disclosure(id: "dsc_2", personID: "per_1", institutionID: "ins_E", kind: .contactRequested, reference: "ctq_1", at: Self.time)])
        }
        try store.read { tx throws in
            #expect(try tx.talent.profile("per_1")?.profile == profile && tx.talent.profile("per_1")?.contactCiphertext == [9, 9])
            #expect(try tx.talent.activeProfiles().map(\.personID) == ["per_1", "per_2"])
            #expect(try tx.talent.vacancy("vac_1") == vacancy)
            #expect(try tx.talent.vacancies(institution: "ins_E", openOnly: true, after: nil, limit: 10) == [vacancy])
            #expect(try tx.talent.contact("ctq_1") == request)
            #expect(try tx.talent.contacts(person: "per_1", institution: "ins_E", limit: 10) == [request])
            #expect(try tx.talent.disclosures(person: "per_1", before: nil, limit: 10).map(\.kind) == [.contactRequested, .listed])
            #expect(try tx.talent.disclosures(person: "per_1", before: "dsc_2", limit: 10).map(\.id) == ["dsc_1"])
        }
        // Opting out: out of every result at once, the contact channel dropped, pending requests withdrawn.
        try store.write { tx in
            try tx.talent.optOut("per_1", at: Self.time, eventID: "evt_x")
            try tx.talent.close(vacancy: "vac_1", at: Self.time, eventID: "evt_x")
        }
        try store.read { tx throws in
            #expect(try tx.talent.activeProfiles().map(\.personID) == ["per_2"])
            #expect(try tx.talent.profile("per_1")?.contactCiphertext == nil && tx.talent.profile("per_1")?.profile.optedOutAt == Self.time)
            #expect(try tx.talent.contact("ctq_1")?.status == .withdrawn)
            #expect(try tx.talent.vacancies(institution: nil, openOnly: true, after: nil, limit: 10).isEmpty)
        }
        try store.write { tx in try tx.talent.remove(person: "per_1") }
        try store.read { tx throws in
            #expect(try tx.talent.profile("per_1") == nil && tx.talent.disclosures(person: "per_1", before: nil, limit: 10).isEmpty)
        }
    }
}
