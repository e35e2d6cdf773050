import SkillCore
import SkillCredentials
import SkillCrypto
import Testing

/// A credential signed through its template is byte for byte the credential signed from its
/// JSON (Ed25519 signatures are deterministic, so the whole signed text can be compared).
@Suite struct CredentialTemplateTests {
    static func claims(
        number: String, hash: String, indices: (Int, Int), twin: String?, level: Int?, workType: String?, external: Bool, name: String
    ) -> CertificateClaims {
        var claims = CertificateClaims(
            number: number, credentialType: external ? "international-certificate" : "skill-level-certificate", credentialTypeName: "职业技能等级证书",
            issuer: .init(did: "did:key:z6MkTest", name: name, registrationCode: "51440000MJ0000001R"), validFrom: "2026-11-29T00:00:00Z",
            identityHash: hash, identityType: "nationalIdentityNumber", occupationCode: "6-31-01-03", occupationName: "电工", workType: workType,
            levelCode: level, levelName: level.map { "\($0)级" }, criteria: "Passed \"theory\" and practical\\n",
            alignments: [.init(targetName: "6-31-01-03 电工", targetFramework: "国家职业分类大典 (2022)", targetCode: "6-31-01-03"),
                         .init(targetName: "HKQF level 3", targetFramework: "hkqf", targetCode: "3", note: "crosswalk status: illustrative")],
            status: [.init(purpose: "revocation", index: indices.0, listCredential: "http://127.0.0.1:8080/v1/status-lists/ins_x/revocation"),
                     .init(purpose: "suspension", index: indices.1, listCredential: "http://127.0.0.1:8080/v1/status-lists/ins_x/suspension")],
            twinID: twin.map { CertificateClaims.credentialID(number: $0) })
        if external {
            claims.externalTitle = "Electrician (Hong Kong) \u{1}"
            claims.externalLevel = "QF 3"
        }
        return claims
    }

    @Test(arguments: [
        (twin: false, level: true, workType: false, external: false),
        (twin: true, level: true, workType: true, external: false),
        (twin: true, level: false, workType: false, external: true),
        (twin: false, level: false, workType: true, external: false),
    ])
    func aTemplatedCredentialIsTheSignedJSONCredential(twin: Bool, level: Bool, workType: Bool, external: Bool) throws {
        let key = try Ed25519PrivateKey()
        let method = DIDKey.verificationMethod(key.publicKey.rawRepresentation)
        var template: CertificateClaims.Template?
        let signer = try DataIntegrityProof.Signer(
            key: key, verificationMethod: method, created: "2026-11-29T00:00:00Z", context: [.string(Contexts.vc2), .string(Contexts.ob3)])
        var rng = SystemRandomNumberGenerator()
        for n in 0..<40 {
            // Numbers, hashes and twins of every length, with characters JCS escapes.
            let claims = Self.claims(
                number: "S00124400000726400" + String(repeating: "9", count: n % 7) + (n % 5 == 0 ? "\"\\\u{7}" : ""),
                hash: "sha256$" + String(repeating: "ab", count: n), indices: (Int.random(in: 0..<131_072, using: &rng), n),
                twin: twin ? "crt_" + String(n) + (n % 3 == 0 ? "é😀" : "") : nil, level: level ? 3 : nil, workType: workType ? "维修电工" : nil,
                external: external, name: "广东省电工职业技能评价中心（示例）")
            if template == nil { template = try claims.template() }
            let unsecured = try #require(template!.unsignedCredential(claims))
            let viaTemplate = try signer.secure(canonical: unsecured, context: template!.context)
            let viaJSON = try DataIntegrityProof.secure(
                claims.unsignedCredential, with: key, verificationMethod: method, created: "2026-11-29T00:00:00Z")
            #expect(viaTemplate == viaJSON.canonicalBytes)
            #expect(viaTemplate == (try viaJSON.document.canonicalBytes()))
        }
        let unsecured = try #require(template?.unsignedCredential(Self.claims(
            number: "1", hash: "h", indices: (1, 2), twin: twin ? "t" : nil, level: level ? 3 : nil, workType: workType ? "维修电工" : nil,
            external: external, name: "广东省电工职业技能评价中心（示例）")))
        #expect(throws: SkillError.self) { try signer.secure(canonical: unsecured, context: [.string(Contexts.vc2)]) }
    }

    /// Claims that differ in anything but their own fields do not share a template: it refuses them.
    @Test func aTemplateRefusesClaimsThatDifferInMoreThanTheirOwnFields() throws {
        let a = Self.claims(number: "1", hash: "h1", indices: (1, 2), twin: "t1", level: 3, workType: nil, external: false, name: "甲")
        let b = Self.claims(number: "2", hash: "h2", indices: (3, 4), twin: "t2", level: 3, workType: nil, external: false, name: "甲")
        #expect(a.shared == b.shared)
        let template = try a.template()
        #expect(template.unsignedCredential(b) != nil)
        for other in [
            Self.claims(number: "1", hash: "h1", indices: (1, 2), twin: nil, level: 3, workType: nil, external: false, name: "甲"),
            Self.claims(number: "1", hash: "h1", indices: (1, 2), twin: "t1", level: 2, workType: nil, external: false, name: "甲"),
            Self.claims(number: "1", hash: "h1", indices: (1, 2), twin: "t1", level: 3, workType: "x", external: false, name: "甲"),
            Self.claims(number: "1", hash: "h1", indices: (1, 2), twin: "t1", level: 3, workType: nil, external: true, name: "甲"),
            Self.claims(number: "1", hash: "h1", indices: (1, 2), twin: "t1", level: 3, workType: nil, external: false, name: "乙"),
        ] {
            #expect(other.shared != a.shared)
            #expect(template.unsignedCredential(other) == nil)
        }
    }
}
