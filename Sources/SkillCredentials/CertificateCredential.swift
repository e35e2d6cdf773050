import SkillCore
import SkillCrypto

/// The JSON-LD contexts a SkillBank certificate declares: VC 2.0 and Open Badges 3.0.
public enum Contexts {
    public static let vc2 = "https://www.w3.org/ns/credentials/v2"
    public static let ob3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
}

/// A Bitstring Status List entry inside a credential (W3C Bitstring Status List v1.0 §2.1).
public struct StatusEntry: Sendable, Hashable {
    public let purpose: String
    public let index: Int
    public let listCredential: String
    /// Bits per entry; above 1 the entry carries `messages`.
    public let size: Int
    /// `statusMessage`: the meaning of each value 0, 1, … (2^size of them), when size > 1.
    public let messages: [String]

    public init(purpose: String, index: Int, listCredential: String, size: Int = 1, messages: [String] = []) {
        self.purpose = purpose
        self.index = index
        self.listCredential = listCredential
        self.size = size
        self.messages = messages
    }

    /// The one entry a certificate carries since the Open Badges 3.0 schema work: 2 bits in the
    /// issuer's `message` list, 0 valid, 1 revoked, 2 suspended.
    public static func message(index: Int, listCredential: String) -> StatusEntry {
        StatusEntry(purpose: StatusPurpose.message.rawValue, index: index, listCredential: listCredential,
                    size: StatusPurpose.message.statusSize, messages: StatusPurpose.messages)
    }

    /// The entry as a credential holds it (the index in decimal, as the spec's string; status
    /// values as the spec's hexadecimal strings).
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string("\(listCredential)#\(index)"), "type": "BitstringStatusListEntry", "statusPurpose": .string(purpose),
            "statusListIndex": .string(String(index)), "statusListCredential": .string(listCredential),
        ]
        if size > 1 {
            o["statusSize"] = .int(size)
            o["statusMessage"] = .array(messages.enumerated().map { ["status": .string("0x" + String($0, radix: 16)), "message": .string($1)] })
        }
        return .object(o)
    }

    init?(json: JSONValue) {
        guard json["type"] == "BitstringStatusListEntry", let purpose = json["statusPurpose"]?.stringValue,
            let index = json["statusListIndex"]?.stringValue.flatMap(Int.init), index >= 0,
            let list = json["statusListCredential"]?.stringValue
        else { return nil }
        let size = json["statusSize"]?.intValue ?? 1
        guard size >= 1, size <= 8 else { return nil }
        // statusMessage lists every value once, in any order; it is kept here by value.
        var messages = [String](repeating: "", count: 1 << size)
        if size > 1 {
            guard let listed = json["statusMessage"]?.arrayValue, listed.count == 1 << size else { return nil }
            for m in listed {
                guard let text = m["status"]?.stringValue, text.hasPrefix("0x"), let v = Int(text.dropFirst(2), radix: 16), v < 1 << size,
                    messages[v].isEmpty, let message = m["message"]?.stringValue, !message.isEmpty
                else { return nil }
                messages[v] = message
            }
        }
        self.init(purpose: purpose, index: index, listCredential: list, size: size, messages: size > 1 ? messages : [])
    }

    /// The entries of a credential: one object (the Open Badges 3.0 shape) or an array (older
    /// certificates); nil when any entry is malformed.
    public static func entries(of credential: JSONValue) -> [StatusEntry]? {
        guard let status = credential["credentialStatus"] else { return [] }
        let items = status.arrayValue ?? [status]
        let parsed = items.compactMap(StatusEntry.init(json:))
        return parsed.count == items.count ? parsed : nil
    }
}

/// What a skill certificate says, before it is shaped as an Open Badges 3.0
/// `OpenBadgeCredential` (a W3C VC 2.0) and signed.
public struct CertificateClaims: Sendable, Hashable {
    public struct Issuer: Sendable, Hashable {
        public let did: String
        public let name: String
        /// 统一社会信用代码, or an international body's own registration code.
        public let registrationCode: String
        public init(did: String, name: String, registrationCode: String) {
            self.did = did
            self.name = name
            self.registrationCode = registrationCode
        }
    }

    public struct Alignment: Sendable, Hashable {
        public let targetName: String
        public let targetFramework: String
        public let targetCode: String
        /// The page that describes the target (Open Badges 3.0 requires one).
        public let targetUrl: String
        public let note: String?
        public init(targetName: String, targetFramework: String, targetCode: String, targetUrl: String, note: String? = nil) {
            self.targetName = targetName
            self.targetFramework = targetFramework
            self.targetCode = targetCode
            self.targetUrl = targetUrl
            self.note = note
        }
    }

    public var number: String
    /// A credential type id from Standards (`skill-level-certificate`, …).
    public var credentialType: String
    public var credentialTypeName: String
    public var issuer: Issuer
    public var validFrom: String
    public var validUntil: String?
    /// `sha256$` + hex of SHA-256(ID number ‖ salt); the salt is never published.
    public var identityHash: String
    /// OB 3.0 identifier type: `nationalIdentityNumber` for 居民身份证, `identifier` otherwise.
    public var identityType: String
    public var occupationCode: String
    public var occupationName: String
    public var workType: String?
    public var levelCode: Int?
    public var levelName: String?
    public var criteria: String
    /// What the achievement is: the occupation's definition and what the certificate attests.
    public var description: String
    public var alignments: [Alignment]
    public var status: StatusEntry
    /// The registry's SkillBank JSON-LD context (URL and digest), declared third and pinned.
    public var context: SkillBankContext.Reference
    /// The other certificate of a 一试双证 pair.
    public var twinID: String?
    /// The twin's `digestMultibase` (see `RelatedResourceDigest`), when the twin was signed
    /// before this credential: the international twin carries its domestic certificate's.
    public var twinDigest: String?
    /// For an international certificate record: the external title and level.
    public var externalTitle: String?
    public var externalLevel: String?
    /// Only when the worker opts in at export.
    public var subjectName: String?

    public init(
        number: String, credentialType: String, credentialTypeName: String, issuer: Issuer, validFrom: String, validUntil: String? = nil,
        identityHash: String, identityType: String, occupationCode: String, occupationName: String, workType: String? = nil,
        levelCode: Int?, levelName: String?, criteria: String, description: String, alignments: [Alignment], status: StatusEntry,
        context: SkillBankContext.Reference, twinID: String? = nil, externalTitle: String? = nil, externalLevel: String? = nil
    ) {
        self.number = number
        self.credentialType = credentialType
        self.credentialTypeName = credentialTypeName
        self.issuer = issuer
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.identityHash = identityHash
        self.identityType = identityType
        self.occupationCode = occupationCode
        self.occupationName = occupationName
        self.workType = workType
        self.levelCode = levelCode
        self.levelName = levelName
        self.criteria = criteria
        self.description = description
        self.alignments = alignments
        self.status = status
        self.context = context
        self.twinID = twinID
        self.externalTitle = externalTitle
        self.externalLevel = externalLevel
    }

    /// The credential id: the certificate number as a URN.
    public static func credentialID(number: String) -> String { "urn:skillbank:certificate:\(number)" }

    /// The unsigned credential (VC 2.0 data model, Open Badges 3.0 shape).
    public var unsignedCredential: JSONValue {
        let title = externalTitle ?? [credentialTypeName, occupationName, levelName].compactMap { $0 }.joined(separator: " ")
        var achievement: [String: JSONValue] = [
            "id": .string("urn:skillbank:achievement:\(credentialType):\(occupationCode):\(levelCode.map(String.init) ?? "-")"),
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": .string(title),
            "description": .string(description),
            "criteria": ["narrative": .string(criteria)],
            "fieldOfStudy": .string("\(occupationCode) \(occupationName)"),
            "alignment": .array(alignments.map { a in
                var o: [String: JSONValue] = [
                    "type": ["Alignment"], "targetName": .string(a.targetName), "targetFramework": .string(a.targetFramework),
                    "targetCode": .string(a.targetCode), "targetUrl": .string(a.targetUrl),
                ]
                if let note = a.note { o["targetDescription"] = .string(note) }
                return .object(o)
            }),
            "tag": .array([.string(credentialType), .string(occupationCode)] + (levelCode.map { [.string("level-\($0)")] } ?? [])),
        ]
        if let workType { achievement["specialization"] = .string(workType) }
        if let externalLevel { achievement["humanCode"] = .string(externalLevel) }
        var subject: [String: JSONValue] = [
            "type": ["AchievementSubject"],
            "identifier": [["type": "IdentityObject", "hashed": true, "identityHash": .string(identityHash), "identityType": .string(identityType)]],
            "achievement": .object(achievement),
        ]
        if let subjectName { subject["name"] = .string(subjectName) }
        var credential: [String: JSONValue] = [
            "@context": [.string(Contexts.vc2), .string(Contexts.ob3), .string(context.url)],
            "id": .string(Self.credentialID(number: number)),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": .string(title),
            "issuer": [
                "id": .string(issuer.did), "type": ["Profile"], "name": .string(issuer.name),
                "otherIdentifier": [["type": "IdentifierEntry", "identifier": .string(issuer.registrationCode), "identifierType": "identifier"]],
            ],
            "validFrom": .string(validFrom),
            "credentialSubject": .object(subject),
            "credentialStatus": status.json,
        ]
        if let validUntil { credential["validUntil"] = .string(validUntil) }
        var related: [JSONValue] = [context.relatedResource]
        if let twinID {
            var twin: [String: JSONValue] = ["id": .string(twinID), "type": ["RelatedCertificate"]]
            if let twinDigest { twin["digestMultibase"] = .string(twinDigest) }
            related.append(.object(twin))
        }
        credential["relatedResource"] = .array(related)
        return .object(credential)
    }
}

/// VC 2.0 §5.3 integrity of a related resource: `digestMultibase` is the multibase
/// (base64url without padding, prefix `u`) of a SHA-256 multihash (`0x12 0x20` ‖ digest) of the
/// resource's bytes; for a credential, its RFC 8785 canonical bytes as signed.
///
/// The twins of a 一试双证 pair name each other, so only one can carry the other's digest: the
/// international twin, signed second, carries the domestic certificate's.
public enum RelatedResourceDigest {
    public static func multibase(of bytes: [UInt8]) -> String {
        "u" + Base64URL.encode([0x12, 0x20] + SHA256.hash(bytes))
    }
}
