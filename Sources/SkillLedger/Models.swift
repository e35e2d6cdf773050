import SkillCore

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

    /// Whether this kind evaluates and certifies (has a key, issues certificates).
    public var isEvaluator: Bool { self == .employer || self == .social }
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
}

/// An accreditation scope: an occupation, a set of levels, and the dates it is valid.
public struct Accreditation: Sendable, Hashable {
    public let id: String
    public let occupation: String
    public let levels: [Int]
    public let validFrom: CalendarDate
    public let validUntil: CalendarDate?

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

/// A worker as the registry shows them: masked, never in clear.
public struct PersonSummary: Sendable, Hashable {
    public let id: String
    public let idType: IDType
    public let maskedIDNumber: String
    public let maskedName: String
    public let registeredAt: String

    public var json: JSONValue {
        [
            "id": .string(id), "id_type": .string(idType.rawValue), "id_number": .string(maskedIDNumber),
            "name": .string(maskedName), "registered_at": .string(registeredAt),
        ]
    }
}

/// A published course.
public struct Course: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let title: String
    public let occupation: String
    public let level: Int
    public let hours: Int
    public let framework: String
    /// Credits a completion deposits, in tenths, fixed when the course is published.
    public let creditTenths: Int
    public let startsOn: CalendarDate
    public let endsOn: CalendarDate?
    public let capacity: Int?
    public let enrolled: Int
    public let isOnline: Bool

    public var json: JSONValue {
        [
            "id": .string(id), "institution": .string(institutionID), "title": .string(title),
            "occupation": .string(occupation), "level": .int(level), "hours": .int(hours), "framework": .string(framework),
            "credits": .string(Credits.format(creditTenths)), "credit_tenths": .int(creditTenths),
            "starts_on": .string(startsOn.description), "ends_on": .optional(endsOn?.description),
            "capacity": .optional(capacity), "enrolled": .int(enrolled), "online": .bool(isOnline),
        ]
    }
}

/// Where an enrolment is in its life: enrolled → completed | failed | withdrawn.
public enum EnrolmentStatus: String, Sendable, CaseIterable, Codable {
    case enrolled, completed, failed, withdrawn

    /// Whether moving from this status to `next` is allowed (only forward, only from enrolled).
    public func canMove(to next: EnrolmentStatus) -> Bool {
        self == .enrolled && next != .enrolled
    }
}

/// A person's enrolment in a course.
public struct Enrolment: Sendable, Hashable {
    public let id: String
    public let personID: String
    public let courseID: String
    public let status: EnrolmentStatus
    public let enrolledAt: String
    public let closedAt: String?

    public var json: JSONValue {
        [
            "id": .string(id), "person": .string(personID), "course": .string(courseID), "status": .string(status.rawValue),
            "enrolled_at": .string(enrolledAt), "closed_at": .optional(closedAt),
        ]
    }
}
