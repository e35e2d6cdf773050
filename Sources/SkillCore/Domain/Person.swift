/// A worker as the registry shows them: masked, never in clear.
public struct PersonSummary: Sendable, Hashable {
    public let id: String
    public let idType: IDType
    public let maskedIDNumber: String
    public let maskedName: String
    public let registeredAt: String

    public init(id: String, idType: IDType, maskedIDNumber: String, maskedName: String, registeredAt: String) {
        self.id = id
        self.idType = idType
        self.maskedIDNumber = maskedIDNumber
        self.maskedName = maskedName
        self.registeredAt = registeredAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "id_type": .string(idType.rawValue), "id_number": .string(maskedIDNumber),
            "name": .string(maskedName), "registered_at": .string(registeredAt),
        ]
    }
}

/// A worker as a store keeps them: the masked summary, blind indexes (HMAC) for look-ups and
/// ciphertext (AES-GCM) for the operator's display. Never the name or number in clear.
public struct SealedPerson: Sendable, Hashable {
    public let summary: PersonSummary
    public let idIndex: [UInt8]
    public let idCiphertext: [UInt8]
    public let nameIndex: [UInt8]
    public let nameCiphertext: [UInt8]

    public init(summary: PersonSummary, idIndex: [UInt8], idCiphertext: [UInt8], nameIndex: [UInt8], nameCiphertext: [UInt8]) {
        self.summary = summary
        self.idIndex = idIndex
        self.idCiphertext = idCiphertext
        self.nameIndex = nameIndex
        self.nameCiphertext = nameCiphertext
    }
}

/// Why a person's personal data is destroyed. A fixed list, so no free text (which could hold a
/// name) is kept about an erasure.
public enum ErasureReason: String, Sendable, CaseIterable {
    /// The person asked (PIPL art. 47, GDPR art. 17).
    case request
    /// The retention period ended.
    case retention
    /// A court or authority ordered it.
    case courtOrder = "court-order"
    /// The person died and their heirs asked.
    case deceased
}
