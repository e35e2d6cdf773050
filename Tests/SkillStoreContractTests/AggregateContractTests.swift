import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillStore
import Testing

/// An event appended in `tx`, for rows that must name the event that made them.
func recordedEvent(_ tx: any StoreTransaction) throws -> String {
    let event = sampleEvent(1)
    _ = try tx.log.append(event, canonical: try event.canonicalBytes(), salt: nil, commitment: nil)
    return event.id
}

/// Each aggregate reads back what was written, field for field.
@Suite struct AggregateContract {
    static let time = "2026-12-06T10:00:00Z"

    @Test(arguments: StoreUnderTest.all)
    func institutionsScopesAndKeysRoundTrip(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let institution = Institution(
            id: "ins_A", name: "评价机构甲", kind: .social, code: uscc("51440000MJ0000001"), province: "44", isSuspended: false,
            registeredAt: Self.time, accreditations: [], evaluatorCode: "0012", siteSequence: "000007", keys: [])
        let scope = Accreditation(id: "acc_1", occupation: "6-31-01-03", levels: [5, 4], validFrom: CalendarDate(iso: "2026-01-01")!,
                                  validUntil: CalendarDate(iso: "2027-12-31")!)
        let key = KeyRecord(id: "key_1", ownerID: "ins_A", did: "did:key:z1", publicKey: [UInt8](repeating: 7, count: 32), validFrom: Self.time, validUntil: nil)
        try store.write { tx in
            let event = try recordedEvent(tx)
            try tx.institutions.insert(institution, eventID: event)
            try tx.institutions.insertAccreditation(scope, institution: "ins_A", eventID: event)
            try tx.keys.insert(key, encryptedPEM: "PEM", eventID: event)
        }
        try store.read { tx throws in
            let read = try #require(try tx.institutions.institution("ins_A"))
            #expect(read.name == institution.name && read.kind == .social && read.code == institution.code && read.province == "44")
            #expect(read.evaluatorCode == "0012" && read.siteSequence == "000007" && !read.isSuspended)
            #expect(read.accreditations == [scope])
            #expect(read.keys == [key])
            #expect(try tx.institutions.institutionID(code: institution.code) == "ins_A")
            #expect(try tx.institutions.institution("ins_B") == nil)
            #expect(try tx.keys.currentKey(of: "ins_A")?.encryptedPEM == "PEM")
        }
        try store.write { tx in
            try tx.institutions.setSuspended("ins_A", true)
            try tx.keys.retireKeys(of: "ins_A", at: "2026-12-07T00:00:00Z")
        }
        try store.read { tx throws in
            #expect(try tx.institutions.institution("ins_A")?.isSuspended == true)
            #expect(try tx.keys.currentKey(of: "ins_A") == nil)
            #expect(try tx.keys.keys(of: "ins_A").first?.validUntil == "2026-12-07T00:00:00Z")
            #expect(try tx.institutions.institutions(after: nil, limit: 10).map(\.id) == ["ins_A"])
            #expect(try tx.institutions.institutions(after: "ins_A", limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func peopleKeepOnlyIndexesCiphertextAndMasks(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let person = SealedPerson(
            summary: PersonSummary(id: "per_1", idType: .resident, maskedIDNumber: "4403**********1234", maskedName: "李*", registeredAt: Self.time),
            idIndex: [1, 2, 3], idCiphertext: [4, 5], nameIndex: [6], nameCiphertext: [7, 8, 9])
        try store.write { tx in try tx.people.insert(person, eventID: try recordedEvent(tx)) }
        try store.read { tx throws in
            #expect(try tx.people.person("per_1") == person.summary)
            #expect(try tx.people.sealedPerson("per_1") == person)
            #expect(try tx.people.personID(idIndex: [1, 2, 3]) == "per_1")
            #expect(try tx.people.personID(idIndex: [1, 2]) == nil)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func coursesEnrolmentsAndPostingsRoundTrip(_ kind: StoreUnderTest) throws {
        let (bank, store, _) = try kind.bank()
        let school = try bank.registration.registerInstitution(.init(name: "学校", kind: .training, code: uscc("52440300MJ0000003"), province: "44"))
        _ = try bank.registration.accredit(school.id, occupation: "6-31-01-03", levels: [5, 4], from: CalendarDate(iso: "2020-01-01"))
        let course = try bank.training.publishCourse(.init(institutionID: school.id, title: "电工", occupation: "6-31-01-03", level: 4, hours: 64, capacity: 2))
        let worker = try bank.registration.registerPerson(name: "李明", idType: .resident, idNumber: residentID(1))
        let enrolment = try bank.training.enrol(person: worker.id, course: course.id)
        try store.read { tx throws in
            let read = try #require(try tx.training.course(course.id))
            #expect(read.title == "电工" && read.creditTenths == course.creditTenths && read.capacity == 2 && read.enrolled == 1)
            #expect(try tx.training.enrolment(enrolment.id) == enrolment)
            #expect(try tx.training.enrolmentID(person: worker.id, course: course.id) == enrolment.id)
            #expect(try tx.training.placesTaken(course: course.id) == 1)
        }
        _ = try bank.training.close(enrolment: enrolment.id, as: .completed)
        try store.read { tx throws in
            let line = try #require(try tx.training.trainingHistory(person: worker.id).first)
            #expect(line.enrolment.status == .completed && line.course.id == course.id && line.institutionName == "学校")
            #expect(try tx.credits.balances(of: worker.id) == [
                AccountBalance(account: .training(person: worker.id, occupation: "6-31-01-03", level: 4), tenths: course.creditTenths)
            ])
            #expect(try tx.credits.balances(of: school.id).map(\.tenths) == [-course.creditTenths])
        }
        #expect(try bank.accounts.reconcile().isBalanced)
    }

    @Test(arguments: StoreUnderTest.all)
    func tokensAndIdempotentResponsesRoundTrip(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let token = TokenRecord(id: "tok_1", role: .operator, institutionID: nil, personID: nil, createdAt: Self.time, expiresAt: nil, revokedAt: nil)
        try store.write { tx in
            try tx.tokens.insert(token, sha256: "abc", eventID: try recordedEvent(tx))
            try tx.tokens.keepIdempotentResponse(IdempotentResponse(request: "POST /x", status: 201, body: [1]), token: "tok_1", key: "k", at: Self.time)
            // A second answer for the same key does not replace the first.
            try tx.tokens.keepIdempotentResponse(IdempotentResponse(request: "POST /x", status: 500, body: [2]), token: "tok_1", key: "k", at: Self.time)
        }
        try store.read { tx throws in
            #expect(try tx.tokens.token(sha256: "abc")?.record == token)
            #expect(try tx.tokens.token(id: "tok_1") == token)
            #expect(try tx.tokens.idempotentResponse(token: "tok_1", key: "k") == IdempotentResponse(request: "POST /x", status: 201, body: [1]))
        }
        try store.write { tx in try tx.tokens.revoke("tok_1", at: "2026-12-07T00:00:00Z") }
        #expect(try store.read { tx in try tx.tokens.tokens() }.map(\.revokedAt) == ["2026-12-07T00:00:00Z"])
    }
}

/// The whole ledger on each store: flows that reconcile, refusals that write nothing.
@Suite struct LedgerContract {
    /// A certificate's life on the store: issued with its status lists, suspended and reinstated,
    /// converted to academic credit, revoked (the conversion reversed), and the ledger and log
    /// still agree.
    @Test(arguments: StoreUnderTest.all)
    func aCertificatesLifeReconcilesAndAuditsClean(_ kind: StoreUnderTest) throws {
        let (bank, store, _) = try kind.bank()
        let evaluator = try bank.registration.registerInstitution(.init(name: "评价机构", kind: .social, code: uscc("51440000MJ0000001"), province: "44"))
        _ = try bank.registration.accredit(evaluator.id, occupation: "6-31-01-03", levels: [5, 4, 3], from: CalendarDate(iso: "2020-01-01"))
        let worker = try bank.registration.registerPerson(name: "李明", idType: .resident, idNumber: residentID(2))
        let assessment = try bank.issuance.scheduleAssessment(institution: evaluator.id, occupation: "6-31-01-03", level: 4)
        try bank.issuance.enrolCandidate(assessment: assessment.id, person: worker.id, override: "contract")
        let certificate = try #require(try bank.issuance.recordResult(assessment: assessment.id, person: worker.id, theory: 80, practical: 90).certificates.first)
        let stored = try #require(try store.read { tx in try tx.certificates.certificate(certificate.number) })
        #expect(stored.summary == certificate && stored.assessmentID == assessment.id)
        #expect(try store.read { tx in try tx.statusLists.statusList(institution: evaluator.id, purpose: .revocation) } != nil)

        _ = try bank.certificates.changeStatus(of: certificate.id, .suspend, reason: "check")
        _ = try bank.certificates.changeStatus(of: certificate.id, .reinstate)
        let converted = try bank.conversions.preview(person: worker.id).filter { $0.applies && $0.grants.contains { $0.evidence == certificate.id } }
        for rule in converted { _ = try bank.conversions.apply(person: worker.id, rule: rule.rule.id) }
        #expect(!converted.isEmpty, "a level-4 电工 certificate converts to academic credit under Standards")
        let revoked = try bank.certificates.changeStatus(of: certificate.id, .revoke, reason: "contract")
        #expect(revoked.map(\.status) == [.revoked])
        #expect(try bank.conversions.conversions(of: worker.id).allSatisfy { !$0.isActive })
        let verifier = CredentialVerifier(trustList: try bank.registration.trustList(), statusLists: try bank.certificates.allStatusLists())
        #expect(verifier.verify(credential: try JSONParser().parse(stored.credential)).reasons == [.revoked])
        #expect(try bank.accounts.reconcile().isBalanced)
        _ = try bank.log.checkpoint()
        #expect(try bank.log.audit().isClean)
    }

    /// A refused change leaves the store exactly as it was: no event, no row.
    @Test(arguments: StoreUnderTest.all)
    func aRefusedChangeWritesNothing(_ kind: StoreUnderTest) throws {
        let (bank, store, _) = try kind.bank()
        let school = try bank.registration.registerInstitution(.init(name: "学校", kind: .training, code: uscc("52440300MJ0000003"), province: "44"))
        let before = try store.read { tx in (try tx.log.lastSequence(), try tx.log.leafCount()) }
        #expect(throws: SkillError.self) {
            _ = try bank.training.publishCourse(.init(institutionID: school.id, title: "焊工", occupation: "6-18-02-04", level: 4, hours: 64))
        }
        #expect(throws: SkillError.self) {
            _ = try bank.registration.registerInstitution(.init(name: "重复", kind: .training, code: uscc("52440300MJ0000003"), province: "44"))
        }
        let after = try store.read { tx in (try tx.log.lastSequence(), try tx.log.leafCount()) }
        #expect(after == before)
        #expect(try store.read { tx in try tx.training.courses(institution: school.id, after: nil, limit: nil) }.isEmpty)
    }
}
