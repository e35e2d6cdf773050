import SkillCore
import SkillCrypto

/// The registry's signed list of institutions it trusts: each one's kind, status, key
/// history with validity windows, and accreditation scopes with dates. Verifiers use it to
/// decide whether an issuer was allowed to award a certificate when it did.
public struct TrustList: Sendable {
    public struct Key: Sendable, Hashable {
        public let did: String
        public let validFrom: String
        public let validUntil: String?
        public init(did: String, validFrom: String, validUntil: String?) {
            self.did = did
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }

    public struct Scope: Sendable, Hashable {
        public let occupation: String
        public let levels: [Int]
        public let validFrom: String
        public let validUntil: String?
        public init(occupation: String, levels: [Int], validFrom: String, validUntil: String?) {
            self.occupation = occupation
            self.levels = levels
            self.validFrom = validFrom
            self.validUntil = validUntil
        }

        /// Whether the scope covers the level (nil: any level) of the occupation on `day` (YYYY-MM-DD).
        public func covers(occupation: String, level: Int?, day: String) -> Bool {
            self.occupation == occupation && (level.map(levels.contains) ?? true) && validFrom <= day && (validUntil.map { day <= $0 } ?? true)
        }
    }

    public struct Entry: Sendable {
        public let id: String
        public let name: String
        public let kind: String
        public let code: String
        public let status: String
        public let keys: [Key]
        public let scopes: [Scope]
        public init(id: String, name: String, kind: String, code: String, status: String, keys: [Key], scopes: [Scope]) {
            self.id = id
            self.name = name
            self.kind = kind
            self.code = code
            self.status = status
            self.keys = keys
            self.scopes = scopes
        }
    }

    public let registryName: String
    public let registryKeys: [Key]
    public let issued: String
    public let entries: [Entry]
    /// Where each institution key sits: entry index and key index (the first entry wins, as a
    /// scan in list order would find it).
    private let keyIndex: [String: (entry: Int, key: Int)]

    /// The SkillBank JSON-LD context the signed list declares and pins (its terms are ours).
    public let context: SkillBankContext.Reference?

    public init(registryName: String, registryKeys: [Key], issued: String, entries: [Entry], context: SkillBankContext.Reference? = nil) {
        self.context = context
        self.registryName = registryName
        self.registryKeys = registryKeys
        self.issued = issued
        self.entries = entries
        var index: [String: (entry: Int, key: Int)] = [:]
        for (e, entry) in entries.enumerated() {
            for (k, key) in entry.keys.enumerated() where index[key.did] == nil { index[key.did] = (e, k) }
        }
        keyIndex = index
    }

    /// The entry whose key history holds `did`, with that key.
    public func issuer(withKey did: String) -> (Entry, Key)? {
        keyIndex[did].map { (entries[$0.entry], entries[$0.entry].keys[$0.key]) }
    }

    /// Every institution key, imported once, by verification method id (`did:key:z…#z…`), for
    /// checking many proofs without decoding and importing the same keys again.
    public var importedKeys: [String: Ed25519PublicKey] {
        var keys: [String: Ed25519PublicKey] = [:]
        for did in keyIndex.keys {
            guard let raw = DIDKey.publicKey(from: did), let key = try? Ed25519PublicKey(rawRepresentation: raw) else { continue }
            keys[DIDKey.verificationMethod(raw)] = key
        }
        return keys
    }

    /// The unsigned trust-list credential, issued by the registry's current key. A member
    /// with no value (a key or scope with no end) is left out, not null.
    public var unsignedCredential: JSONValue {
        func keyJSON(_ k: Key) -> JSONValue { ["did": .string(k.did), "validFrom": .string(k.validFrom), "validUntil": .optional(k.validUntil)] }
        var credential: [String: JSONValue] = [
            "@context": .array([.string(Contexts.vc2)] + (context.map { [.string($0.url)] } ?? [])),
            "type": ["VerifiableCredential", "SkillBankTrustList"],
            "issuer": [
                "id": .string(registryKeys.last { $0.validUntil == nil }?.did ?? registryKeys.last?.did ?? ""),
                "name": .string(registryName),
            ],
            "validFrom": .string(issued),
            "credentialSubject": [
                "type": "TrustList",
                "registryKeys": .array(registryKeys.map(keyJSON)),
                "institutions": .array(entries.map { e in
                    [
                        "id": .string(e.id), "name": .string(e.name), "kind": .string(e.kind), "code": .string(e.code),
                        "status": .string(e.status), "keys": .array(e.keys.map(keyJSON)),
                        "scopes": .array(e.scopes.map { s in
                            ["occupation": .string(s.occupation), "levels": .array(s.levels.map { .int($0) }),
                             "validFrom": .string(s.validFrom), "validUntil": .optional(s.validUntil)]
                        }),
                    ]
                }),
            ],
        ]
        if let context { credential["relatedResource"] = [context.relatedResource] }
        return JSONValue.object(credential).withoutNullMembers
    }

    /// Reads a signed trust list and checks its proof against the registry key it names
    /// (and, when given, against the registry DID the verifier pins).
    /// - Returns: the list, or nil with the reason when it is malformed or its proof fails.
    public static func verified(_ document: JSONValue, pinnedRegistry: String? = nil) -> (TrustList?, String?) {
        let check = DataIntegrityProof.verify(document)
        guard check.isValid else { return (nil, "the trust list's proof does not verify: \(check.problem ?? "")") }
        guard let subject = document["credentialSubject"], let issued = document["validFrom"]?.stringValue,
            let issuerDID = document["issuer"]?["id"]?.stringValue, let publicKey = check.publicKey
        else { return (nil, "the trust list is malformed") }
        guard DIDKey.did(publicKey) == issuerDID else { return (nil, "the trust list is not signed by its issuer's key") }
        if let pinnedRegistry, pinnedRegistry != issuerDID { return (nil, "the trust list is signed by \(issuerDID), not the pinned registry") }
        func keys(_ v: JSONValue?) -> [Key] {
            (v?.arrayValue ?? []).compactMap { k in
                k["did"]?.stringValue.map { Key(did: $0, validFrom: k["validFrom"]?.stringValue ?? "", validUntil: k["validUntil"]?.stringValue) }
            }
        }
        let entries = (subject["institutions"]?.arrayValue ?? []).compactMap { e -> Entry? in
            guard let id = e["id"]?.stringValue else { return nil }
            return Entry(
                id: id, name: e["name"]?.stringValue ?? "", kind: e["kind"]?.stringValue ?? "", code: e["code"]?.stringValue ?? "",
                status: e["status"]?.stringValue ?? "", keys: keys(e["keys"]),
                scopes: (e["scopes"]?.arrayValue ?? []).compactMap { s in
                    guard let o = s["occupation"]?.stringValue, let from = s["validFrom"]?.stringValue else { return nil }
                    return Scope(occupation: o, levels: (s["levels"]?.arrayValue ?? []).compactMap(\.intValue), validFrom: from,
                                 validUntil: s["validUntil"]?.stringValue)
                })
        }
        return (TrustList(registryName: document["issuer"]?["name"]?.stringValue ?? "", registryKeys: keys(subject["registryKeys"]),
                          issued: issued, entries: entries), nil)
    }
}

/// A status list credential (W3C Bitstring Status List v1.0 §2.2) for one issuer and purpose.
public enum StatusListCredential {
    /// The unsigned credential holding `list`.
    public static func unsigned(id: String, issuer: String, purpose: String, validFrom: String, list: BitstringStatusList) throws(SkillError) -> JSONValue {
        [
            "@context": [.string(Contexts.vc2)],
            "id": .string(id),
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": .string(issuer),
            "validFrom": .string(validFrom),
            "credentialSubject": [
                "id": .string("\(id)#list"), "type": "BitstringStatusList", "statusPurpose": .string(purpose),
                "encodedList": .string(try list.encoded()),
            ],
        ]
    }
}
