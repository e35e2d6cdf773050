/// What an institution is, which decides what it may do.
public enum InstitutionKind: String, Sendable, CaseIterable, Codable {
    /// A training provider (培训机构): publishes courses, records completions.
    case training
    /// An employer evaluator (用人单位, letter Y in certificate numbers).
    case employer
    /// A social training and evaluation organisation (社会培训评价组织, letter S).
    case social
    /// An international or cross-border awarding body.
    case international

    /// Whether this kind evaluates and certifies (runs assessments, signs certificates).
    public var isEvaluator: Bool { self == .employer || self == .social }
    /// Whether this kind holds a signing key (everyone but training providers).
    public var signs: Bool { self != .training }
}

/// A registered institution.
public struct Institution: Sendable, Hashable {
    public let id: String
    public let name: String
    public let kind: InstitutionKind
    /// 统一社会信用代码 for domestic institutions, the body's own registration code for international ones.
    public let code: String
    public let province: String?
    public let isSuspended: Bool
    public let registeredAt: String
    public let accreditations: [Accreditation]
    public let evaluatorCode: String
    public let siteSequence: String
    /// Key history, oldest first (empty for training providers).
    public let keys: [KeyRecord]

    public init(
        id: String, name: String, kind: InstitutionKind, code: String, province: String?, isSuspended: Bool, registeredAt: String,
        accreditations: [Accreditation], evaluatorCode: String, siteSequence: String, keys: [KeyRecord]
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.code = code
        self.province = province
        self.isSuspended = isSuspended
        self.registeredAt = registeredAt
        self.accreditations = accreditations
        self.evaluatorCode = evaluatorCode
        self.siteSequence = siteSequence
        self.keys = keys
    }

    /// The key that signs now, if any.
    public var currentKey: KeyRecord? { keys.last { $0.validUntil == nil } }

    public var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "kind": .string(kind.rawValue), "code": .string(code),
            "province": .optional(province), "status": .string(isSuspended ? "suspended" : "active"),
            "registered_at": .string(registeredAt), "accreditations": .array(accreditations.map(\.json)),
            "evaluator_code": .string(evaluatorCode), "site_sequence": .string(siteSequence), "keys": .array(keys.map(\.json)),
        ]
    }

    /// Checks that the institution is active and accredited for `level` of `occupation` on `date`.
    /// - Throws: `ledger.institution-suspended`, `ledger.out-of-accreditation-scope`.
    public func requireScope(occupation: String, level: Int?, on date: CalendarDate) throws(SkillError) {
        guard !isSuspended else {
            throw SkillError(.institutionSuspended, "institution \(id) is suspended")
        }
        guard accreditations.contains(where: { $0.covers(occupation: occupation, level: level, on: date) }) else {
            throw SkillError(.outOfScope, "institution \(id) is not accredited for \(occupation)\(level.map { " at level \($0)" } ?? "") on \(date)")
        }
    }
}

/// An accreditation scope: an occupation, a set of levels, and the dates it is valid.
public struct Accreditation: Sendable, Hashable {
    public let id: String
    public let occupation: String
    public let levels: [Int]
    public let validFrom: CalendarDate
    public let validUntil: CalendarDate?

    public init(id: String, occupation: String, levels: [Int], validFrom: CalendarDate, validUntil: CalendarDate?) {
        self.id = id
        self.occupation = occupation
        self.levels = levels
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Whether the scope covers `level` of `occupation` on `date`; a nil level (专项职业能力,
    /// which has no level) needs only the occupation.
    public func covers(occupation: String, level: Int?, on date: CalendarDate) -> Bool {
        self.occupation == occupation && (level.map(levels.contains) ?? true) && validFrom <= date && (validUntil.map { date <= $0 } ?? true)
    }

    public var json: JSONValue {
        [
            "id": .string(id), "occupation": .string(occupation), "levels": .array(levels.map { .int($0) }),
            "valid_from": .string(validFrom.description), "valid_until": .optional(validUntil?.description),
        ]
    }
}

/// What registering an institution needs.
public struct InstitutionRegistration: Sendable {
    public var name: String
    public var kind: InstitutionKind
    public var code: String
    public var province: String?
    /// 评价机构代码 in certificate numbers: 0001–9999 when filed with MOHRSS, 0000 when filed with a province.
    public var evaluatorCode: String
    /// 机构(站点)序列码 assigned by the province (6 digits).
    public var siteSequence: String

    public init(name: String, kind: InstitutionKind, code: String, province: String?, evaluatorCode: String = "0000", siteSequence: String = "000001") {
        self.name = name
        self.kind = kind
        self.code = code
        self.province = province
        self.evaluatorCode = evaluatorCode
        self.siteSequence = siteSequence
    }
}

/// A key in an owner's key history: who, which did:key, and when it may sign.
public struct KeyRecord: Sendable, Hashable {
    public let id: String
    public let ownerID: String
    public let did: String
    public let publicKey: [UInt8]
    public let validFrom: String
    /// When a rotation retired it; nil for the current key.
    public let validUntil: String?

    public init(id: String, ownerID: String, did: String, publicKey: [UInt8], validFrom: String, validUntil: String?) {
        self.id = id
        self.ownerID = ownerID
        self.did = did
        self.publicKey = publicKey
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    public var verificationMethod: String { DIDKey.verificationMethod(publicKey) }

    public var json: JSONValue {
        [
            "id": .string(verificationMethod), "did": .string(did), "public_key_multibase": .string(DIDKey.multibase(publicKey)),
            "valid_from": .string(validFrom), "valid_until": .optional(validUntil),
        ]
    }
}
