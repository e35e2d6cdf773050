import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillTestSupport
import Testing

/// Every kind of document the registry emits, checked the way the ecosystem's own tools check
/// them: the official Open Badges 3.0 JSON Schema (`Fixtures/ob3`, copied byte for byte from
/// the project's shared test vectors, with their sources in `Fixtures/ob3/README.md`) over every AchievementCredential, and JSON-LD term coverage with the
/// VC 2.0, OB 3.0 and SkillBank contexts over every JSON-LD document. No network.
@Suite struct ConformanceTests {
    static let ob3 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ob3")
    static func file(_ name: String) throws -> JSONValue { try JSONParser().parse(Array(try Data(contentsOf: ob3.appendingPathComponent(name)))) }
    static let schema = Result { try JSONSchema(try file("achievementcredential.schema.json")) }

    /// Every document kind, by name, from two banks (one with a 一试双证 pair).
    static func documents() throws -> [(kind: String, document: JSONValue, isAchievement: Bool)] {
        let b = try IssuedBank()
        let special = try b.ledger.issuance.scheduleAssessment(institution: b.evaluator.id, occupation: "6-31-01-03", level: nil, kind: .special)
        try b.ledger.issuance.enrolCandidate(assessment: special.id, person: b.person.id, override: "fixture")
        let specialCertificate = try b.ledger.issuance.recordResult(assessment: special.id, person: b.person.id, theory: nil, practical: 80).certificates[0]
        _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        let dual = try IssuedBank(dual: "gd-hk-mo-hairdresser", occupation: "4-10-03-02", level: 4)
        let pair = try dual.ledger.certificates.certificates(of: dual.person.id)
        let international = try #require(pair.first { $0.kind == "international-certificate" })
        func payload(_ format: Certificates.ExportFormat) throws -> JSONValue {
            try CompactJWS.decode(try b.ledger.certificates.export(b.certificate.id, format: format)).payload
        }
        let statement = try b.ledger.accounts.statement(of: b.person.id)
        #expect(statement["credentialSubject"]?["conversions"]?.arrayValue?.isEmpty == false)
        return [
            ("skill-level certificate", try b.credential(), true),
            ("skill-level certificate with the holder's name", try JSONParser().parse(try b.ledger.certificates.export(b.certificate.id, format: .vc, withName: true)), true),
            ("专项职业能力 certificate", try b.credential(specialCertificate.id), true),
            ("一试双证 domestic twin", try dual.credential(), true),
            ("一试双证 international twin", try dual.credential(international.id), true),
            ("VC-JWT payload", try payload(.jwt), true),
            ("OB 3.0 JWT payload", try payload(.obJWT), true),
            ("learning-account statement", statement, false),
            ("trust list", try b.ledger.registration.trustList(), false),
            ("message status list", try b.ledger.certificates.statusList(of: b.evaluator.id, purpose: .message), false),
            ("revocation status list", try b.ledger.certificates.statusList(of: b.evaluator.id, purpose: .revocation), false),
            ("suspension status list", try b.ledger.certificates.statusList(of: b.evaluator.id, purpose: .suspension), false),
        ]
    }

    static func coverage(baseURL: String = "http://127.0.0.1:8080") throws -> JSONLDTermCoverage {
        JSONLDTermCoverage(documents: [
            Contexts.vc2: try file("credentials-v2.jsonld"),
            Contexts.ob3: try file("ob-context-3.0.3.json"),
            baseURL + SkillBankContext.path: try JSONParser().parse(SkillBankContext.bytes),
        ])
    }

    @Test func everyCredentialPassesTheOfficialOpenBadgesSchema() throws {
        let schema = try Self.schema.get()
        var checked = 0
        for (kind, document, isAchievement) in try Self.documents() where isAchievement {
            let violations = schema.validate(document)
            #expect(violations.isEmpty, "\(kind): \(violations)")
            checked += 1
        }
        #expect(checked == 7)
    }

    /// The schema check can fail: a certificate issued before (`Fixtures/legacy-bank`) breaks
    /// exactly the four rules the issue found.
    @Test func theSchemaRejectsTheOldShape() throws {
        let old = try JSONParser().parse(Array(try Data(contentsOf: LegacyBankTests.fixture.appendingPathComponent("S001244000007264000001.json"))))
        let found = try Self.schema.get().validate(old)
        let messages = Set(found.map(\.description))
        #expect(messages.contains("$.credentialSubject.achievement: missing required member \"description\""), "\(messages)")
        #expect(messages.contains("$.credentialSubject.achievement.alignment[0]: missing required member \"targetUrl\""))
        #expect(messages.contains("$.credentialStatus: expected object, found array"))
        #expect(messages.contains("$.proof: expected array, found object"))
    }

    @Test func noTermIsDroppedFromAnyDocumentWeEmit() throws {
        let coverage = try Self.coverage()
        var terms = 0
        for (kind, document, _) in try Self.documents() {
            let report = coverage.check(document)
            #expect(report.isClean, "\(kind): dropped \(report.dropped), undefined types \(report.undefinedTypes), errors \(report.errors)")
            #expect(report.defined.count > 5, "\(kind)")
            terms += report.defined.count
        }
        // Every member of every kind was looked at (a checker that skipped documents would count few).
        #expect(terms > 300, "\(terms)")
    }

    /// The checker can fail: an undefined member, an undefined type, a null member and a
    /// protected term redefined are each reported.
    @Test func theTermCheckFindsWhatExpansionWouldDrop() throws {
        let coverage = try Self.coverage()
        let old = try JSONParser().parse(Array(try Data(contentsOf: LegacyBankTests.fixture.appendingPathComponent("crt_01M96YRWGZ72B5VS26HJZ0BCVM.json"))))
        #expect(coverage.check(old).undefinedTypes == ["$.relatedResource[0].type: RelatedCertificate"])
        let oldTrust = try JSONParser().parse(Array(try Data(contentsOf: LegacyBankTests.fixture.appendingPathComponent("trust-list.json"))))
        let oldReport = coverage.check(oldTrust)
        #expect(oldReport.dropped.contains("$.credentialSubject.institutions: no context defines \"institutions\""))
        #expect(oldReport.undefinedTypes.contains("$.type: SkillBankTrustList"))

        guard case .object(var members) = try IssuedBank().credential() else { Issue.record("not an object"); return }
        var subject = members["credentialSubject"]!.objectValue!
        subject["favouriteColour"] = "red"
        subject["source"] = .null
        members["credentialSubject"] = .object(subject)
        let report = coverage.check(.object(members))
        #expect(report.dropped.sorted() == ["$.credentialSubject.favouriteColour: no context defines \"favouriteColour\"",
                                            "$.credentialSubject.source: null (expansion drops null members)"])
        members["@context"] = [.string(Contexts.vc2), .string(Contexts.ob3), ["name": "https://example.org/myName"]]
        #expect(coverage.check(.object(members)).errors.contains("protected term redefinition: name"))
    }

    /// The context every document declares is the one compiled in, pinned by its digest, and
    /// served at the URL the documents name.
    @Test func theSkillBankContextIsPinnedByDigest() throws {
        let url = "http://127.0.0.1:8080" + SkillBankContext.path
        var pinned = 0
        for (kind, document, _) in try Self.documents() where document["@context"]?.arrayValue?.contains(.string(url)) == true {
            let pin = document["relatedResource"]?.arrayValue?.first { $0["id"]?.stringValue == url }
            #expect(pin?["digestMultibase"]?.stringValue == RelatedResourceDigest.multibase(of: SkillBankContext.bytes), "\(kind)")
            pinned += 1
        }
        // Every credential form, the statement and the trust list declare it (the status lists need no term of ours).
        #expect(pinned == 9)
        // Its term definitions are new terms only: none of ours redefines a VC 2.0 or OB 3.0 term.
        let ours = try #require(try JSONParser().parse(SkillBankContext.bytes)["@context"]?.objectValue)
        let theirs = Set((try Self.file("credentials-v2.jsonld")["@context"]?.objectValue ?? [:]).keys)
            .union((try Self.file("ob-context-3.0.3.json")["@context"]?.objectValue ?? [:]).keys)
        #expect(Set(ours.keys.filter { !$0.hasPrefix("@") }).isDisjoint(with: theirs))
    }
}
