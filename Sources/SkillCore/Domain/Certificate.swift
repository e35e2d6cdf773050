/// A certificate's status. Revocation is final; suspension can be lifted.
public enum CertificateStatus: String, Sendable, CaseIterable, Hashable {
    case active, suspended, revoked
}

/// What a certificate's status can change to.
public enum StatusChange: String, Sendable, CaseIterable {
    case revoke, suspend, reinstate

    /// The status the change leads to.
    public var target: CertificateStatus {
        switch self {
        case .revoke: .revoked
        case .suspend: .suspended
        case .reinstate: .active
        }
    }

    /// The event type that records it.
    public var eventType: String {
        switch self {
        case .revoke: "certificate.revoked"
        case .suspend: "certificate.suspended"
        case .reinstate: "certificate.reinstated"
        }
    }
}

/// The Bitstring Status Lists each issuer keeps. Certificates issued since the Open Badges 3.0
/// schema work carry one `message` entry of 2 bits (valid, revoked, suspended), as that schema
/// allows one `credentialStatus`; older ones carry a revocation and a suspension entry of 1 bit,
/// and those lists are still kept for them.
public enum StatusPurpose: String, Sendable, CaseIterable, Hashable {
    case revocation, suspension, message

    /// Bits per entry.
    public var statusSize: Int { self == .message ? 2 : 1 }

    /// The entry's value for a certificate in `status`: a set bit in the 1-bit lists; in the
    /// message list 0 valid, 1 revoked, 2 suspended (3 is never written).
    public func value(for status: CertificateStatus) -> Int {
        switch self {
        case .revocation: status == .revoked ? 1 : 0
        case .suspension: status == .suspended ? 1 : 0
        case .message: status == .revoked ? 1 : status == .suspended ? 2 : 0
        }
    }

    /// The message list's `statusMessage`: what each value means, in the order of the values.
    public static let messages = ["valid", "revoked", "suspended", "unused"]
}

/// A certificate as the registry lists it (the signed credential is fetched separately).
public struct CertificateSummary: Sendable, Hashable {
    public let id: String
    public let number: String
    public let kind: String
    public let institutionID: String
    public let personID: String
    public let occupation: String
    public let level: Int?
    public let issuedAt: String
    public let status: CertificateStatus
    public let twinID: String?

    public init(
        id: String, number: String, kind: String, institutionID: String, personID: String, occupation: String, level: Int?,
        issuedAt: String, status: CertificateStatus, twinID: String?
    ) {
        self.id = id
        self.number = number
        self.kind = kind
        self.institutionID = institutionID
        self.personID = personID
        self.occupation = occupation
        self.level = level
        self.issuedAt = issuedAt
        self.status = status
        self.twinID = twinID
    }

    public var json: JSONValue {
        [
            "id": .string(id), "number": .string(number), "kind": .string(kind), "institution": .string(institutionID),
            "person": .string(personID), "occupation": .string(occupation), "level": .optional(level), "issued_at": .string(issuedAt),
            "status": .string(status.rawValue), "twin": .optional(twinID),
        ]
    }
}

/// A certificate with everything a store keeps about it beside the summary.
public struct StoredCertificate: Sendable, Hashable {
    public let summary: CertificateSummary
    public let assessmentID: String?
    /// The key that signed it.
    public let keyID: String
    public let revocationIndex: Int
    public let suspensionIndex: Int
    /// The identity salt, sealed like all personal data.
    public let saltCiphertext: [UInt8]
    /// The signed credential's canonical JSON.
    public let credential: [UInt8]
    /// The `certificate.issued` event.
    public let eventID: String

    public init(
        summary: CertificateSummary, assessmentID: String?, keyID: String, revocationIndex: Int, suspensionIndex: Int,
        saltCiphertext: [UInt8], credential: [UInt8], eventID: String
    ) {
        self.summary = summary
        self.assessmentID = assessmentID
        self.keyID = keyID
        self.revocationIndex = revocationIndex
        self.suspensionIndex = suspensionIndex
        self.saltCiphertext = saltCiphertext
        self.credential = credential
        self.eventID = eventID
    }

    /// The certificate's index in the issuer's list for `purpose`. The message list uses the
    /// revocation index: both lists have the same 131,072 entries and the index is unique per issuer.
    public func index(for purpose: StatusPurpose) -> Int { purpose == .suspension ? suspensionIndex : revocationIndex }
}

/// A holder's share of a certificate: a secret that lets whoever holds it fetch the certificate's
/// bundle by number, until it expires. Only its SHA-256 is kept.
public struct CertificateShare: Sendable, Hashable {
    public let id: String
    public let certificateID: String
    public let createdAt: String
    public let expiresAt: String

    public init(id: String, certificateID: String, createdAt: String, expiresAt: String) {
        self.id = id
        self.certificateID = certificateID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public var json: JSONValue {
        ["id": .string(id), "certificate": .string(certificateID), "created_at": .string(createdAt), "expires_at": .string(expiresAt)]
    }
}

/// What proves that a caller may read a certificate by its number: what the holder knows
/// (their name or ID number, matched through the blind indexes) or a share the holder made.
public enum HolderProof: Sendable, Hashable {
    case name(String)
    case idNumber(IDType, String)
    case share(String)
}
