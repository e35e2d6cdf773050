import Foundation
import SkillCore
import SkillCrypto

/// The result of verifying a certificate: a verdict and every check with a stable reason
/// code. A "no" is a result, not an error (compare swift-certificates' validation result).
public struct VerificationReport: Sendable {
    /// Stable reason codes for failed checks.
    public enum Reason: String, Sendable, CaseIterable {
        case malformed, proofInvalid = "proof-invalid", trustListInvalid = "trust-list-invalid", issuerUnknown = "issuer-unknown"
        case keyNotValidAtIssuance = "key-not-valid-at-issuance", issuerNotAccredited = "issuer-not-accredited"
        /// The credential names its issuer (name or registration code) otherwise than the trust
        /// list does for the key that signed it.
        case issuerNameMismatch = "issuer-name-mismatch"
        /// An OB 3.0 JWT whose registered claims (`iss`, `jti`, `nbf`, `exp`, `sub`) say otherwise
        /// than the credential it carries.
        case jwtClaimsMismatch = "jwt-claims-mismatch"
        /// A related credential presented with this one is not the one its `relatedResource`
        /// digest names (a 一试双证 twin swapped or altered).
        case relatedResourceDigestMismatch = "related-resource-digest-mismatch"
        case revoked, suspended, statusUnavailable = "status-unavailable", expired, notYetValid = "not-yet-valid"
        case logProofInvalid = "log-proof-invalid", checkpointTooOld = "checkpoint-too-old"
    }

    public struct Check: Sendable {
        public let name: String
        public let passed: Bool
        public let reason: Reason?
        public let detail: String
    }

    public let checks: [Check]
    /// What the certificate says, for display (no personal data: the subject is a hash).
    public let summary: [String: String]

    public var isValid: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    public var reasons: [Reason] { checks.compactMap(\.reason) }

    public var json: JSONValue {
        [
            "verdict": .string(isValid ? "valid" : "invalid"),
            "reasons": .array(reasons.map { .string($0.rawValue) }),
            "checks": .array(checks.map { c in
                ["check": .string(c.name), "passed": .bool(c.passed), "reason": .optional(c.reason?.rawValue), "detail": .string(c.detail)]
            }),
            // One representation: the level is the five-level code as a number, as everywhere else.
            "certificate": .object(summary.mapValues(JSONValue.string).merging(summary["level"].flatMap(Int.init).map { ["level": .int($0)] } ?? [:]) { _, n in n }),
        ]
    }

    /// `json` in RFC 8785 form, written straight to bytes: the same bytes as
    /// `json.canonicalBytes()` without building and sorting the dictionaries first (the HTTP
    /// verify route sends one per request).
    public func canonicalJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_536)
        func raw(_ text: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        func string(_ text: String) { JSONValue.appendCanonical(text, to: &out) }
        // Members in UTF-16 order: certificate, checks, reasons, verdict; check, detail, passed, reason.
        raw("{\"certificate\":{")
        for (i, key) in summary.keys.sorted(by: JSONValue.precedesInUTF16).enumerated() {
            if i > 0 { raw(",") }
            string(key)
            raw(":")
            if key == "level", let n = Int(summary[key]!) { out.append(contentsOf: Array(String(n).utf8)) } else { string(summary[key]!) }
        }
        raw("},\"checks\":[")
        for (i, c) in checks.enumerated() {
            raw(i > 0 ? ",{\"check\":" : "{\"check\":")
            string(c.name)
            raw(",\"detail\":")
            string(c.detail)
            raw(c.passed ? ",\"passed\":true,\"reason\":" : ",\"passed\":false,\"reason\":")
            if let reason = c.reason { string(reason.rawValue) } else { raw("null") }
            raw("}")
        }
        raw("],\"reasons\":[")
        for (i, reason) in reasons.enumerated() {
            if i > 0 { raw(",") }
            string(reason.rawValue)
        }
        raw(isValid ? "],\"verdict\":\"valid\"}" : "],\"verdict\":\"invalid\"}")
        return out
    }
}

/// Verifies SkillBank certificates offline: well-formed → proof valid for the issuer's key →
/// issuer in the registry's signed trust list → key valid when the certificate was issued →
/// issuer accredited for that occupation and level on that date → status bits not set →
/// within its validity period.
public struct CredentialVerifier: Sendable {
    /// A status list checked once, when the verifier is made.
    struct PreparedList: Sendable {
        let signer: String?
        let purpose: String?
        let asOf: String
        let bits: BitstringStatusList?
    }

    /// The trust list, or why it was refused; nil when none was given.
    let trust: TrustList?
    let trustProblem: String?
    let trustGiven: Bool
    let lists: [String: PreparedList]
    /// The trust list's keys, imported once.
    let keys: [String: Ed25519PublicKey]
    /// Accept only trust lists signed by this registry DID (also applied to bundles).
    let pinnedRegistry: String?

    /// Prepares a verifier: the trust list's and status lists' proofs are checked and the
    /// lists decoded once here, so each certificate then costs one signature check.
    /// - Parameters:
    ///   - trustList: the registry's signed trust list.
    ///   - statusLists: status list credentials (any issuers).
    ///   - pinnedRegistry: accept only a trust list signed by this DID.
    public init(trustList: JSONValue?, statusLists: [JSONValue] = [], pinnedRegistry: String? = nil) {
        trustGiven = trustList != nil
        self.pinnedRegistry = pinnedRegistry
        if let trustList {
            (trust, trustProblem) = TrustList.verified(trustList, pinnedRegistry: pinnedRegistry)
        } else {
            (trust, trustProblem) = (nil, nil)
        }
        keys = trust?.importedKeys ?? [:]
        lists = Self.prepare(statusLists, keys: keys, into: [:])
    }

    private init(copying other: CredentialVerifier, lists: [String: PreparedList]) {
        trust = other.trust
        trustProblem = other.trustProblem
        trustGiven = other.trustGiven
        keys = other.keys
        pinnedRegistry = other.pinnedRegistry
        self.lists = lists
    }

    /// Checks each list's proof and decodes it; for a list `into` already holds, the newer (by
    /// `validFrom`) is kept.
    private static func prepare(_ statusLists: [JSONValue], keys: [String: Ed25519PublicKey], into lists: [String: PreparedList]) -> [String: PreparedList] {
        var prepared = lists
        for list in statusLists {
            guard let id = list["id"]?.stringValue else { continue }
            let asOf = list["validFrom"]?.stringValue ?? "?"
            if let held = prepared[id], held.bits != nil, held.asOf >= asOf { continue }
            let proof = DataIntegrityProof.verify(list, knownKeys: keys)
            let bits = proof.isValid ? list["credentialSubject"]?["encodedList"]?.stringValue.flatMap { try? BitstringStatusList(encoded: $0) } : nil
            prepared[id] = PreparedList(
                signer: proof.isValid ? proof.signer : nil, purpose: list["credentialSubject"]?["statusPurpose"]?.stringValue, asOf: asOf, bits: bits)
        }
        return prepared
    }

    /// This verifier with more status lists (a bundle's): where both have a list, the newer counts,
    /// so a bundle made before a revocation does not outvote the registry's current list.
    public func merging(statusLists: [JSONValue]) -> CredentialVerifier {
        CredentialVerifier(copying: self, lists: Self.prepare(statusLists, keys: keys, into: lists))
    }

    /// Verifies a credential given as JSON (with an embedded proof) or as a VC-JWT string.
    /// - Parameter related: credentials presented with it (its 一试双证 twin): a `relatedResource`
    ///   entry that names one of them by id and carries a digest must match it.
    public func verify(text: String, at time: Date = Date(), related: [JSONValue] = []) -> VerificationReport {
        let trimmed = text.trimmingSpaces
        if !trimmed.hasPrefix("{") {
            guard let decoded = try? CompactJWS.decode(trimmed) else {
                return VerificationReport(checks: [.init(name: "well-formed", passed: false, reason: .malformed, detail: "neither JSON nor a compact JWS")], summary: [:])
            }
            return verify(credential: decoded.payload, at: time, jws: decoded, related: related)
        }
        guard let value = try? JSONParser().parse(trimmed) else {
            return VerificationReport(checks: [.init(name: "well-formed", passed: false, reason: .malformed, detail: "not valid JSON")], summary: [:])
        }
        if value["type"]?.stringValue == CertificateBundle.type { return verify(document: value, at: time) }
        return verify(credential: value, at: time, related: related)
    }

    /// Verifies a parsed document: a certificate bundle (judged with its own lists, and with this
    /// verifier's too when it holds a trust list, the newer of each counting) or a credential
    /// with an embedded proof.
    public func verify(document value: JSONValue, at time: Date = Date()) -> VerificationReport {
        if value["type"]?.stringValue == CertificateBundle.type {
            // A verifier that holds the registry's trust list judges the bundle's credential with
            // its own lists too, the newer of each winning; the log proof is the bundle's.
            return CertificateBundle.verify(value, at: time, pinnedRegistry: pinnedRegistry, verifier: trustGiven ? self : nil)
        }
        return verify(credential: value, at: time)
    }

    /// Verifies a parsed credential; `jws` carries the signature check when it came as a VC-JWT.
    public func verify(credential: JSONValue, at time: Date = Date(), jws: CompactJWS.Decoded? = nil, related: [JSONValue] = []) -> VerificationReport {
        var checks: [VerificationReport.Check] = []
        func add(_ name: String, _ passed: Bool, _ reason: VerificationReport.Reason?, _ detail: String) {
            checks.append(.init(name: name, passed: passed, reason: passed ? nil : reason, detail: detail))
        }

        // 1. Well-formed.
        let types = credential["type"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if types.contains(StatementCredential.type), jws == nil { return verifyStatement(credential, at: time) }
        let issuerDID = credential["issuer"]?["id"]?.stringValue ?? credential["issuer"]?.stringValue
        let achievement = credential["credentialSubject"]?["achievement"]
        let validFrom = credential["validFrom"]?.stringValue
        let occupation = achievement?["fieldOfStudy"]?.stringValue.map { String($0.prefix { $0 != " " }) }
        let level = achievement?["tag"]?.arrayValue?.compactMap(\.stringValue).first { $0.hasPrefix("level-") }.flatMap { Int($0.dropFirst(6)) }
        var summary: [String: String] = [:]
        summary["id"] = credential["id"]?.stringValue
        summary["name"] = credential["name"]?.stringValue
        summary["issuer"] = credential["issuer"]?["name"]?.stringValue
        summary["issuer_did"] = issuerDID
        summary["occupation"] = achievement?["fieldOfStudy"]?.stringValue
        summary["level"] = level.map(String.init)
        summary["valid_from"] = validFrom
        summary["valid_until"] = credential["validUntil"]?.stringValue
        guard types.contains("VerifiableCredential"), types.contains("OpenBadgeCredential"), let issuerDID, let validFrom,
            let issued = Self.date(validFrom), let occupation
        else {
            add("well-formed", false, .malformed, "not an OpenBadgeCredential with issuer, validFrom and an achievement")
            return VerificationReport(checks: checks, summary: summary)
        }
        add("well-formed", true, nil, "VC 2.0 OpenBadgeCredential")

        // 2. Proof.
        if let jws {
            let byIssuer = jws.publicKey.map(DIDKey.did) == issuerDID
            add("proof", jws.isValid && byIssuer, .proofInvalid,
                !jws.isValid ? "the JWS signature does not verify"
                    : byIssuer ? "VC-JWT EdDSA signature by the issuer's key"
                    : "the JWS is signed by \(jws.header["kid"]?.stringValue ?? "a key it does not name"), not by the issuer \(issuerDID)")
            // The OB 3.0 profile's registered claims must say what the credential says; a VC-JOSE-COSE
            // token (typ vc+jwt) carries none, and any it does carry are held to the same rule.
            let expected = CompactJWS.openBadgeClaims(of: credential)
            let present = ["iss", "jti", "nbf", "exp", "sub"].filter { credential[$0] != nil }
            if jws.header["typ"]?.stringValue == "JWT" || !present.isEmpty {
                let wrong = ["iss", "jti", "nbf", "exp", "sub"].filter { credential[$0] != expected[$0] }
                add("jwt-claims", wrong.isEmpty, .jwtClaimsMismatch,
                    wrong.isEmpty ? "iss, jti, nbf\(expected["exp"] == nil ? "" : ", exp")\(expected["sub"] == nil ? "" : ", sub") match the credential"
                        : "the JWT's \(wrong.joined(separator: ", ")) do not match the credential")
            }
        } else {
            let proof = DataIntegrityProof.verify(credential, knownKeys: keys)
            let byIssuer = proof.signer == issuerDID
            add("proof", proof.isValid && byIssuer, .proofInvalid,
                proof.isValid ? (byIssuer ? "eddsa-jcs-2022 signature by the issuer's key" : "signed by a key that is not the issuer's") : (proof.problem ?? "invalid"))
        }

        // Related credentials presented with it must be the ones its digests name.
        for entry in credential["relatedResource"]?.arrayValue ?? [] {
            guard let id = entry["id"]?.stringValue, let digest = entry["digestMultibase"]?.stringValue,
                let other = related.first(where: { $0["id"]?.stringValue == id })
            else { continue }
            let matches = (try? other.canonicalBytes()).map(RelatedResourceDigest.multibase(of:)) == digest
            add("related:\(id)", matches, .relatedResourceDigestMismatch,
                matches ? "the related certificate presented is the one this certificate was issued with"
                    : "the related certificate presented is not the one this certificate names (its digest differs)")
        }

        // 3. Trust list and issuer.
        if trustGiven {
            add("trust-list", trust != nil, .trustListInvalid, trust.map { "signed by the registry \($0.registryName), issued \($0.issued)" } ?? (trustProblem ?? ""))
        } else {
            add("trust-list", false, .issuerUnknown, "no trust list was given, so the issuer cannot be checked")
        }
        guard let trust else { return finish(checks, summary, credential, time, issued) }
        guard let (entry, key) = trust.issuer(withKey: issuerDID) else {
            add("issuer", false, .issuerUnknown, "\(issuerDID) is not a key of any institution in the trust list")
            return VerificationReport(checks: checks, summary: summary)
        }
        add("issuer", true, nil, "\(entry.name) (\(entry.kind), \(entry.status))")
        // Every displayer shows the name the credential carries, so it must be the registry's.
        let claimedName = credential["issuer"]?["name"]?.stringValue
        let claimedCodes = credential["issuer"]?["otherIdentifier"]?.arrayValue?.compactMap { $0["identifier"]?.stringValue } ?? []
        let named = claimedName == entry.name && (claimedCodes.isEmpty || claimedCodes.contains(entry.code))
        add("issuer-name", named, .issuerNameMismatch,
            named ? "named as the trust list names it"
                : "the credential names its issuer \"\(claimedName ?? "")\"\(claimedCodes.isEmpty ? "" : " (" + claimedCodes.joined(separator: ", ") + ")"); "
                    + "the trust list records \(entry.name) (\(entry.code)) for this key")
        summary["issuer"] = entry.name

        // 4. The key was the issuer's key when the certificate was issued.
        let keyFrom = Self.date(key.validFrom)
        let keyUntil = key.validUntil.flatMap(Self.date)
        let keyOK = (keyFrom.map { issued >= $0.addingTimeInterval(-1) } ?? false) && (keyUntil.map { issued < $0 } ?? true)
        add("key-window", keyOK, .keyNotValidAtIssuance,
            "key valid \(key.validFrom) – \(key.validUntil ?? "now"); issued \(validFrom)")

        // 5. Accreditation scope on the day of issue (China Standard Time).
        let day = CalendarDate(issued).description
        let scoped = entry.scopes.contains { $0.covers(occupation: occupation, level: level, day: day) }
        add("accreditation", scoped, .issuerNotAccredited,
            scoped ? "accredited for \(occupation)\(level.map { " level \($0)" } ?? "") on \(day)" : "not accredited for \(occupation)\(level.map { " level \($0)" } ?? "") on \(day)")

        return finish(checks, summary, credential, time, issued)
    }

    private func finish(
        _ checks: [VerificationReport.Check], _ summary: [String: String], _ credential: JSONValue, _ time: Date, _ issued: Date
    ) -> VerificationReport {
        var checks = checks
        var summary = summary
        func add(_ name: String, _ passed: Bool, _ reason: VerificationReport.Reason?, _ detail: String) {
            checks.append(.init(name: name, passed: passed, reason: passed ? nil : reason, detail: detail))
        }
        // 6. Status: one 2-bit `message` entry (valid, revoked, suspended), or, on certificates
        // issued before it, a revocation and a suspension entry of one bit each.
        let issuerDID = credential["issuer"]?["id"]?.stringValue ?? ""
        var state = "active"
        guard let entries = StatusEntry.entries(of: credential) else {
            add("status", false, .statusUnavailable, "the credential's status entry is malformed")
            summary["status"] = "unknown"
            return finishValidity(checks, summary, credential, time, issued)
        }
        for entry in entries {
            let name = entries.count == 1 && entry.size > 1 ? "status" : "status:\(entry.purpose)"
            guard let list = lists[entry.listCredential] else {
                add(name, false, .statusUnavailable, "no \(entry.purpose) status list \(entry.listCredential) was given")
                state = "unknown"
                continue
            }
            // The list must be signed by a key of the same institution (it may have rotated since).
            let signerOwner = list.signer.flatMap { trust?.issuer(withKey: $0)?.0.id }
            let sameIssuer = list.signer == issuerDID || (signerOwner != nil && signerOwner == trust?.issuer(withKey: issuerDID)?.0.id)
            // Herd privacy: a list of fewer than 131,072 entries is not accepted.
            guard sameIssuer, list.purpose == entry.purpose, let bits = list.bits,
                bits.entries(statusSize: entry.size) >= BitstringStatusList.minimumLength,
                let value = bits.value(at: entry.index, statusSize: entry.size)
            else {
                add(name, false, .statusUnavailable, "the \(entry.purpose) status list is not valid, not the issuer's, or too short")
                state = "unknown"
                continue
            }
            let asOf = list.asOf
            // What the value means: the entry's own statusMessage, or the purpose of a 1-bit list.
            let meaning = entry.size > 1 ? entry.messages[value] : value == 0 ? "valid" : entry.purpose == "suspension" ? "suspended" : "revoked"
            switch meaning {
            case "valid":
                add(name, true, nil, entry.size > 1 ? "valid as of \(asOf)" : "not \(entry.purpose == "suspension" ? "suspended" : "revoked") as of \(asOf)")
            case "revoked", "suspended":
                add(name, false, meaning == "revoked" ? .revoked : .suspended, "\(meaning) (list of \(asOf))")
                if state != "revoked" { state = meaning }
            default:
                add(name, false, .statusUnavailable, "the status list says \"\(meaning)\" (value \(value)), which is not a status this registry writes")
                state = "unknown"
            }
        }
        if entries.isEmpty { add("status", false, .statusUnavailable, "the credential has no status entry") }
        summary["status"] = state
        return finishValidity(checks, summary, credential, time, issued)
    }

    private func finishValidity(
        _ checks: [VerificationReport.Check], _ summary: [String: String], _ credential: JSONValue, _ time: Date, _ issued: Date
    ) -> VerificationReport {
        var checks = checks
        func add(_ name: String, _ passed: Bool, _ reason: VerificationReport.Reason?, _ detail: String) {
            checks.append(.init(name: name, passed: passed, reason: passed ? nil : reason, detail: detail))
        }
        // 7. Validity period.
        add("not-before", time >= issued, .notYetValid, "valid from \(credential["validFrom"]?.stringValue ?? "?")")
        if let until = credential["validUntil"]?.stringValue {
            let end = Self.date(until)
            add("not-after", end.map { time <= $0 } ?? false, .expired, "valid until \(until)")
        }
        return VerificationReport(checks: checks, summary: summary)
    }

    /// Parses an RFC 3339 time as written by the registry (`YYYY-MM-DDTHH:MM:SSZ`).
    public static func date(_ text: String) -> Date? { Timestamp.parse(text) }
}
