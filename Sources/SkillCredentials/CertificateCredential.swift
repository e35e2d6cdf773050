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

    public init(purpose: String, index: Int, listCredential: String) {
        self.purpose = purpose
        self.index = index
        self.listCredential = listCredential
    }

    /// The entry as a credential holds it (the index in decimal, as the spec's string).
    var json: JSONValue {
        [
            "id": .string("\(listCredential)#\(index)"), "type": "BitstringStatusListEntry", "statusPurpose": .string(purpose),
            "statusListIndex": .string(String(index)), "statusListCredential": .string(listCredential),
        ]
    }

    init?(json: JSONValue) {
        guard json["type"] == "BitstringStatusListEntry", let purpose = json["statusPurpose"]?.stringValue,
            let index = json["statusListIndex"]?.stringValue.flatMap(Int.init), index >= 0,
            let list = json["statusListCredential"]?.stringValue
        else { return nil }
        self.init(purpose: purpose, index: index, listCredential: list)
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
        public let note: String?
        public init(targetName: String, targetFramework: String, targetCode: String, note: String? = nil) {
            self.targetName = targetName
            self.targetFramework = targetFramework
            self.targetCode = targetCode
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
    public var alignments: [Alignment]
    public var status: [StatusEntry]
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
        levelCode: Int?, levelName: String?, criteria: String, alignments: [Alignment], status: [StatusEntry], twinID: String? = nil,
        externalTitle: String? = nil, externalLevel: String? = nil
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
        self.alignments = alignments
        self.status = status
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
            "criteria": ["narrative": .string(criteria)],
            "fieldOfStudy": .string("\(occupationCode) \(occupationName)"),
            "alignment": .array(alignments.map { a in
                var o: [String: JSONValue] = [
                    "type": ["Alignment"], "targetName": .string(a.targetName), "targetFramework": .string(a.targetFramework),
                    "targetCode": .string(a.targetCode),
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
            "@context": [.string(Contexts.vc2), .string(Contexts.ob3)],
            "id": .string(Self.credentialID(number: number)),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": .string(title),
            "issuer": [
                "id": .string(issuer.did), "type": ["Profile"], "name": .string(issuer.name),
                "otherIdentifier": [["type": "IdentifierEntry", "identifier": .string(issuer.registrationCode), "identifierType": "identifier"]],
            ],
            "validFrom": .string(validFrom),
            "credentialSubject": .object(subject),
            "credentialStatus": .array(status.map(\.json)),
        ]
        if let validUntil { credential["validUntil"] = .string(validUntil) }
        if let twinID {
            var related: [String: JSONValue] = ["id": .string(twinID), "type": ["RelatedCertificate"]]
            if let twinDigest { related["digestMultibase"] = .string(twinDigest) }
            credential["relatedResource"] = [.object(related)]
        }
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
