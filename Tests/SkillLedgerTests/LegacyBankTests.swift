import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillLedger
import SkillTestSupport
import Testing

/// A bank made before the Open Badges 3.0 schema work (`Fixtures/legacy-bank`, see its README):
/// its certificates carry the old shape (`proof` as an object, two 1-bit status entries, no
/// description, alignments without `targetUrl`). Today's code opens it, keeps verifying them,
/// still shows their revocation and suspension, and issues new certificates in the new shape.
@Suite struct LegacyBankTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/legacy-bank")
    let folder: URL
    let bank: Bank

    init() throws {
        folder = try ScratchFolder.make("skillbank-legacy")
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixture.path) {
            try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        // The bank and its secrets must be private, as `init` made them; git does not keep the mode.
        for secret in ["bank.db", "bank.db.secret", "bank.db.keypass"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.appendingPathComponent(secret).path)
        }
        bank = try TestBanks.open(sqlite: folder.appendingPathComponent("bank.db").path).bank
    }

    func saved(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
    func verifier() throws -> CredentialVerifier {
        CredentialVerifier(trustList: try bank.registration.trustList(), statusLists: try bank.certificates.allStatusLists())
    }
    func number(_ id: String) throws -> String { try bank.certificates.certificate(id).number }

    static let skill = "S001244000007264000001", special = "crt_01M96YRWE97FAQHHQT3KG8MFSB"
    static let domestic = "S001244000007264000002", international = "crt_01M96YRWGZ72B5VS26HJZ0BCVM"

    @Test func certificatesIssuedBeforeStillVerifyAndShowTheirStatus() throws {
        let old = try JSONParser().parse(Array(try saved("\(Self.skill).json").utf8))
        #expect(old["proof"]?.objectValue != nil && old["credentialStatus"]?.arrayValue?.count == 2)
        #expect(old["credentialSubject"]?["achievement"]?["description"] == nil)
        for name in [Self.skill, Self.special, Self.domestic, Self.international] {
            let report = try verifier().verify(text: try saved("\(name).json"))
            #expect(report.isValid, "\(name): \(report.reasons)")
            #expect(report.checks.map(\.name).contains("status:suspension"))
        }
        #expect(try verifier().verify(text: try saved("\(Self.skill).jwt")).isValid)
        // The twin digest the international certificate carries still matches its domestic twin.
        let twin = try JSONParser().parse(Array(try saved("\(Self.domestic).json").utf8))
        let pair = try verifier().verify(text: try saved("\(Self.international).json"), related: [twin])
        #expect(pair.isValid && pair.checks.contains { $0.name.hasPrefix("related:") && $0.passed })
        // Lists exported before the change still serve the credentials they were made for.
        let before = CredentialVerifier(
            trustList: try JSONParser().parse(Array(try saved("trust-list.json").utf8)),
            statusLists: [try JSONParser().parse(Array(try saved("status-revocation.json").utf8)),
                          try JSONParser().parse(Array(try saved("status-suspension.json").utf8))])
        #expect(before.verify(text: try saved("\(Self.skill).json")).isValid)

        // Revoking and suspending with today's code still reaches the old lists.
        _ = try bank.certificates.changeStatus(of: Self.skill, .revoke, reason: "issued in error")
        #expect(try verifier().verify(text: try saved("\(Self.skill).json")).reasons == [.revoked])
        _ = try bank.certificates.changeStatus(of: Self.special, .suspend, reason: "under review")
        #expect(try verifier().verify(text: try saved("\(Self.special).json")).reasons == [.suspended])
        _ = try bank.certificates.changeStatus(of: Self.special, .reinstate, reason: "review closed")
        #expect(try verifier().verify(text: try saved("\(Self.special).json")).isValid)
        // A bundle of an old certificate carries the two lists it names, and verifies.
        let bundle = try bank.certificates.bundle(Self.special)
        #expect(bundle["status_lists"]?.arrayValue?.compactMap { $0["credentialSubject"]?["statusPurpose"]?.stringValue } == ["revocation", "suspension"])
        #expect(CertificateBundle.verify(bundle).isValid)
        #expect(try bank.log.audit().isClean)
    }

    @Test func theOldBankGetsTheCatalogueAndIssuesTheNewShape() throws {
        #expect(!bank.standards.catalogue.isEmpty)
        #expect(bank.standards.catalogue.occupation("6-31-01-03")?.name == "电工")
        // The copy is stored: the bank reopens with it even when no Standards folder is found.
        let reopened = try TestBanks.open(sqlite: folder.appendingPathComponent("bank.db").path, standards: nil).bank
        #expect(reopened.standards.catalogue.occupation("4-10-03-02")?.definition?.isEmpty == false)
        // So are the subsidy programmes, which came later still.
        #expect(reopened.standards.subsidies.map(\.id) == ["skill-upgrade", "subsidised-training"])

        let evaluator = "ins_01M96YRSE3DBHNVKW9ZZWN0N9P"
        let person = try bank.registration.registerPerson(name: "赵六", idType: .resident, idNumber: TestBank.residentID(77))
        let assessment = try bank.issuance.scheduleAssessment(institution: evaluator, occupation: "6-31-01-03", level: 4)
        try bank.issuance.enrolCandidate(assessment: assessment.id, person: person.id, override: "fixture")
        let issued = try bank.issuance.recordResult(assessment: assessment.id, person: person.id, theory: 80, practical: 80).certificates
        let credential = try JSONParser().parse(try bank.certificates.export(issued[0].id, format: .vc))
        #expect(credential["proof"]?.arrayValue?.count == 1)
        #expect(credential["credentialStatus"]?["statusPurpose"] == "message")
        #expect(credential["credentialSubject"]?["achievement"]?["description"]?.stringValue?.hasPrefix("电工（6-31-01-03）：") == true)
        #expect(try verifier().verify(credential: credential).isValid)
        // The old issuer got its message list with its first new certificate.
        #expect(try bank.certificates.statusList(of: evaluator, purpose: .message)["credentialSubject"]?["statusPurpose"] == "message")
        _ = try bank.certificates.changeStatus(of: issued[0].id, .suspend, reason: "under review")
        #expect(try verifier().verify(credential: credential).reasons == [.suspended])
    }
}
