import SkillCore

/// The talent pool: consent profiles, vacancies, contact requests and the disclosure log.
public protocol TalentStore {
    /// Writes a worker's profile (opting in again replaces it), with the sealed contact channel.
    func putProfile(_ profile: TalentProfile, contactCiphertext: [UInt8]?, eventID: String) throws
    func profile(_ person: String) throws -> (profile: TalentProfile, contactCiphertext: [UInt8]?)?
    /// Marks a profile opted out.
    func optOut(_ person: String, at time: String, eventID: String) throws
    /// Every profile of a worker who consents now.
    func activeProfiles() throws -> [TalentProfile]

    func insert(_ vacancy: Vacancy, eventID: String) throws
    func vacancy(_ id: String) throws -> Vacancy?
    /// Vacancies in id order after `cursor`, of one institution and only open ones when asked.
    func vacancies(institution: String?, openOnly: Bool, after cursor: String?, limit: Int) throws -> [Vacancy]
    func close(vacancy id: String, at time: String, eventID: String) throws

    func insert(_ request: ContactRequest, eventID: String) throws
    func update(_ request: ContactRequest, eventID: String) throws
    func contact(_ id: String) throws -> ContactRequest?
    /// Contact requests to a worker, or from an institution, newest first.
    func contacts(person: String?, institution: String?, limit: Int) throws -> [ContactRequest]

    func add(_ disclosures: [Disclosure]) throws
    /// A worker's disclosure log, newest first, before `cursor`.
    func disclosures(person: String, before cursor: String?, limit: Int) throws -> [Disclosure]
    /// Drops a worker's profile, requests and log (erasure).
    func remove(person: String) throws
}

/// `TalentStore` in SQL both stores run.
public struct SQLTalent: TalentStore {
    let db: any SQLStatements

    public init(_ db: any SQLStatements) { self.db = db }

    static func strings(_ values: [String]) throws -> StoreValue { .text(try JSONValue.array(values.map(JSONValue.string)).canonicalString()) }
    static func strings(_ r: StoreRow, _ i: Int) throws -> [String] { try r.json(i).arrayValue?.compactMap(\.stringValue) ?? [] }

    public func putProfile(_ p: TalentProfile, contactCiphertext: [UInt8]?, eventID: String) throws {
        try db.execute("""
            INSERT INTO talent_profiles(person_id, certificates, district, areas, shares_bundles, contact_ciphertext, opted_in_at, opted_out_at, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (person_id) DO UPDATE SET certificates = excluded.certificates, district = excluded.district, areas = excluded.areas,
                shares_bundles = excluded.shares_bundles, contact_ciphertext = excluded.contact_ciphertext, opted_in_at = excluded.opted_in_at,
                opted_out_at = excluded.opted_out_at, event_id = excluded.event_id
            """, [.text(p.personID), try Self.strings(p.certificates), .optional(p.district), try Self.strings(p.areas), .int(p.sharesBundles ? 1 : 0),
                  contactCiphertext.map(StoreValue.bytes) ?? .null, .text(p.optedInAt), .optional(p.optedOutAt), .text(eventID)])
    }

    static let profileColumns = "person_id, certificates, district, areas, shares_bundles, contact_ciphertext, opted_in_at, opted_out_at"

    static func profile(_ r: StoreRow) throws -> (TalentProfile, [UInt8]?) {
        let contact: [UInt8]? = if case .null = r.values[5] { nil } else { try r.bytes(5) }
        return (TalentProfile(personID: try r.text(0), certificates: try strings(r, 1), district: try r.optionalText(2), areas: try strings(r, 3),
                              sharesBundles: try r.int(4) != 0, hasContact: contact != nil, optedInAt: try r.text(6), optedOutAt: try r.optionalText(7)),
                contact)
    }

    public func profile(_ person: String) throws -> (profile: TalentProfile, contactCiphertext: [UInt8]?)? {
        try db.rows("talent_profiles", "SELECT \(Self.profileColumns) FROM talent_profiles WHERE person_id = ?", [.text(person)]).first.map(Self.profile)
    }

    public func optOut(_ person: String, at time: String, eventID: String) throws {
        try db.execute("UPDATE talent_profiles SET opted_out_at = ?, contact_ciphertext = NULL, event_id = ? WHERE person_id = ? AND opted_out_at IS NULL",
                       [.text(time), .text(eventID), .text(person)])
        try db.execute("UPDATE contact_requests SET status = 'withdrawn', answered_at = ?, last_event_id = ? WHERE person_id = ? AND status = 'pending'",
                       [.text(time), .text(eventID), .text(person)])
    }

    public func activeProfiles() throws -> [TalentProfile] {
        try db.rows("talent_profiles", "SELECT \(Self.profileColumns) FROM talent_profiles WHERE opted_out_at IS NULL ORDER BY person_id").map { try Self.profile($0).0 }
    }

    public func insert(_ v: Vacancy, eventID: String) throws {
        try db.execute("""
            INSERT INTO vacancies(id, institution_id, title, occupation, min_level, district, count, created_at, closed_at, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(v.id), .text(v.institutionID), .text(v.title), .text(v.occupation), .int(v.minLevel), .text(v.district), .int(v.count),
                  .text(v.createdAt), .optional(v.closedAt), .text(eventID)])
    }

    static let vacancyColumns = "id, institution_id, title, occupation, min_level, district, count, created_at, closed_at"

    static func vacancy(_ r: StoreRow) throws -> Vacancy {
        Vacancy(id: try r.text(0), institutionID: try r.text(1), title: try r.text(2), occupation: try r.text(3), minLevel: try r.int(4),
                district: try r.text(5), count: try r.int(6), createdAt: try r.text(7), closedAt: try r.optionalText(8))
    }

    public func vacancy(_ id: String) throws -> Vacancy? {
        try db.rows("vacancies", "SELECT \(Self.vacancyColumns) FROM vacancies WHERE id = ?", [.text(id)]).first.map(Self.vacancy)
    }

    public func vacancies(institution: String?, openOnly: Bool, after cursor: String?, limit: Int) throws -> [Vacancy] {
        var sql = "SELECT \(Self.vacancyColumns) FROM vacancies WHERE id > ?"
        var arguments: [StoreValue] = [.text(cursor ?? "")]
        if let institution {
            sql += " AND institution_id = ?"
            arguments.append(.text(institution))
        }
        if openOnly { sql += " AND closed_at IS NULL" }
        return try db.rows("vacancies", sql + " ORDER BY id LIMIT \(max(0, limit))", arguments).map(Self.vacancy)
    }

    public func close(vacancy id: String, at time: String, eventID: String) throws {
        try db.execute("UPDATE vacancies SET closed_at = ?, closed_event_id = ? WHERE id = ? AND closed_at IS NULL", [.text(time), .text(eventID), .text(id)])
    }

    public func insert(_ c: ContactRequest, eventID: String) throws {
        try db.execute("""
            INSERT INTO contact_requests(id, institution_id, person_id, vacancy_id, message, status, created_at, answered_at, shared_certificates,
                shares_contact, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(c.id), .text(c.institutionID), .text(c.personID), .optional(c.vacancyID), .optional(c.message), .text(c.status.rawValue),
                  .text(c.createdAt), .optional(c.answeredAt), try Self.strings(c.sharedCertificates), .int(c.sharesContact ? 1 : 0), .text(eventID)])
    }

    public func update(_ c: ContactRequest, eventID: String) throws {
        try db.execute("""
            UPDATE contact_requests SET status = ?, answered_at = ?, shared_certificates = ?, shares_contact = ?, last_event_id = ? WHERE id = ?
            """, [.text(c.status.rawValue), .optional(c.answeredAt), try Self.strings(c.sharedCertificates), .int(c.sharesContact ? 1 : 0), .text(eventID),
                  .text(c.id)])
    }

    static let contactColumns = "id, institution_id, person_id, vacancy_id, message, status, created_at, answered_at, shared_certificates, shares_contact"

    static func contact(_ r: StoreRow) throws -> ContactRequest {
        ContactRequest(id: try r.text(0), institutionID: try r.text(1), personID: try r.text(2), vacancyID: try r.optionalText(3), message: try r.optionalText(4),
                       status: try r.choice(5, ContactStatus.self), createdAt: try r.text(6), answeredAt: try r.optionalText(7),
                       sharedCertificates: try strings(r, 8), sharesContact: try r.int(9) != 0)
    }

    public func contact(_ id: String) throws -> ContactRequest? {
        try db.rows("contact_requests", "SELECT \(Self.contactColumns) FROM contact_requests WHERE id = ?", [.text(id)]).first.map(Self.contact)
    }

    public func contacts(person: String?, institution: String?, limit: Int) throws -> [ContactRequest] {
        var conditions: [String] = []
        var arguments: [StoreValue] = []
        if let person {
            conditions.append("person_id = ?")
            arguments.append(.text(person))
        }
        if let institution {
            conditions.append("institution_id = ?")
            arguments.append(.text(institution))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try db.rows("contact_requests", "SELECT \(Self.contactColumns) FROM contact_requests \(filter) ORDER BY id DESC LIMIT \(max(0, limit))",
                           arguments).map(Self.contact)
    }

    public func add(_ disclosures: [Disclosure]) throws {
        for d in disclosures {
            try db.execute("INSERT INTO disclosures(id, person_id, institution_id, kind, reference, at) VALUES (?, ?, ?, ?, ?, ?)",
                           [.text(d.id), .text(d.personID), .text(d.institutionID), .text(d.kind.rawValue), .optional(d.reference), .text(d.at)])
        }
    }

    public func disclosures(person: String, before cursor: String?, limit: Int) throws -> [Disclosure] {
        var sql = "SELECT id, person_id, institution_id, kind, reference, at FROM disclosures WHERE person_id = ?"
        var arguments: [StoreValue] = [.text(person)]
        if let cursor {
            sql += " AND id < ?"
            arguments.append(.text(cursor))
        }
        return try db.rows("disclosures", sql + " ORDER BY id DESC LIMIT \(max(0, limit))", arguments).map { r in
            Disclosure(id: try r.text(0), personID: try r.text(1), institutionID: try r.text(2), kind: try r.choice(3, DisclosureKind.self),
                       reference: try r.optionalText(4), at: try r.text(5))
        }
    }

    public func remove(person: String) throws {
        for table in ["disclosures", "contact_requests", "talent_profiles"] {
            try db.execute("DELETE FROM \(table) WHERE person_id = ?", [.text(person)])
        }
    }
}
