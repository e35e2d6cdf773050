import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import Testing

/// The verifier against hand-made registries: each broken property gives its own reason.
@Suite struct VerifierTests {
    let registry: Ed25519PrivateKey
    let issuer: Ed25519PrivateKey
    var issuerDID: String { DIDKey.did(issuer.publicKey.rawRepresentation) }

    init() throws {
        registry = try Ed25519PrivateKey()
        issuer = try Ed25519PrivateKey()
    }

    func trustList(levels: [Int] = [4], scopeFrom: String = "2020-01-01", scopeUntil: String? = nil,
                   keyFrom: String = "2020-01-01T00:00:00Z", keyUntil: String? = nil) throws -> JSONValue {
        let registryDID = DIDKey.did(registry.publicKey.rawRepresentation)
        let list = TrustList(
            registryName: "Test Registry", registryKeys: [.init(did: registryDID, validFrom: "2020-01-01T00:00:00Z", validUntil: nil)],
            issued: "2026-01-01T00:00:00Z",
            entries: [.init(id: "ins_x", name: "评价机构", kind: "social", code: "X", status: "active",
                            keys: [.init(did: issuerDID, validFrom: keyFrom, validUntil: keyUntil)],
                            scopes: [.init(occupation: "6-31-01-03", levels: levels, validFrom: scopeFrom, validUntil: scopeUntil)])])
        return try DataIntegrityProof.sign(list.unsignedCredential, with: registry, verificationMethod: DIDKey.verificationMethod(registry.publicKey.rawRepresentation), created: list.issued)
    }

    /// A status list of `purpose`; `values` sets entries (1 bit, or 2 in the message list).
    func statusList(_ purpose: String, set: [Int] = [], values: [Int: Int] = [:]) throws -> JSONValue {
        let size = purpose == "message" ? 2 : 1
        var bits = BitstringStatusList(statusSize: size)
        for i in set { bits.setValue(1, at: i, statusSize: size) }
        for (i, v) in values { bits.setValue(v, at: i, statusSize: size) }
        let unsigned = try StatusListCredential.unsigned(id: "urn:test:\(purpose)", issuer: issuerDID, purpose: purpose, validFrom: "2026-01-01T00:00:00Z", list: bits)
        return try DataIntegrityProof.sign(unsigned, with: issuer, verificationMethod: DIDKey.verificationMethod(issuer.publicKey.rawRepresentation), created: "2026-01-01T00:00:00Z")
    }

    func credential(validFrom: String = "2025-06-01T00:00:00Z", validUntil: String? = nil, level: Int = 4, issuerName: String = "评价机构",
                    registrationCode: String = "X", legacyStatus: Bool = false) throws -> JSONValue {
        let claims = CertificateClaims(
            number: "S000044000001254000001", credentialType: "skill-level-certificate", credentialTypeName: "职业技能等级证书",
            issuer: .init(did: issuerDID, name: issuerName, registrationCode: registrationCode), validFrom: validFrom, validUntil: validUntil,
            identityHash: "sha256$00", identityType: "nationalIdentityNumber", occupationCode: "6-31-01-03", occupationName: "电工",
            levelCode: level, levelName: "四级/中级工", criteria: "passed", description: "电工", alignments: [],
            status: .message(index: 7, listCredential: "urn:test:message"), context: SkillBankContext.reference(baseURL: "https://reg.example"))
        guard case .object(var members) = claims.unsignedCredential else { throw SkillError(.jsonMalformed, "not an object") }
        if legacyStatus {
            // The shape of certificates issued before the Open Badges 3.0 schema work.
            members["credentialStatus"] = [
                ["id": "urn:test:revocation#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "7",
                 "statusListCredential": "urn:test:revocation"],
                ["id": "urn:test:suspension#9", "type": "BitstringStatusListEntry", "statusPurpose": "suspension", "statusListIndex": "9",
                 "statusListCredential": "urn:test:suspension"],
            ]
        }
        let signed = try DataIntegrityProof.sign(.object(members), with: issuer, verificationMethod: DIDKey.verificationMethod(issuer.publicKey.rawRepresentation), created: validFrom)
        guard legacyStatus, case .object(var old) = signed else { return signed }
        // …and their proof as one object: the signature does not cover how the proof is attached.
        old["proof"] = DataIntegrityProof.proofs(of: signed)[0]
        return .object(old)
    }

    func lists(revoked: [Int] = [], suspended: [Int] = []) throws -> [JSONValue] {
        var values: [Int: Int] = [:]
        for i in suspended { values[i] = 2 }
        for i in revoked { values[i] = 1 }
        return [try statusList("message", values: values), try statusList("revocation", set: revoked), try statusList("suspension", set: suspended.map { $0 + 2 })]
    }

    func reasons(_ c: JSONValue, trust: JSONValue? = nil, revoked: [Int] = [], suspended: [Int] = [], at: String = "2026-06-01T00:00:00Z") throws -> [VerificationReport.Reason] {
        let verifier = CredentialVerifier(trustList: try trust ?? trustList(), statusLists: try lists(revoked: revoked, suspended: suspended))
        return verifier.verify(credential: c, at: CredentialVerifier.date(at)!).reasons
    }

    @Test func validCertificatePassesEveryCheck() throws {
        let report = CredentialVerifier(trustList: try trustList(), statusLists: try lists())
            .verify(credential: try credential(), at: CredentialVerifier.date("2026-06-01T00:00:00Z")!)
        #expect(report.isValid)
        #expect(report.checks.map(\.name) == ["well-formed", "proof", "trust-list", "issuer", "issuer-name", "key-window", "accreditation",
                                              "status", "not-before"])
    }

    /// One 2-bit entry tells valid, revoked and suspended apart offline; a value the registry
    /// never writes (3), a short list or a malformed statusMessage is "unavailable", never valid.
    @Test func theMessageEntryTellsRevokedFromSuspended() throws {
        let c = try credential()
        #expect(c["credentialStatus"]?["statusSize"] == 2)
        #expect(c["credentialStatus"]?["statusMessage"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == ["valid", "revoked", "suspended", "unused"])
        #expect(try reasons(c, revoked: [7]) == [.revoked])
        #expect(try reasons(c, suspended: [7]) == [.suspended])
        #expect(try reasons(c, revoked: [6, 8], suspended: [9]).isEmpty)
        let at = CredentialVerifier.date("2026-06-01T00:00:00Z")!
        let unused = CredentialVerifier(trustList: try trustList(), statusLists: [try statusList("message", values: [7: 3])]).verify(credential: c, at: at)
        #expect(unused.reasons == [.statusUnavailable] && unused.summary["status"] == "unknown")
        // A 1-bit list of the same length has only half the 2-bit entries needed for herd privacy.
        let halved = try statusList("revocation")
        guard case .object(var short) = halved else { return }
        short["id"] = "urn:test:message"
        var subject = short["credentialSubject"]!.objectValue!
        subject["statusPurpose"] = "message"
        short["credentialSubject"] = .object(subject)
        short["proof"] = nil
        let resigned = try DataIntegrityProof.sign(.object(short), with: issuer, verificationMethod: DIDKey.verificationMethod(issuer.publicKey.rawRepresentation), created: "2026-01-01T00:00:00Z")
        #expect(CredentialVerifier(trustList: try trustList(), statusLists: [resigned]).verify(credential: c, at: at).reasons == [.statusUnavailable])
        // The signed statusMessage decides what a value means; one that lists a value twice is malformed.
        guard case .object(var members) = c else { return }
        var entry = members["credentialStatus"]!.objectValue!
        entry["statusMessage"] = [["status": "0x0", "message": "valid"], ["status": "0x0", "message": "valid"], ["status": "0x2", "message": "suspended"], ["status": "0x3", "message": "unused"]]
        members["credentialStatus"] = .object(entry)
        members["proof"] = nil
        let twice = try DataIntegrityProof.sign(.object(members), with: issuer, verificationMethod: DIDKey.verificationMethod(issuer.publicKey.rawRepresentation), created: "2025-06-01T00:00:00Z")
        #expect(try reasons(twice) == [.statusUnavailable])
    }

    /// Certificates issued before: two 1-bit entries and `proof` as one object still verify,
    /// and their revocation and suspension still show.
    @Test func certificatesOfTheOldShapeStillVerify() throws {
        let old = try credential(legacyStatus: true)
        #expect(old["proof"]?.objectValue != nil && old["credentialStatus"]?.arrayValue?.count == 2)
        let report = CredentialVerifier(trustList: try trustList(), statusLists: try lists())
            .verify(credential: old, at: CredentialVerifier.date("2026-06-01T00:00:00Z")!)
        #expect(report.isValid, "\(report.reasons)")
        #expect(report.checks.map(\.name).contains("status:suspension"))
        #expect(try reasons(old, revoked: [7]) == [.revoked])
        #expect(try reasons(old, suspended: [7]) == [.suspended])  // bit 9 of the suspension list
    }

    @Test func eachFailureHasItsReason() throws {
        #expect(try reasons(credential(level: 3)) == [.issuerNotAccredited])
        #expect(try reasons(credential(), trust: trustList(scopeFrom: "2025-07-01")) == [.issuerNotAccredited])
        #expect(try reasons(credential(), trust: trustList(scopeUntil: "2025-05-31")) == [.issuerNotAccredited])
        #expect(try reasons(credential(), trust: trustList(keyUntil: "2025-01-01T00:00:00Z")) == [.keyNotValidAtIssuance])
        #expect(try reasons(credential(), trust: trustList(keyFrom: "2025-07-01T00:00:00Z")) == [.keyNotValidAtIssuance])
        #expect(try reasons(credential(), revoked: [7]) == [.revoked])
        #expect(try reasons(credential(), suspended: [7]) == [.suspended])
        #expect(try reasons(credential(), revoked: [8], suspended: [8]).isEmpty)
        #expect(try reasons(credential(validUntil: "2026-01-01T00:00:00Z")) == [.expired])
        #expect(try reasons(credential(validFrom: "2026-07-01T00:00:00Z")) == [.notYetValid])
        // An issuer in the trust list signing under another organisation's name or code: every
        // other displayer would show the forged name, so it is refused by name.
        #expect(try reasons(credential(issuerName: "中国电力企业联合会")) == [.issuerNameMismatch])
        #expect(try reasons(credential(registrationCode: "91110000100010433L")) == [.issuerNameMismatch])
        let forgedName = CredentialVerifier(trustList: try trustList(), statusLists: try lists())
            .verify(credential: try credential(issuerName: "中国电力企业联合会"), at: CredentialVerifier.date("2026-06-01T00:00:00Z")!)
        #expect(forgedName.checks.first { $0.name == "issuer-name" }?.detail.contains("评价机构 (X)") == true)
        let otherRegistry = try Ed25519PrivateKey()
        let pinned = CredentialVerifier(trustList: try trustList(), statusLists: [], pinnedRegistry: DIDKey.did(otherRegistry.publicKey.rawRepresentation))
        #expect(pinned.verify(credential: try credential()).reasons.contains(.trustListInvalid))
        #expect(CredentialVerifier(trustList: nil).verify(text: "not json").reasons == [.malformed])
        #expect(CredentialVerifier(trustList: nil).verify(text: "{}").reasons == [.malformed])
    }

    /// The Open Badges 3.0 JWT profile: `typ: JWT` and registered claims that must say what the
    /// credential says; the VC-JOSE-COSE token carries none.
    @Test func theOpenBadgesJWTProfileCarriesClaimsThatMustMatch() throws {
        let verifier = CredentialVerifier(trustList: try trustList(), statusLists: try lists())
        let at = CredentialVerifier.date("2026-06-01T00:00:00Z")!
        guard case .object(var members) = try credential() else { Issue.record("not an object"); return }
        members["proof"] = nil
        let kid = DIDKey.verificationMethod(issuer.publicKey.rawRepresentation)
        let token = try CompactJWS.signOpenBadge(.object(members), with: issuer, kid: kid)
        let decoded = try CompactJWS.decode(token)
        #expect(decoded.header["typ"] == "JWT")
        #expect(decoded.payload["iss"]?.stringValue == issuerDID && decoded.payload["jti"] == members["id"])
        #expect(decoded.payload["nbf"] == .int(Int(CredentialVerifier.date("2025-06-01T00:00:00Z")!.timeIntervalSince1970)))
        #expect(decoded.payload["exp"] == nil)
        let report = verifier.verify(text: token, at: at)
        #expect(report.isValid, "\(report.reasons)")
        #expect(report.checks.contains { $0.name == "jwt-claims" && $0.passed })
        // The issuer's own key signing claims that disagree with the credential.
        var lying = members
        for (claim, value) in CompactJWS.openBadgeClaims(of: .object(members)) { lying[claim] = value }
        lying["jti"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
        let mismatched = try CompactJWS.sign(.object(lying), with: issuer, kid: kid, type: "JWT")
        #expect(verifier.verify(text: mismatched, at: at).reasons == [.jwtClaimsMismatch])
        // A typ JWT token with no claims at all is held to the profile too.
        #expect(verifier.verify(text: try CompactJWS.sign(.object(members), with: issuer, kid: kid, type: "JWT"), at: at).reasons == [.jwtClaimsMismatch])
        // VC-JOSE-COSE: no claims, no claim check.
        let plain = verifier.verify(text: try CompactJWS.sign(.object(members), with: issuer, kid: kid), at: at)
        #expect(plain.isValid && !plain.checks.contains { $0.name == "jwt-claims" })
    }

    @Test func statusListsMustBeTheIssuers() throws {
        // A status list signed by someone else is unavailable, not trusted.
        let stranger = try Ed25519PrivateKey()
        let unsigned = try StatusListCredential.unsigned(id: "urn:test:message", issuer: DIDKey.did(stranger.publicKey.rawRepresentation), purpose: "message", validFrom: "2026-01-01T00:00:00Z", list: BitstringStatusList(statusSize: 2))
        let fake = try DataIntegrityProof.sign(unsigned, with: stranger, verificationMethod: DIDKey.verificationMethod(stranger.publicKey.rawRepresentation), created: "2026-01-01T00:00:00Z")
        let report = CredentialVerifier(trustList: try trustList(), statusLists: [fake])
            .verify(credential: try credential(), at: CredentialVerifier.date("2026-06-01T00:00:00Z")!)
        #expect(report.reasons == [.statusUnavailable])
    }

    @Test func importedTrustListKeysGiveTheSameAnswerAsDecodedOnes() throws {
        let trust = try #require(TrustList.verified(try trustList()).0)
        let known = trust.importedKeys
        let method = DIDKey.verificationMethod(issuer.publicKey.rawRepresentation)
        #expect(Array(known.keys) == [method])
        guard case .object(var tampered) = try credential() else { Issue.record("not an object"); return }
        tampered["name"] = "changed after signing"
        for document in [try credential(), .object(tampered)] {
            let decoded = DataIntegrityProof.verify(document)
            let prepared = DataIntegrityProof.verify(document, knownKeys: known)
            #expect(decoded.isValid == prepared.isValid)
            #expect(decoded.signer == issuerDID && prepared.signer == issuerDID)
            #expect(decoded.publicKey == issuer.publicKey.rawRepresentation && prepared.publicKey == decoded.publicKey)
        }
        #expect(DataIntegrityProof.verify(try credential()).isValid)
        #expect(!DataIntegrityProof.verify(.object(tampered)).isValid)
        // The imported key is the one used: a wrong key under the issuer's method fails the proof.
        let stranger = try Ed25519PrivateKey()
        #expect(!DataIntegrityProof.verify(try credential(), knownKeys: [method: stranger.publicKey]).isValid)
    }

    @Test func oneKeySignsAndVerifiesFromManyThreadsAtOnce() async throws {
        let key = issuer
        let results = await withTaskGroup(of: (Int, Int).self) { group in
            for t in 0..<8 {
                group.addTask {
                    var (good, forged) = (0, 0)
                    for i in 0..<100 {
                        let message = Array("thread \(t) message \(i)".utf8)
                        guard let signature = try? key.signature(for: message) else { continue }
                        if key.publicKey.isValidSignature(signature, for: message) { good += 1 }
                        if key.publicKey.isValidSignature(signature, for: message + [0]) { forged += 1 }
                    }
                    return (good, forged)
                }
            }
            return await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
        }
        #expect(results.map(\.0) == Array(repeating: 100, count: 8))
        #expect(results.allSatisfy { $0.1 == 0 })
    }

    @Test func directReportBytesEqualTheCanonicalFormOfItsJSON() throws {
        let at = CredentialVerifier.date("2026-06-01T00:00:00Z")!
        let verifier = CredentialVerifier(trustList: try trustList(), statusLists: try lists(revoked: [7]))
        guard case .object(var odd) = try credential() else { Issue.record("not an object"); return }
        // Text from the credential lands in the report: quotes, a control character, CJK and a character above U+FFFF.
        odd["issuer"] = ["id": "did:key:z\"odd\"\n𝄞", "name": "机构 \u{1}"]
        odd["name"] = "证书 \\ 𠀀"
        let reports = [
            verifier.verify(credential: try credential(), at: at), verifier.verify(credential: try credential(level: 3), at: at),
            verifier.verify(credential: .object(odd), at: at), verifier.verify(text: "not json", at: at),
            CredentialVerifier(trustList: nil).verify(credential: try credential(validUntil: "2026-01-01T00:00:00Z"), at: at),
        ]
        #expect(Set(reports.map(\.isValid)) == [false])
        for report in reports {
            #expect(report.canonicalJSON() == (try report.json.canonicalBytes()))
        }
        let valid = CredentialVerifier(trustList: try trustList(), statusLists: try lists())
            .verify(credential: try credential(), at: at)
        #expect(valid.isValid)
        #expect(valid.canonicalJSON() == (try valid.json.canonicalBytes()))
    }
}

/// A VC-JWT signed by a key that is not the issuer's fails with a detail that says so.
@Suite struct JWTKeyTests {
    @Test func aJWTSignedByAnotherKeySaysWhoseKeyItIs() throws {
        let issuer = try Ed25519PrivateKey()
        let other = try Ed25519PrivateKey()
        let issuerDID = DIDKey.did(issuer.publicKey.rawRepresentation)
        let claims = CertificateClaims(
            number: "S000044000001254000001", credentialType: "skill-level-certificate", credentialTypeName: "职业技能等级证书",
            issuer: .init(did: issuerDID, name: "评价机构", registrationCode: "X"), validFrom: "2025-06-01T00:00:00Z", validUntil: nil,
            identityHash: "sha256$00", identityType: "nationalIdentityNumber", occupationCode: "6-31-01-03", occupationName: "电工",
            levelCode: 4, levelName: "四级/中级工", criteria: "passed", description: "电工", alignments: [],
            status: .message(index: 1, listCredential: "urn:test:message"), context: SkillBankContext.reference(baseURL: "https://reg.example"))
        let jwt = try CompactJWS.sign(claims.unsignedCredential, with: other, kid: DIDKey.verificationMethod(other.publicKey.rawRepresentation))
        let proof = try #require(CredentialVerifier(trustList: nil).verify(text: jwt).checks.first { $0.name == "proof" })
        #expect(!proof.passed && proof.reason == .proofInvalid)
        #expect(proof.detail.contains("not by the issuer") && !proof.detail.contains("signature by did"), "\(proof.detail)")
    }
}
