import Foundation
import SkillCore
import SkillCrypto

/// W3C Data Integrity EdDSA Cryptosuites v1.0, `eddsa-jcs-2022` (§3.3): JCS, not JSON-LD,
/// so signing and verifying need no context processing.
public enum DataIntegrityProof {
    public static let cryptosuite = "eddsa-jcs-2022"

    /// What checking a proof found.
    public struct Check: Sendable {
        /// Whether the signature verifies under the key the verification method names.
        public let isValid: Bool
        /// The verification method the proof names (a did:key URL for us).
        public let verificationMethod: String?
        /// The public key it resolved to.
        public let publicKey: [UInt8]?
        /// The did:key DID of that key (the verification method without its fragment).
        public let signer: String?
        /// The proof's `created` time.
        public let created: String?
        /// Why it failed, for the report.
        public let problem: String?
    }

    /// `hashData` of §3.3.4: SHA-256 of the canonical proof configuration followed by SHA-256
    /// of the canonical unsecured document (64 bytes, the message Ed25519 signs).
    /// - Throws: `json.not-canonicalizable`.
    public static func hashData(unsecuredDocument: JSONValue, proofConfiguration: JSONValue) throws(SkillError) -> [UInt8] {
        SHA256.hash(try proofConfiguration.canonicalBytes()) + SHA256.hash(try unsecuredDocument.canonicalBytes())
    }

    /// A secured document and its canonical bytes (what the registry stores and hashes).
    public struct Secured: Sendable {
        public let document: JSONValue
        public let canonicalBytes: [UInt8]
    }

    /// Adds a `DataIntegrityProof` to `document` (§3.3.1 Create Proof), as a proof set of one.
    /// - Parameters:
    ///   - document: a JSON object without a `proof` member.
    ///   - key: the signing key.
    ///   - verificationMethod: the key's id (`did:key:…#…`).
    ///   - created: an RFC 3339 time.
    ///   - proofPurpose: `assertionMethod` for credentials.
    /// - Returns: the secured document.
    /// - Throws: `input.invalid-field` when `document` is not an object or already has a proof; `crypto.failure`.
    public static func sign(
        _ document: JSONValue, with key: Ed25519PrivateKey, verificationMethod: String, created: String,
        proofPurpose: String = "assertionMethod"
    ) throws(SkillError) -> JSONValue {
        try secure(document, with: key, verificationMethod: verificationMethod, created: created, proofPurpose: proofPurpose).document
    }

    /// `sign`, also returning the secured document's canonical bytes. The document's members are
    /// canonicalised once: the hashed (unsecured) form and the stored (secured) form share them.
    /// - Throws: as `sign`.
    public static func secure(
        _ document: JSONValue, with key: Ed25519PrivateKey, verificationMethod: String, created: String,
        proofPurpose: String = "assertionMethod"
    ) throws(SkillError) -> Secured {
        guard case .object(var members) = document, members["proof"] == nil else {
            throw SkillError(.invalidField, "only a JSON object without a proof can be signed", field: "proof")
        }
        // The proof configuration repeats the document's @context (§3.3.1 step 3).
        var proof: [String: JSONValue] = [
            "type": "DataIntegrityProof", "cryptosuite": .string(cryptosuite), "created": .string(created),
            "verificationMethod": .string(verificationMethod), "proofPurpose": .string(proofPurpose),
        ]
        if let context = members["@context"] { proof["@context"] = context }
        let unsecured = try JSONValue.CanonicalMembers(document)
        // hashData (§3.3.4): SHA-256 of the proof configuration, then of the unsecured document.
        let message = SHA256.hash(try JSONValue.object(proof).canonicalBytes()) + SHA256.hash(unsecured.bytes())
        proof["proofValue"] = .string("z" + Base58.encode(try key.signature(for: message)))
        // A proof set of one (Data Integrity §2.1.1): Open Badges 3.0's schema wants `proof` as an array.
        members["proof"] = [.object(proof)]
        let proofBytes = [UInt8(ascii: "[")] + (try JSONValue.object(proof).canonicalBytes()) + [UInt8(ascii: "]")]
        return Secured(document: .object(members), canonicalBytes: unsecured.bytes(adding: [("proof", proofBytes)]))
    }

    /// The proofs a secured document carries: `proof` as one object (documents signed before
    /// proofs became a set) or as an array.
    public static func proofs(of document: JSONValue) -> [JSONValue] {
        guard let proof = document["proof"] else { return [] }
        return proof.arrayValue ?? [proof]
    }

    /// Checks the proof on a secured document (§3.3.2 Verify Proof). A "no" is a result,
    /// never a thrown error.
    /// - Parameters:
    ///   - document: the secured document.
    ///   - knownKeys: keys already imported, by verification method id (a prepared verifier
    ///     passes its trust list's keys); any other did:key is decoded and imported here.
    /// - Returns: the check, with the key the proof names.
    public static func verify(_ document: JSONValue, knownKeys: [String: Ed25519PublicKey] = [:]) -> Check {
        func fail(_ why: String, _ method: String? = nil) -> Check {
            Check(isValid: false, verificationMethod: method, publicKey: nil, signer: nil, created: nil, problem: why)
        }
        guard case .object(var members) = document, let attached = members.removeValue(forKey: "proof") else {
            return fail("the document has no proof")
        }
        // Each proof of a set signs the document without `proof` (§4.3); ours are sets of one.
        let set = attached.arrayValue ?? [attached]
        guard set.count == 1, case .object(var proof) = set[0] else {
            return fail(set.count == 1 ? "the proof is not an object" : "the document has \(set.count) proofs; a SkillBank document has exactly one")
        }
        guard proof["type"] == "DataIntegrityProof", proof["cryptosuite"] == .string(cryptosuite) else {
            return fail("the proof is not a DataIntegrityProof with cryptosuite \(cryptosuite)")
        }
        let method = proof["verificationMethod"]?.stringValue
        guard let method, let key = knownKeys[method] ?? DIDKey.publicKey(from: method).flatMap({ try? Ed25519PublicKey(rawRepresentation: $0) })
        else { return fail("the verification method is not an Ed25519 did:key", method) }
        guard case .string(let value)? = proof.removeValue(forKey: "proofValue"), value.hasPrefix("z"),
            let signature = Base58.decode(String(value.dropFirst())), signature.count == 64
        else { return fail("proofValue is not a base58btc Ed25519 signature", method) }
        if let context = proof["@context"], context != members["@context"] {
            return fail("the proof's @context differs from the document's", method)
        }
        guard let message = try? hashData(unsecuredDocument: .object(members), proofConfiguration: .object(proof)) else {
            return fail("the document cannot be canonicalized", method)
        }
        let ok = key.isValidSignature(signature, for: message)
        // A resolved method is `did:key:z…#z…` with both halves equal (or the DID alone), and base58btc
        // has one spelling per key, so the part before `#` is the key's DID.
        let signer = method.utf8.firstIndex(of: UInt8(ascii: "#")).map { String(method[..<$0]) } ?? method
        return Check(
            isValid: ok, verificationMethod: method, publicKey: key.rawRepresentation, signer: signer, created: proof["created"]?.stringValue,
            problem: ok ? nil : "the signature does not verify")
    }
}

/// VC-JOSE-COSE compact JWS (W3C Recommendation 2025, §3.1.1): the payload is the credential
/// itself, the protected header `{"alg":"EdDSA","kid":…,"typ":"vc+jwt"}`.
public enum CompactJWS {
    /// Serialises `credential` (without an embedded proof) as a compact JWS.
    /// - Throws: `json.not-canonicalizable`, `crypto.failure`.
    public static func sign(_ credential: JSONValue, with key: Ed25519PrivateKey, kid: String, type: String = "vc+jwt") throws(SkillError) -> String {
        let header: JSONValue = ["alg": "EdDSA", "kid": .string(kid), "typ": .string(type)]
        let signingInput = Base64URL.encode(try header.canonicalBytes()) + "." + Base64URL.encode(try credential.canonicalBytes())
        return signingInput + "." + Base64URL.encode(try key.signature(for: Array(signingInput.utf8)))
    }

    /// Serialises `credential` in the Open Badges 3.0 JWT profile (OB 3.0 §8.2): the protected
    /// header `{"alg":"EdDSA","kid":…,"typ":"JWT"}`, and the credential's members with the
    /// registered claims beside them: `iss` = issuer id, `jti` = credential id, `nbf` =
    /// validFrom and `exp` = validUntil (NumericDate seconds), `sub` = the subject's id when it
    /// has one.
    /// - Throws: `json.not-canonicalizable`, `crypto.failure`.
    public static func signOpenBadge(_ credential: JSONValue, with key: Ed25519PrivateKey, kid: String) throws(SkillError) -> String {
        guard case .object(var members) = credential else { throw SkillError(.jsonMalformed, "a credential is a JSON object") }
        for (claim, value) in openBadgeClaims(of: credential) { members[claim] = value }
        return try sign(.object(members), with: key, kid: kid, type: "JWT")
    }

    /// The registered claims the OB 3.0 JWT profile derives from a credential.
    public static func openBadgeClaims(of credential: JSONValue) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [:]
        claims["iss"] = (credential["issuer"]?["id"] ?? credential["issuer"]).flatMap { $0.stringValue.map(JSONValue.string) }
        claims["jti"] = credential["id"]?.stringValue.map(JSONValue.string)
        claims["nbf"] = credential["validFrom"]?.stringValue.flatMap(Timestamp.parse).map { .int(Int($0.timeIntervalSince1970)) }
        claims["exp"] = credential["validUntil"]?.stringValue.flatMap(Timestamp.parse).map { .int(Int($0.timeIntervalSince1970)) }
        claims["sub"] = credential["credentialSubject"]?["id"]?.stringValue.map(JSONValue.string)
        return claims
    }

    /// What a compact JWS holds once its signature is checked.
    public struct Decoded: Sendable {
        public let header: JSONValue
        public let payload: JSONValue
        public let isValid: Bool
        public let publicKey: [UInt8]?
    }

    /// Parses and checks a compact JWS whose `kid` is an Ed25519 did:key (or whose key is given).
    /// - Parameter publicKey: the key to use when the header names none.
    /// - Returns: the decoded parts; `isValid` says whether the signature verifies.
    /// - Throws: `json.malformed` when it is not a compact JWS with JSON header and payload.
    public static func decode(_ token: String, publicKey: [UInt8]? = nil) throws(SkillError) -> Decoded {
        let parts = token.trimmingSpaces.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = Base64URL.decode(String(parts[0])), let p = Base64URL.decode(String(parts[1])),
            let s = Base64URL.decode(String(parts[2]))
        else { throw SkillError(.jsonMalformed, "not a compact JWS (three base64url parts)") }
        let header = try JSONParser().parse(h)
        let payload = try JSONParser().parse(p)
        guard header["alg"] == "EdDSA" else { throw SkillError(.jsonMalformed, "the JWS alg is not EdDSA", field: "alg") }
        let raw = header["kid"]?.stringValue.flatMap(DIDKey.publicKey(from:)) ?? publicKey
        var ok = false
        if let raw, let key = try? Ed25519PublicKey(rawRepresentation: raw) {
            ok = key.isValidSignature(s, for: Array("\(parts[0]).\(parts[1])".utf8))
        }
        return Decoded(header: header, payload: payload, isValid: ok, publicKey: raw)
    }
}
