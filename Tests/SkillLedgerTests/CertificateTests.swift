import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillLedger
import SkillTestSupport
import Testing

/// A bank with a social evaluator accredited for 电工 levels 5–3, one candidate who passed.
struct IssuedBank {
    let bank: TestBank
    let evaluator: Institution
    let person: PersonSummary
    let assessment: Assessment
    let certificate: CertificateSummary
    var ledger: Bank { bank.ledger }

    init(clock: @escaping @Sendable () -> Date = { Date() }, dual: String? = nil, occupation: String = "6-31-01-03", level: Int = 4) throws {
        bank = try TestBank(clock: clock)
        evaluator = try bank.ledger.registration.registerInstitution(.init(
            name: "广东省技能评价中心", kind: .social, code: TestBank.uscc("51440000MJ0000001"), province: "44", evaluatorCode: "0012", siteSequence: "000007"))
        _ = try bank.ledger.registration.accredit(evaluator.id, occupation: occupation, levels: [5, 4, 3], from: CalendarDate(iso: "2020-01-01"))
        person = try bank.person(7, name: "李明")
        assessment = try bank.ledger.issuance.scheduleAssessment(institution: evaluator.id, occupation: occupation, level: level, dualMapping: dual)
        try bank.ledger.issuance.enrolCandidate(assessment: assessment.id, person: person.id, override: "fixture: eligibility is tested in ConversionTests")
        let outcome = try bank.ledger.issuance.recordResult(assessment: assessment.id, person: person.id, theory: 78, practical: 85)
        certificate = outcome.certificates[0]
    }

    func credential(_ id: String? = nil) throws -> JSONValue { try JSONParser().parse(try ledger.certificates.export(id ?? certificate.id, format: .vc)) }

    /// Fixture people `numbers`, each enrolled as a candidate of the assessment.
    func candidates(_ numbers: some Sequence<Int>) throws -> [PersonSummary] {
        try numbers.map { n in
            let p = try bank.person(n)
            try ledger.issuance.enrolCandidate(assessment: assessment.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
            return p
        }
    }

    /// An import-results file giving each of `people` the same passing scores.
    func resultsFile(_ people: [PersonSummary]) throws -> URL {
        let csv = bank.folder.appendingPathComponent("results.csv")
        try (["person,theory,practical"] + people.map { "\($0.id),80,80" }).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        return csv
    }

    func verifier() throws -> CredentialVerifier {
        CredentialVerifier(trustList: try ledger.registration.trustList(), statusLists: try ledger.certificates.allStatusLists())
    }
}

@Suite struct IssuanceTests {
    @Test func passIssuesASignedCertificateWithA2020Number() throws {
        let b = try IssuedBank()
        let year = String(format: "%02d", CalendarDate(Date()).year % 100)
        #expect(b.certificate.number == "S001244000007\(year)4000001")
        #expect(b.certificate.status == .active && b.certificate.level == 4)
        let scheme = try #require(b.ledger.standards.numberScheme("skill-level-2020"))
        #expect(try scheme.parse(b.certificate.number, provinces: b.ledger.standards.provinceCodes, levels: [1, 2, 3, 4, 5])["serial"] == "000001")

        let credential = try b.credential()
        #expect(credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"])
        #expect(credential["issuer"]?["id"]?.stringValue == b.evaluator.currentKey?.did)
        #expect(credential["credentialSubject"]?["identifier"]?.arrayValue?.first?["identityHash"]?.stringValue?.hasPrefix("sha256$") == true)
        #expect(credential["credentialSubject"]?["identifier"]?.arrayValue?.first?["salt"] == nil)
        #expect(credential["proof"]?.arrayValue?.first?["cryptosuite"] == "eddsa-jcs-2022")
        let report = try b.verifier().verify(credential: credential)
        #expect(report.isValid, "\(report.reasons)")

        // The next pass at the same prefix takes the next serial.
        let p2 = try b.bank.person(8)
        try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: p2.id, override: "fixture: eligibility is tested in ConversionTests")
        let second = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p2.id, theory: 60, practical: 60)
        #expect(second.certificates.first?.number.hasSuffix("4000002") == true)
        #expect(try b.ledger.accounts.reconcile().isBalanced)

        // A pass whose certificate went missing (a half-written issuance) does not reconcile,
        // nor does a certificate whose pass went missing.
        try b.bank.rawWrite("PRAGMA foreign_keys = OFF; DELETE FROM certificates WHERE id = '\(second.certificates[0].id)'")
        #expect(try b.ledger.accounts.reconcile().problems.contains("1 passed result(s) have no certificate"))
        try b.bank.rawWrite("PRAGMA foreign_keys = OFF; DELETE FROM candidates WHERE person_id = '\(b.certificate.personID)'")
        #expect(try b.ledger.accounts.reconcile().problems.contains("1 certificate(s) lack the pass they were issued for"))
    }

    /// Serials are counted in memory during a transaction and written back before it
    /// commits: they continue across single results and imports, in file order, and a
    /// refused import uses none.
    @Test func serialsContinueAcrossImportsAndNeverRepeat() throws {
        let b = try IssuedBank()
        let people = try b.candidates(8...12)
        let csv = b.bank.folder.appendingPathComponent("results.csv")
        // Row 3 names someone who is not a candidate; row 4 fails the practical.
        try """
            person,theory,practical
            \(people[0].id),70,70
            \(people[1].id),80,90
            per_00000000000000000000000000,70,70
            \(people[2].id),70,40
            \(people[3].id),65,61
            """.write(to: csv, atomically: true, encoding: .utf8)
        let refused = try b.ledger.issuance.importResults(assessment: b.assessment.id, from: csv)
        #expect(!refused.report.committed && refused.certificates == 0)
        #expect(try b.bank.count("certificate_serials", "last = 1") == 1)

        let skipped = try b.ledger.issuance.importResults(assessment: b.assessment.id, from: csv, skipBad: true)
        #expect(skipped.report.committed && skipped.certificates == 3 && skipped.report.problems.map(\.line) == [4])
        let last = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: people[4].id, theory: 90, practical: 90)
        let serials = try ([b.person] + people).map { p in try b.ledger.certificates.certificates(of: p.id).map { String($0.number.suffix(6)) } }
        #expect(serials == [["000001"], ["000002"], ["000003"], [], ["000004"], ["000005"]])
        #expect(last.certificates.first?.number.hasSuffix("000005") == true)
        #expect(try b.bank.count("certificate_serials", "last = 5") == 1)
    }

    /// A row that fails after its result event joined the log (here an identity that no longer
    /// decrypts, found only at issuance) rolls back with its savepoint. The rows after it take
    /// its place in the log, which audits clean and proves every certificate's issuance.
    @Test func aRowRolledBackAfterItsEventLeavesTheLogWhole() throws {
        let b = try IssuedBank()
        let people = try b.candidates(8...13)
        // Three rows fail, so rolled-back leaves sit at both sides of a pair and under a level-1 node.
        let broken = [1, 2, 4].map { people[$0].id }
        try b.bank.rawWrite("UPDATE people SET id_ciphertext = (SELECT id_ciphertext FROM people WHERE id = '\(people[0].id)') WHERE id IN ('\(broken.joined(separator: "','"))')")
        let csv = try b.resultsFile(people)
        let size = try b.ledger.log.size()
        let imported = try b.ledger.issuance.importResults(assessment: b.assessment.id, from: csv, skipBad: true)
        #expect(imported.report.committed && imported.certificates == 3 && imported.report.problems.map(\.line) == [3, 4, 6])
        #expect(try b.ledger.log.size() == size + 6)
        #expect(try b.ledger.log.audit().isClean)
        let checkpoint = try Checkpoint(text: try SignedNote.open(try b.ledger.log.checkpoint(), verifiers: [try b.ledger.log.verifierKey()]).text)
        for p in people where !broken.contains(p.id) {
            let certificate = try #require(try b.ledger.certificates.certificates(of: p.id).first)
            let proof = try b.ledger.log.inclusionProof(certificate: certificate.id)
            #expect(MerkleTree.verifyInclusion(
                leafIndex: proof.leafIndex, treeSize: proof.treeSize, leafHash: proof.leafHash, proof: proof.path, root: checkpoint.rootHash))
        }
    }

    @Test func failsAndBadResultsIssueNothing() throws {
        let b = try IssuedBank()
        let p = try b.bank.person(9)
        try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
        let before = try b.bank.snapshot()
        expectCode(.invalidField) { _ = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: 101, practical: 80) }
        expectCode(.invalidField) { _ = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: nil, practical: 80) }
        let stranger = try b.bank.person(10)
        let afterStranger = try b.bank.snapshot()
        expectCode(.candidateNotFound) { _ = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: stranger.id, theory: 80, practical: 80) }
        #expect(try b.bank.snapshot() == afterStranger)
        #expect(before["events"]! + 1 == afterStranger["events"]!)
        let failed = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: 59, practical: 90)
        #expect(!failed.passed && failed.certificates.isEmpty)
        expectCode(.transitionInvalid) { _ = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: 90, practical: 90) }
        expectCode(.candidateExists) { try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests") }
        #expect(try b.bank.count("certificates") == 1)
    }

    @Test func schedulingIsLimitedToEvaluatorsInScope() throws {
        let b = try IssuedBank()
        let school = try b.bank.school()
        expectCode(.kindNotAllowed) { _ = try b.ledger.issuance.scheduleAssessment(institution: school.id, occupation: "6-31-01-03", level: 4) }
        expectCode(.outOfScope) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: 2) }
        expectCode(.outOfScope) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-18-02-04", level: 4) }
        expectCode(.invalidField) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: nil) }
        expectCode(.invalidField) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: 4, kind: .special) }
        expectCode(.invalidField) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: 4, dualMapping: "nope") }
        _ = try b.ledger.registration.setInstitutionSuspended(b.evaluator.id, true)
        expectCode(.institutionSuspended) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: 4) }
        // A suspended evaluator cannot issue; what it issued before still verifies.
        let p = try b.bank.person(11)
        try b.ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
        expectCode(.institutionSuspended) { _ = try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: 90, practical: 90) }
        #expect(try b.verifier().verify(credential: b.credential()).isValid)
        // A refused result leaves the candidate enrolled, to be recorded once the evaluator is reinstated.
        #expect(try b.bank.count("candidates", "person_id = '\(p.id)' AND status = 'enrolled' AND theory IS NULL") == 1)
        _ = try b.ledger.registration.setInstitutionSuspended(b.evaluator.id, false)
        #expect(try b.ledger.issuance.recordResult(assessment: b.assessment.id, person: p.id, theory: 90, practical: 90).certificates.count == 1)
    }

    @Test func workTypeIsCheckedAndCertified() throws {
        let b = try IssuedBank()
        _ = try b.ledger.registration.accredit(b.evaluator.id, occupation: "6-18-01-01", levels: [5, 4], from: CalendarDate(iso: "2020-01-01"))
        expectCode(.invalidField) { _ = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-18-01-01", level: 4, workType: "钳工") }
        let a = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-18-01-01", level: 4, workType: "数控车工")
        let p = try b.bank.person(30)
        try b.ledger.issuance.enrolCandidate(assessment: a.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
        let c = try #require(try b.ledger.issuance.recordResult(assessment: a.id, person: p.id, theory: 70, practical: 70).certificates.first)
        #expect(try b.credential(c.id)["credentialSubject"]?["achievement"]?["specialization"] == "数控车工")
    }

    @Test func specialCapabilityHasNoLevelAndNoTheory() throws {
        let b = try IssuedBank()
        let a = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: nil, kind: .special)
        let p = try b.bank.person(12)
        try b.ledger.issuance.enrolCandidate(assessment: a.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
        let outcome = try b.ledger.issuance.recordResult(assessment: a.id, person: p.id, theory: nil, practical: 70)
        let c = try #require(outcome.certificates.first)
        #expect(c.kind == "special-capability-certificate" && c.level == nil && c.number == c.id)
        let report = try b.verifier().verify(credential: b.credential(c.id))
        #expect(report.isValid, "\(report.reasons)")
    }

    @Test func noPersonalDataInAnyExport() throws {
        let b = try IssuedBank()
        let clear = try b.ledger.registration.revealPerson(b.person.id)
        for text in [try b.ledger.certificates.export(b.certificate.id, format: .vc), try b.ledger.certificates.export(b.certificate.id, format: .jwt),
                     try b.ledger.registration.trustList().prettyString()] + (try b.ledger.certificates.allStatusLists().map { try $0.prettyString() })
        {
            let decoded = text.split(separator: ".").compactMap { Base64URL.decode(String($0)) }.map { String(decoding: $0, as: UTF8.self) }.joined()
            for secret in [clear.name, clear.idNumber] {
                #expect(!text.contains(secret) && !decoded.contains(secret))
            }
        }
        // With the worker's opt-in, the name appears, and the copy still verifies.
        let named = try b.ledger.certificates.export(b.certificate.id, format: .vc, withName: true)
        #expect(named.contains(clear.name) && !named.contains(clear.idNumber))
        #expect(try b.verifier().verify(text: named).isValid)
        #expect(try b.verifier().verify(text: b.ledger.certificates.export(b.certificate.id, format: .jwt)).isValid)
        // The salted hash is the worker's proof: the ledger's salt reproduces it.
        let hash = try b.credential()["credentialSubject"]!["identifier"]!.arrayValue![0]["identityHash"]!.stringValue!
        #expect(!hash.contains(clear.idNumber))
    }
}

@Suite struct TamperTests {
    func mutate(_ value: JSONValue, _ path: [String], _ new: JSONValue) -> JSONValue {
        guard case .object(var members) = value, let head = path.first else { return new }
        members[head] = mutate(members[head] ?? .null, Array(path.dropFirst()), new)
        return .object(members)
    }

    @Test func everyTamperHasItsOwnReason() throws {
        let b = try IssuedBank()
        let verifier = try b.verifier()
        let credential = try b.credential()
        func reasons(_ c: JSONValue, _ v: CredentialVerifier? = nil, at: Date = Date()) -> Set<VerificationReport.Reason> {
            Set((v ?? verifier).verify(credential: c, at: at).reasons)
        }
        #expect(reasons(credential).isEmpty)
        // Any field changed: the proof fails.
        #expect(reasons(mutate(credential, ["credentialSubject", "achievement", "name"], "高级技师")) == [.proofInvalid])
        #expect(reasons(mutate(credential, ["validFrom"], "2020-01-01T00:00:00Z")).contains(.proofInvalid))
        #expect(reasons(mutate(credential, ["proof", "proofValue"], "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk")) == [.proofInvalid])
        #expect(reasons(.object(credential.objectValue!.filter { $0.key != "credentialSubject" })) == [.malformed])

        // Re-signed by another key (a forger's): proof fine, issuer unknown.
        let forger = try Ed25519PrivateKey()
        let forgerDID = DIDKey.did(forger.publicKey.rawRepresentation)
        var unsigned = mutate(credential, ["issuer", "id"], .string(forgerDID)).objectValue!
        unsigned["proof"] = nil
        let forged = try DataIntegrityProof.sign(.object(unsigned), with: forger, verificationMethod: DIDKey.verificationMethod(forger.publicKey.rawRepresentation), created: "2026-01-01T00:00:00Z")
        #expect(reasons(forged).contains(.issuerUnknown))

        // Out-of-scope and retired-key issuers are covered with hand-made trust lists in VerifierTests.
        // Expired and not-yet-valid by the verifier's clock.
        #expect(reasons(credential, at: Date(timeIntervalSince1970: 0)) == [.notYetValid])

        // Revoked, then suspended: distinct reasons.
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .suspend)
        #expect(reasons(credential, try b.verifier()) == [.suspended])
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .reinstate)
        #expect(reasons(credential, try b.verifier()).isEmpty)
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .revoke, reason: "fraud")
        #expect(reasons(credential, try b.verifier()) == [.revoked])
        expectCode(.transitionInvalid) { _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .reinstate) }
        // Without status lists: unavailable, not "valid".
        #expect(reasons(credential, CredentialVerifier(trustList: try b.ledger.registration.trustList())) == [.statusUnavailable])
        // A trust list that was altered: its proof fails.
        let trust = try b.ledger.registration.trustList()
        let altered = mutate(trust, ["issuer", "name"], "Mallory Registry")
        #expect(reasons(credential, CredentialVerifier(trustList: altered, statusLists: try b.ledger.certificates.allStatusLists())).contains(.trustListInvalid))
    }

    @Test func scopeAndKeyWindowAreCheckedAtIssuance() throws {
        // Issued in 2026 by an evaluator whose scope for level 4 ended in 2025: not accredited.
        let clock = MutableClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01
        let b = try IssuedBank(clock: clock.now)
        let ledger = b.ledger
        let evaluator2 = try ledger.registration.registerInstitution(.init(name: "短期评价机构", kind: .employer, code: TestBank.uscc("91440300MA5F8R777"), province: "44"))
        _ = try ledger.registration.accredit(evaluator2.id, occupation: "6-31-01-03", levels: [4], from: CalendarDate(iso: "2025-01-01"), until: CalendarDate(iso: "2026-06-30"))
        let a = try ledger.issuance.scheduleAssessment(institution: evaluator2.id, occupation: "6-31-01-03", level: 4)
        let p = try b.bank.person(20)
        try ledger.issuance.enrolCandidate(assessment: a.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
        let c = try #require(try ledger.issuance.recordResult(assessment: a.id, person: p.id, theory: 80, practical: 80).certificates.first)
        // Valid: issued inside the scope, even after the scope ends.
        clock.advance(days: 365)
        #expect(try b.verifier().verify(credential: b.credential(c.id), at: clock.now()).isValid)
        // Rotation: the old certificate still verifies, a new one uses the new key.
        let before = try b.credential()
        clock.advance(days: 1)
        let newKey = try ledger.registration.rotateKey(of: b.evaluator.id)
        let keys = try ledger.registration.keys(of: b.evaluator.id)
        #expect(keys.count == 2 && keys[0].validUntil != nil && keys[1].id == newKey.id)
        #expect(try b.verifier().verify(credential: before, at: clock.now()).isValid)
        let p2 = try b.bank.person(21)
        try ledger.issuance.enrolCandidate(assessment: b.assessment.id, person: p2.id, override: "fixture: eligibility is tested in ConversionTests")
        let after = try #require(try ledger.issuance.recordResult(assessment: b.assessment.id, person: p2.id, theory: 90, practical: 90).certificates.first)
        let afterCredential = try b.credential(after.id)
        #expect(afterCredential["issuer"]?["id"]?.stringValue == newKey.did)
        #expect(try b.verifier().verify(credential: afterCredential, at: clock.now()).isValid)
        // The old key's window closed: a certificate dated after rotation but signed by the old key fails.
        let old = try #require(keys.first)
        var redated = before.objectValue!
        redated["validFrom"] = .string(Timestamp.format(clock.now().addingTimeInterval(3600)))
        let report = try b.verifier().verify(credential: .object(redated), at: clock.now().addingTimeInterval(7200))
        #expect(report.reasons.contains(.proofInvalid))  // re-dating breaks the proof first
        #expect(old.validUntil != nil)
        // Exporting with the name needs the current key: refused after rotation.
        expectCode(.keyRetired) { _ = try ledger.certificates.export(b.certificate.id, format: .vc, withName: true) }
    }
}

@Suite struct DualCertificateTests {
    @Test func oneExamTwoCertificatesAndTwinRevocation() throws {
        let b = try IssuedBank(dual: "gd-hk-mo-hairdresser", occupation: "4-10-03-02", level: 4)
        let all = try b.ledger.certificates.certificates(of: b.person.id)
        #expect(all.count == 2)
        let domestic = try #require(all.first { $0.kind == "skill-level-certificate" })
        let international = try #require(all.first { $0.kind == "international-certificate" })
        #expect(domestic.twinID == international.id && international.twinID == domestic.id)
        let credential = try b.credential(international.id)
        #expect(credential["credentialSubject"]?["achievement"]?["name"]?.stringValue == "香港专业能力评估证书（美发）")
        #expect(twinLink(credential)?["id"]?.stringValue == CertificateClaims.credentialID(number: domestic.number))
        #expect(try b.verifier().verify(credential: credential).isValid)
        // The twin signed second carries the digest of the one signed first (VC 2.0 §5.3); a
        // verifier given both checks it.
        let domesticCredential = try b.credential(domestic.id)
        let digest = try #require(twinLink(credential)?["digestMultibase"]?.stringValue)
        #expect(digest == RelatedResourceDigest.multibase(of: try domesticCredential.canonicalBytes()) && digest.hasPrefix("uEi"))  // 0x12 0x20: sha2-256, 32 bytes
        #expect(twinLink(domesticCredential) != nil && twinLink(domesticCredential)?["digestMultibase"] == nil)
        let both = try b.verifier().verify(credential: credential, related: [domesticCredential])
        #expect(both.isValid && both.checks.contains { $0.name.hasPrefix("related:") && $0.passed })
        guard case .object(var altered) = domesticCredential else { Issue.record("not an object"); return }
        altered["name"] = "另一张证书"
        #expect(try b.verifier().verify(credential: credential, related: [.object(altered)]).reasons == [.relatedResourceDigestMismatch])
        _ = try b.ledger.certificates.changeStatus(of: international.id, .revoke, reason: "cheating in the joint exam")
        #expect(try b.ledger.certificates.certificate(domestic.id).status == .revoked)
        #expect(try b.verifier().verify(credential: b.credential(domestic.id)).reasons == [.revoked])
    }

    /// An import issues its credentials from one template per kind: each credential must still
    /// carry its own number, identity hash, status indices and twin, stay canonical as stored,
    /// and verify.
    @Test func anImportsCredentialsShareOnlyWhatTheyShouldAndVerify() throws {
        let b = try IssuedBank(dual: "gd-hk-mo-hairdresser", occupation: "4-10-03-02", level: 4)
        let people = try b.candidates(20..<25)
        let csv = try b.resultsFile(people)
        #expect(try b.ledger.issuance.importResults(assessment: b.assessment.id, from: csv).certificates == 10)

        let verifier = try b.verifier()
        let queue = try DatabaseQueue(path: b.bank.dbPath)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, number, twin_id, revocation_index, suspension_index, credential FROM certificates WHERE person_id IN (\(people.map { "'\($0.id)'" }.joined(separator: ",")))")
        }
        #expect(rows.count == 10)
        let numbers = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as String, $0["number"] as String) })
        var hashes = Set<String>()
        for row in rows {
            let stored = Array(row["credential"] as Data)
            let credential = try JSONParser().parse(stored)
            #expect(try credential.canonicalBytes() == stored)
            #expect(verifier.verify(credential: credential).isValid)
            #expect(credential["id"]?.stringValue == CertificateClaims.credentialID(number: row["number"]))
            let twin: String = row["twin_id"]
            #expect(twinLink(credential)?["id"]?.stringValue == CertificateClaims.credentialID(number: numbers[twin]!))
            // One message entry, at the certificate's revocation index.
            #expect(credential["credentialStatus"]?["statusListIndex"]?.stringValue == String(row["revocation_index"] as Int))
            hashes.insert(credential["credentialSubject"]?["identifier"]?.arrayValue?.first?["identityHash"]?.stringValue ?? "")
        }
        // A fresh salt per credential: ten different hashes for five people.
        #expect(hashes.count == 10)
    }

    @Test func registeredAwardingBodySignsItsOwnCertificate() throws {
        let bank = try TestBank()
        let vtc = try bank.ledger.registration.registerInstitution(.init(name: "Vocational Training Council", kind: .international, code: "VTC-HK", province: "81"))
        _ = try bank.ledger.registration.accredit(vtc.id, occupation: "4-10-03-02", levels: [4], from: CalendarDate(iso: "2020-01-01"))
        let evaluator = try bank.ledger.registration.registerInstitution(.init(name: "广州美发评价中心", kind: .social, code: TestBank.uscc("51440100MJ0000002"), province: "44"))
        _ = try bank.ledger.registration.accredit(evaluator.id, occupation: "4-10-03-02", levels: [5, 4], from: CalendarDate(iso: "2020-01-01"))
        let a = try bank.ledger.issuance.scheduleAssessment(institution: evaluator.id, occupation: "4-10-03-02", level: 4, dualMapping: "gd-hk-mo-hairdresser")
        let p = try bank.person(1)
        try bank.ledger.issuance.enrolCandidate(assessment: a.id, person: p.id, override: "fixture: eligibility is tested in ConversionTests")
        let certs = try bank.ledger.issuance.recordResult(assessment: a.id, person: p.id, theory: 70, practical: 70).certificates
        #expect(certs.count == 2)
        #expect(certs[1].institutionID == vtc.id)
        let credential = try JSONParser().parse(try bank.ledger.certificates.export(certs[1].id, format: .vc))
        #expect(credential["issuer"]?["id"]?.stringValue == vtc.currentKey?.did)
        let verifier = CredentialVerifier(trustList: try bank.ledger.registration.trustList(), statusLists: try bank.ledger.certificates.allStatusLists())
        #expect(verifier.verify(credential: credential).isValid)
    }
}

@Suite struct StatusListIndependentDecodeTests {
    /// Decodes a status list we published with the system's `gzip` tool and reads the bits
    /// by hand in the spec's order (index 0 = most significant bit of byte 0; a 2-bit entry i is
    /// bits 2i and 2i+1, the first the more significant).
    @Test func gzipToolAgreesWithOurEncoder() throws {
        let b = try IssuedBank()
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .suspend, reason: "test")
        let list = try b.ledger.certificates.statusList(of: b.evaluator.id, purpose: .message)
        let encoded = try #require(list["credentialSubject"]?["encodedList"]?.stringValue)
        #expect(encoded.hasPrefix("u"))
        let gz = try #require(Base64URL.decode(String(encoded.dropFirst())))
        let file = b.bank.folder.appendingPathComponent("list.gz")
        try Data(gz).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let raw = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(raw.count == 32_768)  // 131,072 entries of 2 bits
        let entry = try #require(b.credential()["credentialStatus"])
        #expect(entry["statusPurpose"] == "message" && entry["statusSize"] == 2)
        let index = try #require(entry["statusListIndex"]?.stringValue.flatMap(Int.init))
        let setBits = (0..<(raw.count * 8)).filter { raw[$0 / 8] & (0x80 >> ($0 % 8)) != 0 }
        // Suspended is value 2 = binary 10: the entry's first bit.
        #expect(setBits == [2 * index])
        #expect(entry["statusMessage"]?.arrayValue?.first { $0["status"] == "0x2" }?["message"] == "suspended")
        #expect(DataIntegrityProof.verify(list).isValid)
    }
}

/// The 一试双证 link of a credential's `relatedResource` (the other entry pins the JSON-LD context).
func twinLink(_ credential: JSONValue) -> JSONValue? {
    credential["relatedResource"]?.arrayValue?.first { $0["type"]?.arrayValue?.contains("RelatedCertificate") == true }
}
