/// A worker's consent to be found in the talent pool (人才储备), and what they chose to show.
public struct TalentProfile: Sendable, Hashable {
    public let personID: String
    /// The certificates shown to employers (only active ones ever appear).
    public let certificates: [String]
    /// Where the worker lives, at district level (福田区), if they chose to say.
    public let district: String?
    /// Districts they are willing to work in.
    public let areas: [String]
    /// Whether accepting a contact request shares the certificates' bundles.
    public let sharesBundles: Bool
    /// Whether they left a contact channel to share on acceptance (kept sealed).
    public let hasContact: Bool
    public let optedInAt: String
    /// Set when the worker opted out: from then on they are in no employer's results.
    public let optedOutAt: String?

    public init(personID: String, certificates: [String], district: String?, areas: [String], sharesBundles: Bool, hasContact: Bool,
                optedInAt: String, optedOutAt: String? = nil) {
        self.personID = personID
        self.certificates = certificates
        self.district = district
        self.areas = areas
        self.sharesBundles = sharesBundles
        self.hasContact = hasContact
        self.optedInAt = optedInAt
        self.optedOutAt = optedOutAt
    }

    public var isActive: Bool { optedOutAt == nil }

    public var json: JSONValue {
        ["person": .string(personID), "certificates": .array(certificates.map(JSONValue.string)), "district": .optional(district),
         "areas": .array(areas.map(JSONValue.string)), "shares_bundles": .bool(sharesBundles), "has_contact": .bool(hasContact),
         "opted_in_at": .string(optedInAt), "opted_out_at": .optional(optedOutAt), "active": .bool(isActive)]
    }
}

/// A vacancy an employer posts.
public struct Vacancy: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let title: String
    public let occupation: String
    /// The lowest five-level code accepted (5 = 初级 … 1 = 高级技师): a worker must hold this level or higher.
    public let minLevel: Int
    public let district: String
    public let count: Int
    public let createdAt: String
    public var closedAt: String?

    public init(id: String, institutionID: String, title: String, occupation: String, minLevel: Int, district: String, count: Int, createdAt: String,
                closedAt: String? = nil) {
        self.id = id
        self.institutionID = institutionID
        self.title = title
        self.occupation = occupation
        self.minLevel = minLevel
        self.district = district
        self.count = count
        self.createdAt = createdAt
        self.closedAt = closedAt
    }

    public var isOpen: Bool { closedAt == nil }

    public var json: JSONValue {
        ["id": .string(id), "institution": .string(institutionID), "title": .string(title), "occupation": .string(occupation), "min_level": .int(minLevel),
         "district": .string(district), "count": .int(count), "created_at": .string(createdAt), "closed_at": .optional(closedAt), "open": .bool(isOpen)]
    }
}

/// Where a contact request stands.
public enum ContactStatus: String, Sendable, CaseIterable {
    case pending, accepted, declined
    /// The worker opted out of the pool while it was pending.
    case withdrawn
}

/// An employer's request to contact a worker found in the pool.
public struct ContactRequest: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let personID: String
    public let vacancyID: String?
    public let message: String?
    public var status: ContactStatus
    public let createdAt: String
    public var answeredAt: String?
    /// What the worker chose to share on acceptance: certificate ids (their bundles) and whether the contact channel.
    public var sharedCertificates: [String]
    public var sharesContact: Bool

    public init(id: String, institutionID: String, personID: String, vacancyID: String?, message: String?, status: ContactStatus, createdAt: String,
                answeredAt: String? = nil, sharedCertificates: [String] = [], sharesContact: Bool = false) {
        self.id = id
        self.institutionID = institutionID
        self.personID = personID
        self.vacancyID = vacancyID
        self.message = message
        self.status = status
        self.createdAt = createdAt
        self.answeredAt = answeredAt
        self.sharedCertificates = sharedCertificates
        self.sharesContact = sharesContact
    }
}

/// What a disclosure to an employer was.
public enum DisclosureKind: String, Sendable, CaseIterable {
    /// The worker appeared in an employer's search or recommendation results (masked).
    case listed
    /// An employer asked to contact them.
    case contactRequested = "contact-requested"
    /// The worker accepted: what they chose to share went to the employer.
    case shared
}

/// One line of the worker's disclosure log: who saw what of them, when.
public struct Disclosure: Sendable, Hashable {
    public let id: String
    public let personID: String
    public let institutionID: String
    public let kind: DisclosureKind
    /// The vacancy or contact request it was about, if any.
    public let reference: String?
    public let at: String

    public init(id: String, personID: String, institutionID: String, kind: DisclosureKind, reference: String?, at: String) {
        self.id = id
        self.personID = personID
        self.institutionID = institutionID
        self.kind = kind
        self.reference = reference
        self.at = at
    }
}
