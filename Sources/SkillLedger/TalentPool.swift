import Foundation
import SkillCore
import SkillCrypto
import SkillStore

/// The talent pool (人才储备) and job recommendation (就业推荐), by consent. A worker opts in
/// choosing what is shown; employers (institutions of kind employer) post vacancies, search the
/// pool and see masked names and verified certificates only, under handles that change with
/// every search and open only for the employer that searched. Only when the worker accepts a
/// contact request does the employer receive what the worker chose to share. Every listing
/// and every disclosure goes into the worker's disclosure log.
public struct TalentPool: Sendable {
    let context: BankContext

    /// What a worker chooses to show and share.
    public struct Choices: Sendable {
        /// The certificates shown; nil for every active certificate they hold.
        public var certificates: [String]?
        public var district: String?
        public var areas: [String]
        /// A way to reach them (a phone number, an e-mail address), shared only on acceptance; kept sealed.
        public var contact: String?
        public var sharesBundles: Bool

        public init(certificates: [String]? = nil, district: String? = nil, areas: [String] = [], contact: String? = nil, sharesBundles: Bool = true) {
            self.certificates = certificates
            self.district = district
            self.areas = areas
            self.contact = contact
            self.sharesBundles = sharesBundles
        }
    }

    /// A worker as an employer sees them in results: no id, no number, nothing to link.
    public struct Candidate: Sendable {
        /// Opens to the worker only for the employer that searched (sealed with its id), and is
        /// different in every result: two searches cannot be joined by it.
        public let handle: String
        /// For the registry's own tests and logs: never rendered to the employer.
        let personID: String
        public let maskedName: String
        public let district: String?
        public let areas: [String]
        public let certificates: [JSONValue]
        public let fit: TalentMatcher.Fit

        public var json: JSONValue {
            ["candidate": .string(handle), "name": .string(maskedName), "district": .optional(district), "areas": .array(areas.map(JSONValue.string)),
             "certificates": .array(certificates), "fit": fit.json]
        }
    }

    // MARK: Consent

    static func place(_ text: String?, _ field: String) throws(SkillError) -> String? {
        guard let text = text?.trimmingSpaces, !text.isEmpty else { return nil }
        guard text.count <= 40, !text.contains(where: { $0.isNewline }) else { throw SkillError(.invalidField, "a district is a short name (at most 40 characters)", field: field) }
        return text
    }

    /// Opts a worker in (or changes what they show): an event, and from the next search on they can be found.
    /// - Throws: `ledger.person-not-found`, `ledger.certificate-not-found` (a certificate not theirs),
    ///   `input.invalid-field` (district, areas, contact).
    public func optIn(person: String, _ choices: Choices, actor: Actor = .operatorCLI) throws(SkillError) -> TalentProfile {
        let district = try Self.place(choices.district, "district")
        var areas: [String] = []
        for (i, area) in choices.areas.enumerated() { if let a = try Self.place(area, "areas[\(i)]") { areas.append(a) } }
        guard areas.count <= 20 else { throw SkillError(.invalidField, "at most 20 areas", field: "areas") }
        let contact = choices.contact?.trimmingSpaces
        if let contact, contact.isEmpty || contact.count > 100 { throw SkillError(.invalidField, "a contact channel is 1–100 characters", field: "contact") }
        let date = context.now
        return try context.write { tx in
            _ = try context.requirePerson(tx, person, forChange: true)
            let held = try tx.certificates.certificates(of: person).filter { $0.status == .active }
            let shown: [String]
            if let wanted = choices.certificates {
                for (i, id) in wanted.enumerated() where !held.contains(where: { $0.id == id || $0.number == id }) {
                    throw SkillError(.certificateNotFound, "\(id.prefix(40)) is not an active certificate of this worker", field: "certificates[\(i)]")
                }
                shown = held.filter { c in wanted.contains { $0 == c.id || $0 == c.number } }.map(\.id)
            } else {
                shown = held.map(\.id)
            }
            let profile = TalentProfile(personID: person, certificates: shown, district: district, areas: areas, sharesBundles: choices.sharesBundles,
                                        hasContact: contact != nil, optedInAt: Timestamp.format(date))
            let event = try context.append(tx, "talent.opted-in", actor: actor, at: date, subjects: ["person": .string(person)],
                                           change: ["certificates": .int(shown.count), "shares_bundles": .bool(choices.sharesBundles), "contact": .bool(contact != nil)])
            let sealed = try contact.map { c throws(SkillError) in try context.vault.seal(c, record: person, column: "talent_contact") }
            try tx.talent.putProfile(profile, contactCiphertext: sealed, eventID: event)
            return profile
        }
    }

    /// Opts a worker out at once: they appear in no result from now on, their contact channel
    /// is dropped, and pending contact requests are withdrawn.
    /// - Throws: `ledger.person-not-found`, `talent.not-in-pool`.
    public func optOut(person: String, actor: Actor = .operatorCLI) throws(SkillError) -> TalentProfile {
        let date = context.now
        return try context.write { tx in
            _ = try context.requirePerson(tx, person)
            guard let (profile, _) = try tx.talent.profile(person), profile.isActive else {
                throw SkillError(.notInPool, "this worker is not in the talent pool", field: "person")
            }
            let event = try context.append(tx, "talent.opted-out", actor: actor, at: date, subjects: ["person": .string(person)], change: [:])
            try tx.talent.optOut(person, at: Timestamp.format(date), eventID: event)
            return try tx.talent.profile(person)!.profile
        }
    }

    /// A worker's profile, or nil when they never opted in.
    public func profile(of person: String) throws(SkillError) -> TalentProfile? {
        try context.read { tx in
            _ = try context.requirePerson(tx, person)
            return try tx.talent.profile(person)?.profile
        }
    }

    // MARK: Employers

    /// Refuses an institution that is not an active employer.
    func requireEmployer(_ tx: any StoreTransaction, _ id: String) throws -> Institution {
        let institution = try context.requireInstitution(tx, id)
        guard institution.kind == .employer else {
            throw SkillError(.forbidden, "only employers (institutions of kind employer) use the talent pool", field: "institution")
        }
        guard !institution.isSuspended else { throw SkillError(.institutionSuspended, "this institution is suspended", field: "institution") }
        return institution
    }

    /// Posts a vacancy.
    /// - Throws: `auth.forbidden` (not an employer), `standards.occupation-unknown`, `input.invalid-field`.
    public func postVacancy(institution: String, title: String, occupation: String, minLevel: Int, district: String, count: Int,
                            actor: Actor = .operatorCLI) throws(SkillError) -> Vacancy {
        let title = title.trimmingSpaces
        guard !title.isEmpty, title.count <= 80 else { throw SkillError(.invalidField, "a title is 1–80 characters", field: "title") }
        guard context.standards.catalogue.occupation(occupation) != nil || context.standards.occupation(occupation) != nil else {
            throw SkillError(.occupationUnknown, "no occupation \(occupation.prefix(20)) in the 2022 catalogue", field: "occupation")
        }
        guard (1...5).contains(minLevel) else { throw SkillError(.levelUnknown, "min_level is a five-level code, 1–5", field: "min_level") }
        guard let place = try Self.place(district, "district") else { throw SkillError(.invalidField, "name the district", field: "district") }
        guard (1...10_000).contains(count) else { throw SkillError(.invalidField, "count is 1–10000", field: "count") }
        let date = context.now
        return try context.write { tx in
            _ = try requireEmployer(tx, institution)
            let vacancy = Vacancy(id: IdentifierKind.vacancy.make(at: date), institutionID: institution, title: title, occupation: occupation, minLevel: minLevel,
                                  district: place, count: count, createdAt: Timestamp.format(date))
            let event = try context.append(tx, "vacancy.posted", actor: actor, at: date,
                                           subjects: ["institution": .string(institution), "vacancy": .string(vacancy.id)], change: vacancy.json)
            try tx.talent.insert(vacancy, eventID: event)
            return vacancy
        }
    }

    func requireVacancy(_ tx: any StoreTransaction, _ id: String, onlyFor institution: String?) throws -> Vacancy {
        guard let vacancy = try tx.talent.vacancy(id), institution == nil || vacancy.institutionID == institution else {
            throw SkillError(.vacancyNotFound, "no vacancy \(id.prefix(40)) of this institution", field: "vacancy")
        }
        return vacancy
    }

    /// Closes a vacancy.
    /// - Throws: `talent.vacancy-not-found`.
    public func closeVacancy(_ id: String, onlyFor institution: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> Vacancy {
        let date = context.now
        return try context.write { tx in
            var vacancy = try requireVacancy(tx, id, onlyFor: institution)
            guard vacancy.isOpen else { return vacancy }
            let event = try context.append(tx, "vacancy.closed", actor: actor, at: date,
                                           subjects: ["institution": .string(vacancy.institutionID), "vacancy": .string(id)], change: [:])
            try tx.talent.close(vacancy: id, at: Timestamp.format(date), eventID: event)
            vacancy.closedAt = Timestamp.format(date)
            return vacancy
        }
    }

    /// Vacancies, of one institution and only open ones when asked.
    public func vacancies(institution: String? = nil, openOnly: Bool = false, after cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [Vacancy] {
        try context.read { tx in try tx.talent.vacancies(institution: institution, openOnly: openOnly, after: cursor, limit: limit) }
    }

    /// Searches the pool for workers holding an active certificate in `occupation` at
    /// `minLevel` or higher, best fit first. Each worker listed is told in their disclosure log.
    /// - Throws: `auth.forbidden` (not an employer), `input.invalid-field`.
    public func search(institution: String, occupation: String, minLevel: Int, district: String? = nil, limit: Int = 50,
                       actor: Actor = .operatorCLI) throws(SkillError) -> [Candidate] {
        guard (1...5).contains(minLevel) else { throw SkillError(.levelUnknown, "min_level is a five-level code, 1–5", field: "min_level") }
        let place = try Self.place(district, "district") ?? ""
        let probe = Vacancy(id: "search", institutionID: institution, title: "search", occupation: occupation, minLevel: minLevel, district: place, count: 1,
                            createdAt: "")
        return try list(institution: institution, for: probe, reference: nil, qualifiedOnly: true, limit: limit, actor: actor)
    }

    /// Ranks the pool for one of the employer's vacancies: everyone whose certificates come near
    /// it, best fit first, each with the reasons.
    /// - Throws: `talent.vacancy-not-found`, `auth.forbidden`.
    public func candidates(for vacancyID: String, onlyFor institution: String? = nil, limit: Int = 50, actor: Actor = .operatorCLI) throws(SkillError) -> [Candidate] {
        let vacancy = try context.read { tx in try requireVacancy(tx, vacancyID, onlyFor: institution) }
        return try list(institution: vacancy.institutionID, for: vacancy, reference: vacancy.id, qualifiedOnly: false, limit: limit, actor: actor)
    }

    private func list(institution: String, for vacancy: Vacancy, reference: String?, qualifiedOnly: Bool, limit: Int, actor: Actor) throws(SkillError) -> [Candidate] {
        let date = context.now
        let today = CalendarDate(date)
        let matcher = TalentMatcher()
        return try context.write { tx in
            _ = try requireEmployer(tx, institution)
            var scored: [(profile: TalentProfile, shown: [CertificateSummary], fit: TalentMatcher.Fit)] = []
            for profile in try tx.talent.activeProfiles() {
                // Only certificates that are still active and that the worker chose to show.
                let shown = try profile.certificates.compactMap { try tx.certificates.certificate($0)?.summary }.filter { $0.status == .active }
                let fit = matcher.fit(certificates: shown.map { .init(id: $0.id, occupation: $0.occupation, level: $0.level,
                                                                      issuedOn: CalendarDate(Timestamp.parse($0.issuedAt) ?? date)) },
                                      district: profile.district, areas: profile.areas, vacancy: vacancy, today: today)
                if qualifiedOnly ? fit.qualifies : fit.score > 0 { scored.append((profile, shown, fit)) }
            }
            scored.sort { ($0.fit.score, $1.profile.personID) > ($1.fit.score, $0.profile.personID) }
            scored = Array(scored.prefix(max(0, limit)))
            let people = try tx.people.sealedPeople(scored.map(\.profile.personID))
            var issuers: [String: String] = [:]
            var out: [Candidate] = []
            for s in scored {
                let handle = try context.vault.seal(s.profile.personID, record: institution, column: "talent_candidate")
                let certificates: [JSONValue] = try s.shown.map { c in
                    if issuers[c.institutionID] == nil { issuers[c.institutionID] = try tx.institutions.institution(c.institutionID)?.name ?? c.institutionID }
                    let level = c.level.flatMap { context.standards.level(code: $0) }
                    return ["occupation": .string(c.occupation), "occupation_name": .optional(context.standards.catalogue.occupation(c.occupation)?.name),
                            "level": c.level.map(JSONValue.int) ?? .null, "level_name": .optional(level?.display), "kind": .string(c.kind),
                            "issuer": .string(issuers[c.institutionID]!), "issued_on": .string(String(c.issuedAt.prefix(7))), "verified": true]
                }
                out.append(Candidate(handle: "cand_" + Base64URL.encode(handle), personID: s.profile.personID,
                                     maskedName: people[s.profile.personID]?.summary.maskedName ?? "*", district: s.profile.district, areas: s.profile.areas,
                                     certificates: certificates, fit: s.fit))
            }
            try tx.talent.add(out.map { c in
                Disclosure(id: IdentifierKind.disclosure.make(at: date), personID: c.personID, institutionID: institution, kind: .listed, reference: reference,
                           at: Timestamp.format(date))
            })
            try context.append(tx, "talent.searched", actor: actor, at: date, subjects: ["institution": .string(institution)],
                               change: ["occupation": .string(vacancy.occupation), "min_level": .int(vacancy.minLevel), "vacancy": .optional(reference),
                                        "results": .int(out.count)])
            return out
        }
    }

    /// Open vacancies ranked for a worker by the same fit, with the reasons.
    /// - Throws: `ledger.person-not-found`.
    public func vacancies(for person: String, limit: Int = 50) throws(SkillError) -> [(vacancy: Vacancy, employer: String, fit: TalentMatcher.Fit)] {
        let date = context.now
        return try context.read { tx in
            _ = try context.requirePerson(tx, person)
            let profile = try tx.talent.profile(person)?.profile
            let held = try tx.certificates.certificates(of: person).filter { $0.status == .active }.map {
                TalentMatcher.ShownCertificate(id: $0.id, occupation: $0.occupation, level: $0.level, issuedOn: CalendarDate(Timestamp.parse($0.issuedAt) ?? date))
            }
            var ranked: [(Vacancy, String, TalentMatcher.Fit)] = []
            var cursor: String?
            while true {
                let page = try tx.talent.vacancies(institution: nil, openOnly: true, after: cursor, limit: 500)
                for v in page {
                    let fit = TalentMatcher().fit(certificates: held, district: profile?.district, areas: profile?.areas ?? [], vacancy: v, today: CalendarDate(date))
                    if fit.score > 0 { ranked.append((v, try tx.institutions.institution(v.institutionID)?.name ?? v.institutionID, fit)) }
                }
                guard page.count == 500 else { break }
                cursor = page.last?.id
            }
            return Array(ranked.sorted { ($0.2.score, $1.0.id) > ($1.2.score, $0.0.id) }.prefix(max(0, limit)))
        }
    }

    // MARK: Contact

    /// An employer asks to contact a worker it found (its handle from a search). The worker is
    /// told; the employer learns nothing more until they accept.
    /// - Throws: `input.invalid-field` (a handle not from this employer's results),
    ///   `talent.candidate-unavailable` (opted out since), `talent.vacancy-not-found`.
    public func requestContact(institution: String, candidate handle: String, vacancy: String? = nil, message: String? = nil,
                               actor: Actor = .operatorCLI) throws(SkillError) -> ContactRequest {
        guard handle.hasPrefix("cand_"), let sealed = Base64URL.decode(String(handle.dropFirst(5))),
            let person = try? context.vault.open(sealed, record: institution, column: "talent_candidate")
        else {
            throw SkillError(.invalidField, "not a candidate from this institution's results", field: "candidate")
        }
        let message = message?.trimmingSpaces
        if let message, message.count > 500 { throw SkillError(.invalidField, "a message is at most 500 characters", field: "message") }
        let date = context.now
        return try context.write { tx in
            _ = try requireEmployer(tx, institution)
            let v = try vacancy.map { id throws in try requireVacancy(tx, id, onlyFor: institution) }
            guard let (profile, _) = try tx.talent.profile(person), profile.isActive else {
                throw SkillError(.candidateUnavailable, "this candidate is no longer in the talent pool", field: "candidate")
            }
            if let pending = try tx.talent.contacts(person: person, institution: institution, limit: 100).first(where: { $0.status == .pending }) {
                return pending
            }
            let request = ContactRequest(id: IdentifierKind.contactRequest.make(at: date), institutionID: institution, personID: person, vacancyID: v?.id,
                                         message: message?.isEmpty == false ? message : nil, status: .pending, createdAt: Timestamp.format(date))
            let event = try context.append(tx, "talent.contact-requested", actor: actor, at: date,
                                           subjects: ["contact": .string(request.id), "person": .string(person), "institution": .string(institution)],
                                           change: ["vacancy": .optional(v?.id)])
            try tx.talent.insert(request, eventID: event)
            try tx.talent.add([Disclosure(id: IdentifierKind.disclosure.make(at: date), personID: person, institutionID: institution, kind: .contactRequested,
                                          reference: request.id, at: Timestamp.format(date))])
            try Notices(context: context).add(tx, person: person, .contactRequested, key: "contact-requested:\(request.id)",
                                              facts: ["contact": .string(request.id), "vacancy": .optional(v?.id), "occupation": .optional(v?.occupation),
                                                      "level": v.map { .int($0.minLevel) } ?? .null],
                                              at: date, trigger: event)
            return request
        }
    }

    /// The worker's answer. On acceptance the employer may read what the worker chose to share:
    /// the bundles of `certificates` (their shown ones when nil, if they share bundles) and the
    /// contact channel when `shareContact`.
    /// - Throws: `talent.contact-not-found` (not theirs), `ledger.transition-invalid` (answered already),
    ///   `ledger.certificate-not-found` (a certificate not shown).
    public func answer(_ contactID: String, person: String, accept: Bool, certificates: [String]? = nil, shareContact: Bool = true,
                       actor: Actor = .operatorCLI) throws(SkillError) -> ContactRequest {
        let date = context.now
        return try context.write { tx in
            guard var request = try tx.talent.contact(contactID), request.personID == person else {
                throw SkillError(.contactNotFound, "no contact request \(contactID.prefix(40)) to this worker", field: "contact")
            }
            guard request.status == .pending else {
                throw SkillError(.transitionInvalid, "the request is \(request.status.rawValue) already", field: "contact")
            }
            request.answeredAt = Timestamp.format(date)
            request.status = accept ? .accepted : .declined
            if accept {
                guard let (profile, contact) = try tx.talent.profile(person), profile.isActive else {
                    throw SkillError(.notInPool, "this worker is not in the talent pool", field: "person")
                }
                let shared = certificates ?? (profile.sharesBundles ? profile.certificates : [])
                for (i, id) in shared.enumerated() where !profile.certificates.contains(id) {
                    throw SkillError(.certificateNotFound, "\(id.prefix(40)) is not one of the certificates shown in the pool", field: "certificates[\(i)]")
                }
                request.sharedCertificates = shared
                request.sharesContact = shareContact && contact != nil
            }
            let event = try context.append(tx, accept ? "talent.contact-accepted" : "talent.contact-declined", actor: actor, at: date,
                                           subjects: ["contact": .string(request.id), "person": .string(person), "institution": .string(request.institutionID)],
                                           change: ["certificates": .int(request.sharedCertificates.count), "contact": .bool(request.sharesContact)])
            try tx.talent.update(request, eventID: event)
            if accept {
                try tx.talent.add([Disclosure(id: IdentifierKind.disclosure.make(at: date), personID: person, institutionID: request.institutionID, kind: .shared,
                                              reference: request.id, at: Timestamp.format(date))])
            }
            return request
        }
    }

    /// A contact request as the employer sees it: its status and, once accepted, what the worker
    /// shared (the certificates' bundles, the contact channel, the masked name).
    /// - Throws: `talent.contact-not-found`.
    public func contactForEmployer(_ id: String, institution: String?) throws(SkillError) -> JSONValue {
        let (request, contact, masked) = try context.read { tx in
            guard let request = try tx.talent.contact(id), institution == nil || request.institutionID == institution else {
                throw SkillError(.contactNotFound, "no contact request \(id.prefix(40)) of this institution", field: "contact")
            }
            let sealed = request.status == .accepted && request.sharesContact ? try tx.talent.profile(request.personID)?.contactCiphertext : nil
            let contact = try sealed.map { s throws in try context.vault.open(s, record: request.personID, column: "talent_contact") }
            return (request, contact, request.status == .accepted ? try tx.people.person(request.personID)?.maskedName : nil)
        }
        var bundles: [JSONValue] = []
        if request.status == .accepted {
            let certificates = Certificates(context: context)
            for id in request.sharedCertificates { bundles.append(try JSONParser().parse(Array(try certificates.export(id, format: .bundle).utf8))) }
        }
        return ["id": .string(request.id), "institution": .string(request.institutionID), "vacancy": .optional(request.vacancyID),
                "status": .string(request.status.rawValue), "created_at": .string(request.createdAt), "answered_at": .optional(request.answeredAt),
                "shared": request.status == .accepted ? ["name": .optional(masked), "contact": .optional(contact), "bundles": .array(bundles)] : .null]
    }

    /// The contact requests an institution made, newest first.
    public func contacts(institution: String?, limit: Int = 50) throws(SkillError) -> [ContactRequest] {
        try context.read { tx in try tx.talent.contacts(person: nil, institution: institution, limit: limit) }
    }

    /// The contact requests made to a worker, newest first.
    public func contacts(of person: String, limit: Int = 50) throws(SkillError) -> [ContactRequest] {
        try context.read { tx in
            _ = try context.requirePerson(tx, person)
            return try tx.talent.contacts(person: person, institution: nil, limit: limit)
        }
    }

    /// Who saw what of a worker, newest first, with the institutions' names.
    public func disclosures(of person: String, before cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [(Disclosure, String)] {
        try context.read { tx in
            _ = try context.requirePerson(tx, person)
            var names: [String: String] = [:]
            return try tx.talent.disclosures(person: person, before: cursor, limit: limit).map { d in
                if names[d.institutionID] == nil { names[d.institutionID] = try tx.institutions.institution(d.institutionID)?.name ?? d.institutionID }
                return (d, names[d.institutionID]!)
            }
        }
    }
}

extension ContactRequest {
    /// As the employer lists it: whom it asked is not said (no person id), only the status.
    public var employerSummary: JSONValue {
        ["id": .string(id), "institution": .string(institutionID), "vacancy": .optional(vacancyID), "status": .string(status.rawValue),
         "created_at": .string(createdAt), "answered_at": .optional(answeredAt)]
    }

    /// As the worker sees it: who asked, about what, and what they shared.
    public var json: JSONValue {
        ["id": .string(id), "institution": .string(institutionID), "vacancy": .optional(vacancyID), "message": .optional(message),
         "status": .string(status.rawValue), "created_at": .string(createdAt), "answered_at": .optional(answeredAt),
         "shared_certificates": .array(sharedCertificates.map(JSONValue.string)), "shares_contact": .bool(sharesContact)]
    }
}
