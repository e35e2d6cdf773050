import Foundation
import SkillCore
import SkillCredentials
@testable import SkillLedger
import SkillTestSupport
import Testing

/// The issuance rules as pure functions over Standards and plain values: no store.
@Suite struct CertificateIssuanceRuleTests {
    static let standards = try! Standards.load(directory: repositoryStandards)
    static let date = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-12-01

    static func institution(_ id: String, kind: InstitutionKind, code: String = "X", suspended: Bool = false) -> Institution {
        Institution(id: id, name: "机构 \(id)", kind: kind, code: code, province: kind == .international ? nil : "44", isSuspended: suspended,
                    registeredAt: "", accreditations: [], evaluatorCode: "0012", siteSequence: "000007", keys: [])
    }

    static func assessment(level: Int? = 4, kind: AssessmentKind = .skill, dual: String? = nil) -> Assessment {
        Assessment(id: "asm_1", institutionID: "ins_A", kind: kind, occupation: "6-31-01-03", level: level, workType: nil, dualMapping: dual,
                   theoryPassMark: kind == .skill ? 60 : nil, practicalPassMark: 60, scheduledAt: "")
    }

    @Test func aSkillPassIssuesOneSchemeNumberedCertificate() throws {
        let plan = CertificateIssuance.plan(Self.assessment(), evaluator: Self.institution("ins_A", kind: .social), awardingBody: nil,
                                            standards: Self.standards, at: Self.date)
        #expect(plan.count == 1)
        #expect(plan[0].credentialType == "skill-level-certificate" && plan[0].issuer.id == "ins_A" && plan[0].external == nil)
        let parts = try #require(plan[0].numberParts)
        #expect(CertificateNumbering.prefix(parts) == "S0012440000072" + "64")
    }

    @Test func aSpecialPassIsNumberedByItsID() {
        let plan = CertificateIssuance.plan(Self.assessment(level: nil, kind: .special), evaluator: Self.institution("ins_A", kind: .social),
                                            awardingBody: nil, standards: Self.standards, at: Self.date)
        #expect(plan.map(\.credentialType) == ["special-capability-certificate"] && plan[0].numberParts == nil)
    }

    /// 一试双证: the twin is signed by the awarding body when it is registered, active and of
    /// kind international; otherwise the evaluator records it.
    @Test(arguments: [
        ("registered", "ins_I"), ("suspended", "ins_A"), ("absent", "ins_A"), ("wrong kind", "ins_A"),
    ])
    func theTwinsIssuer(_ body: String, expected: String) throws {
        let mapping = try #require(Self.standards.dualMappings.first { $0.occupation == "6-31-01-03" })
        let awarding: Institution? = switch body {
        case "registered": Self.institution("ins_I", kind: .international, code: mapping.externalBodyCode)
        case "suspended": Self.institution("ins_I", kind: .international, code: mapping.externalBodyCode, suspended: true)
        case "wrong kind": Self.institution("ins_I", kind: .social, code: mapping.externalBodyCode)
        default: nil
        }
        let plan = CertificateIssuance.plan(Self.assessment(level: mapping.level, dual: mapping.id), evaluator: Self.institution("ins_A", kind: .social),
                                            awardingBody: awarding, standards: Self.standards, at: Self.date)
        #expect(plan.count == 2)
        #expect(plan[1].credentialType == "international-certificate" && plan[1].external == mapping && plan[1].numberParts == nil)
        #expect(plan[1].issuer.id == expected)
        #expect(plan[0].id != plan[1].id)
    }

    @Test func claimsNameTheTwinAndNeverTheHolder() throws {
        let planned = CertificateIssuance.plan(Self.assessment(), evaluator: Self.institution("ins_A", kind: .social), awardingBody: nil,
                                               standards: Self.standards, at: Self.date)[0]
        let status = StatusEntry.message(index: 5, listCredential: "https://r/1")
        let claims = CertificateIssuance.claims(
            for: planned, number: "S001244000007264000001", twinNumber: "crt_T", occupation: "6-31-01-03", level: 4, standards: Self.standards,
            issuerDID: "did:key:zA", validFrom: "2026-12-01T00:00:00Z", identityHash: "sha256$ab", identityType: "nationalIdentityNumber", status: status,
            registryURL: "https://reg.example")
        #expect(claims.twinID == "urn:skillbank:certificate:crt_T")
        #expect(claims.occupationName == "电工" && claims.levelCode == 4 && claims.issuer.name == "机构 ins_A")
        #expect(claims.alignments.first?.targetCode == "6-31-01-03")
        #expect(claims.alignments.map(\.targetUrl).prefix(2) == ["https://reg.example/occupations/6-31-01-03", "https://reg.example/levels#level-4"])
        // The description is the catalogue's definition of 电工, then what the certificate attests.
        #expect(claims.description.hasPrefix("电工（6-31-01-03）：使用工具") && claims.description.contains("四级/中级工"))
        let credential = try claims.unsignedCredential.canonicalString()
        #expect(credential.contains("sha256$ab") && !credential.contains("identity_salt"))
        #expect(credential.contains("\"statusListIndex\":\"5\"") && credential.contains("\"statusSize\":2"))
    }

    @Test func aResultIsRecordedOnceAndDecidesThePass() throws {
        let enrolled = Candidate(assessmentID: "asm_1", personID: "per_1", status: .enrolled, theory: nil, practical: nil)
        #expect(try CertificateIssuance.decide(Self.assessment(), candidate: enrolled, theory: 60, practical: 60))
        #expect(try !CertificateIssuance.decide(Self.assessment(), candidate: enrolled, theory: 59, practical: 90))
        for status in [CandidateStatus.passed, .failed] {
            let recorded = Candidate(assessmentID: "asm_1", personID: "per_1", status: status, theory: 80, practical: 80)
            #expect { try CertificateIssuance.decide(Self.assessment(), candidate: recorded, theory: 80, practical: 80) }
                throws: { ($0 as? SkillError)?.code == .transitionInvalid }
        }
    }

    @Test func theIssuedEventCarriesIdsAndADigestOnly() {
        let c = CertificateSummary(id: "crt_1", number: "N1", kind: "skill-level-certificate", institutionID: "ins_A", personID: "per_1",
                                   occupation: "6-31-01-03", level: 4, issuedAt: "t", status: .active, twinID: "crt_2")
        let change = CertificateIssuance.issuedEventChange(c, keyDID: "did:key:zA", credentialSHA256: "ff")
        #expect(change["number"] == "N1" && change["twin"] == "crt_2" && change["credential_sha256"] == "ff" && change["key"] == "did:key:zA")
        #expect(change["person"] == nil)
    }
}
