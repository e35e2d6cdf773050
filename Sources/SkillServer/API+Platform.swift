import Foundation
import HTTPTypes
import SkillCore
import SkillLedger

/// The platform services over HTTP: subsidies, the worker's inbox, webhooks and the talent pool.
extension API {
    static let claimStatus: JSONValue = ["enum": .array(SubsidyClaimStatus.allCases.map { .string($0.rawValue) })]

    static let platformEndpoints: [Endpoint] = [
        Endpoint(.get, "/v1/subsidies/programmes", .public, "The subsidy programmes and their rules, each with its source and status.") { call throws(SkillError) in
            .json(.ok, ["items": .array(call.bank.standards.subsidies.map(programmeJSON))])
        },
        Endpoint(.post, "/v1/insurance/import", .operatorOnly,
                 "Unemployment-insurance months from the social-insurance system, CSV (id_type,id_number,months,as_of,benefit): kept against the blind index of the ID number only.",
                 body: .csv, parameters: [.query("skip_bad", "import the good rows and report the bad ones", schema: ["type": "boolean"])]) { call throws(SkillError) in
            let file = try stage(call.raw)
            defer { try? FileManager.default.removeItem(at: file) }
            return importReply(try call.bank.subsidies.importInsurance(from: file, skipBad: try call.flag("skip_bad"), actor: call.actor), instance: call.instance)
        },
        Endpoint(.get, "/v1/subsidies/claims", .institutions, "Subsidy claims by status (an institution token sees the claims paid to it).",
                 parameters: paging + [.query("status", "only claims of this status", schema: claimStatus)]) { call throws(SkillError) in
            let status = try choice(call, "status", SubsidyClaimStatus.self)
            return try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.subsidies.claims(status: status, payee: call.actingInstitution, after: cursor, limit: n)
            }
        },
        Endpoint(.post, "/v1/subsidies/claims", .institutions,
                 "Claim a subsidy for a worker: the rules decide; a refusal names its rule (an institution claims training subsidies for its own courses).",
                 body: .json(Schemas.object(["person": Schemas.id("per"), "programme": Schemas.string, "evidence": Schemas.string],
                                            required: ["person", "programme", "evidence"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let claim = try call.bank.subsidies.apply(person: call.string("person") ?? "", programme: call.string("programme") ?? "",
                                                      evidence: call.string("evidence") ?? "", actor: call.actor, onlyFor: call.actingInstitution)
            return .json(.created, claim.json)
        },
        Endpoint(.get, "/v1/subsidies/claims/{id}", .institutions, "One claim, with the engine's checks (an institution token reads the claims paid to it).") { call throws(SkillError) in
            let claim = try owned(call, .claimNotFound) { () throws(SkillError) in try call.bank.subsidies.claim(call.requirePath("id")) }
            if let mine = call.actingInstitution, claim.payee != mine { throw SkillError(.forbidden, "this token may read only the claims paid to its institution") }
            return .json(.ok, claim.json)
        },
        Endpoint(.post, "/v1/subsidies/claims/{id}/approve", .operatorOnly, "Approve a pending claim: decided again, then posted to the subsidy ledger once.",
                 body: .json(Schemas.object(["reason": Schemas.string], required: []))) { call throws(SkillError) in
            .json(.ok, try call.bank.subsidies.approve(call.requirePath("id"), reason: call.string("reason"), actor: call.actor).json)
        },
        Endpoint(.post, "/v1/subsidies/claims/{id}/reject", .operatorOnly, "Reject a pending claim with a reason the worker is shown.",
                 body: .json(Schemas.object(["reason": Schemas.string], required: ["reason"]))) { call throws(SkillError) in
            .json(.ok, try call.bank.subsidies.reject(call.requirePath("id"), reason: call.string("reason") ?? "", actor: call.actor).json)
        },
        Endpoint(.post, "/v1/subsidies/batches", .operatorOnly,
                 "Put every approved claim (of one programme) into a new payment batch; the reply carries the batch and its CSV for the finance system.",
                 body: .json(Schemas.object(["programme": Schemas.string], required: [])), success: .created, creates: true) { call throws(SkillError) in
            let (batch, csv) = try call.bank.subsidies.exportBatch(programme: call.string("programme"), actor: call.actor)
            return .json(.created, ["batch": batch.json, "csv": .string(csv)])
        },
        Endpoint(.get, "/v1/webhooks", .institutions, "Webhook subscriptions (an institution token sees its own).") { call throws(SkillError) in
            .json(.ok, ["items": .array(try call.bank.webhooks.webhooks(institution: call.actingInstitution).map(\.json))])
        },
        Endpoint(.post, "/v1/webhooks", .institutions,
                 "Subscribe to events about an institution (Standard Webhooks); the reply carries the signing secret, this once.",
                 body: .json(Schemas.object(["institution": Schemas.id("ins"), "url": Schemas.string,
                                             "event_types": ["type": "array", "items": ["type": "string", "pattern": .string(Webhook.eventTypePattern)],
                                                             "minItems": 1, "maxItems": 50]], required: ["url", "event_types"])),
                 success: .created, creates: true) { call throws(SkillError) in
            if let named = call.string("institution"), let mine = call.actingInstitution, named != mine {
                throw SkillError(.forbidden, "this token may subscribe only its own institution", field: "institution")
            }
            guard let institution = call.actingInstitution ?? call.string("institution") else {
                throw SkillError(.invalidField, "name the institution to subscribe", field: "institution")
            }
            let types = call.body?["event_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let (webhook, secret) = try call.bank.webhooks.subscribe(institution: institution, url: call.string("url") ?? "", eventTypes: types, actor: call.actor)
            var value = webhook.json.objectValue!
            value["secret"] = .string(secret)
            return .json(.created, .object(value))
        },
        Endpoint(.get, "/v1/webhooks/{id}", .institutions, "One subscription (an institution token reads its own).") { call throws(SkillError) in
            .json(.ok, try ownWebhook(call).json)
        },
        Endpoint(.post, "/v1/webhooks/{id}/disable", .institutions, "End a subscription; what still waits for it becomes a dead letter.") { call throws(SkillError) in
            let webhook = try ownWebhook(call)
            return .json(.ok, try call.bank.webhooks.disable(webhook.id, actor: call.actor).json)
        },
        Endpoint(.get, "/v1/webhooks/{id}/messages", .institutions, "A subscription's outbox: each message's attempts and last error.",
                 parameters: paging + [.query("status", "pending | delivered | dead", schema: ["enum": ["pending", "delivered", "dead"]])]) { call throws(SkillError) in
            let webhook = try ownWebhook(call)
            let status = try choice(call, "status", WebhookMessageStatus.self)
            return try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.webhooks.messages(webhook: webhook.id, status: status, after: cursor, limit: n)
            }
        },
        Endpoint(.post, "/v1/webhooks/messages/{message}/replay", .operatorOnly, "Send a dead (or delivered) message again: the same id and payload.") { call throws(SkillError) in
            .json(.ok, try call.bank.webhooks.replay(message: call.requirePath("message"), actor: call.actor).json)
        },
        Endpoint(.get, "/v1/vacancies", .institutions, "Vacancies (an institution token sees its own), open ones only when asked.",
                 parameters: paging + [.query("open", "only open vacancies", schema: ["type": "boolean"])]) { call throws(SkillError) in
            let openOnly = try call.flag("open")
            return try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.talent.vacancies(institution: call.actingInstitution, openOnly: openOnly, after: cursor, limit: n)
            }
        },
        Endpoint(.post, "/v1/vacancies", .institutions, "Post a vacancy (employers): occupation, the lowest level accepted, district, how many.",
                 body: .json(Schemas.object(["institution": Schemas.id("ins"), "title": Schemas.string, "occupation": Schemas.occupation,
                                             "min_level": Schemas.level, "district": Schemas.string, "count": ["type": "integer", "minimum": 1, "maximum": 10_000]],
                                            required: ["title", "occupation", "min_level", "district", "count"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let vacancy = try call.bank.talent.postVacancy(
                institution: try employer(call), title: call.string("title") ?? "", occupation: call.string("occupation") ?? "",
                minLevel: call.int("min_level") ?? 0, district: call.string("district") ?? "", count: call.int("count") ?? 0, actor: call.actor)
            return .json(.created, vacancy.json)
        },
        Endpoint(.post, "/v1/vacancies/{id}/close", .institutions, "Close a vacancy.") { call throws(SkillError) in
            .json(.ok, try owned(call, .vacancyNotFound) { () throws(SkillError) in
                try call.bank.talent.closeVacancy(call.requirePath("id"), onlyFor: call.actingInstitution, actor: call.actor).json
            })
        },
        Endpoint(.get, "/v1/vacancies/{id}/candidates", .institutions,
                 "Consenting workers ranked for a vacancy, each with why (masked names and verified certificates only; each listed worker is told).",
                 parameters: [.query("limit", "1–500, default 50", schema: Schemas.pageLimit)]) { call throws(SkillError) in
            let n = try limit(call)
            let found = try owned(call, .vacancyNotFound) { () throws(SkillError) in
                try call.bank.talent.candidates(for: call.requirePath("id"), onlyFor: call.actingInstitution, limit: n, actor: call.actor)
            }
            return .json(.ok, ["items": .array(found.map(\.json))])
        },
        Endpoint(.post, "/v1/talent/search", .institutions,
                 "Search the talent pool (employers): workers who consent and hold an active certificate in the occupation at the level or higher, best fit first.",
                 body: .json(Schemas.object(["institution": Schemas.id("ins"), "occupation": Schemas.occupation, "min_level": Schemas.level,
                                             "district": Schemas.string, "limit": Schemas.pageLimit], required: ["occupation", "min_level"]))) { call throws(SkillError) in
            let found = try call.bank.talent.search(institution: try employer(call), occupation: call.string("occupation") ?? "",
                                                    minLevel: call.int("min_level") ?? 0, district: call.string("district"), limit: call.int("limit") ?? 50,
                                                    actor: call.actor)
            return .json(.ok, ["items": .array(found.map(\.json))])
        },
        Endpoint(.post, "/v1/talent/contacts", .institutions, "Ask to contact a candidate from the institution's results; the worker decides.",
                 body: .json(Schemas.object(["institution": Schemas.id("ins"), "candidate": Schemas.string, "vacancy": Schemas.id("vac"),
                                             "message": Schemas.string], required: ["candidate"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let request = try call.bank.talent.requestContact(institution: try employer(call), candidate: call.string("candidate") ?? "",
                                                              vacancy: call.string("vacancy"), message: call.string("message"), actor: call.actor)
            return .json(.created, try call.bank.talent.contactForEmployer(request.id, institution: request.institutionID))
        },
        Endpoint(.get, "/v1/talent/contacts", .institutions,
                 "The contact requests the institution made, newest first, with their status (what an accepted one shared is read one at a time).") { call throws(SkillError) in
            .json(.ok, ["items": .array(try call.bank.talent.contacts(institution: call.actingInstitution).map(\.employerSummary))])
        },
        Endpoint(.get, "/v1/talent/contacts/{id}", .institutions,
                 "One contact request: its status and, once the worker accepted, what they shared (certificate bundles, contact channel).") { call throws(SkillError) in
            .json(.ok, try owned(call, .contactNotFound) { () throws(SkillError) in
                try call.bank.talent.contactForEmployer(call.requirePath("id"), institution: call.actingInstitution)
            })
        },
    ] + personal(.get, "/talent", "The worker's talent-pool consent and what it shows (null when never given).") { call, person throws(SkillError) in
        .json(.ok, ["profile": try call.bank.talent.profile(of: person)?.json ?? .null])
    } + personal(.post, "/talent/consent",
                 "Opt in to the talent pool (or change what is shown): certificates shown (all active when absent), district, willing-to-work areas, a contact channel shared only on acceptance.",
                 body: .json(Schemas.object(["certificates": ["type": "array", "items": Schemas.string, "maxItems": 100], "district": Schemas.string,
                                             "areas": ["type": "array", "items": Schemas.string, "maxItems": 20], "contact": Schemas.string,
                                             "share_bundles": ["type": "boolean"]], required: []))) { call, person throws(SkillError) in
        let choices = TalentPool.Choices(
            certificates: call.body?["certificates"]?.arrayValue?.compactMap(\.stringValue), district: call.string("district"),
            areas: call.body?["areas"]?.arrayValue?.compactMap(\.stringValue) ?? [], contact: call.string("contact"),
            sharesBundles: call.body?["share_bundles"]?.boolValue ?? true)
        return .json(.ok, ["profile": try call.bank.talent.optIn(person: person, choices, actor: call.actor).json])
    } + personal(.post, "/talent/opt-out", "Leave the talent pool at once: found by no employer from now on; pending requests are withdrawn.") { call, person throws(SkillError) in
        .json(.ok, ["profile": try call.bank.talent.optOut(person: person, actor: call.actor).json])
    } + personal(.get, "/talent/vacancies", "Open vacancies ranked for the worker, each with why.",
                 parameters: [.query("limit", "1–500, default 50", schema: Schemas.pageLimit)]) { call, person throws(SkillError) in
        let ranked = try call.bank.talent.vacancies(for: person, limit: try limit(call))
        return .json(.ok, ["items": .array(ranked.map { r in ["vacancy": r.vacancy.json, "employer": .string(r.employer), "fit": r.fit.json] })])
    } + personal(.get, "/talent/contacts", "Contact requests employers made to the worker, newest first.") { call, person throws(SkillError) in
        .json(.ok, ["items": .array(try call.bank.talent.contacts(of: person).map(\.json))])
    } + personal(.post, "/talent/contacts/{contact}/accept",
                 "Accept a contact request: the employer then receives the bundles of the certificates named (the shown ones when absent) and, if asked, the contact channel.",
                 body: .json(Schemas.object(["certificates": ["type": "array", "items": Schemas.string, "maxItems": 100], "share_contact": ["type": "boolean"]],
                                            required: []))) { call, person throws(SkillError) in
        let certificates = call.body?["certificates"]?.arrayValue?.compactMap(\.stringValue)
        return .json(.ok, try owned(call, .contactNotFound) { () throws(SkillError) in
            try call.bank.talent.answer(call.requirePath("contact"), person: person, accept: true, certificates: certificates,
                                        shareContact: call.body?["share_contact"]?.boolValue ?? true, actor: call.actor).json
        })
    } + personal(.post, "/talent/contacts/{contact}/decline", "Decline a contact request: the employer learns nothing.") { call, person throws(SkillError) in
        .json(.ok, try owned(call, .contactNotFound) { () throws(SkillError) in
            try call.bank.talent.answer(call.requirePath("contact"), person: person, accept: false, actor: call.actor).json
        })
    } + personal(.get, "/disclosures", "Who saw what of the worker: every listing in an employer's results, every contact request, every share.",
                 parameters: [.query("cursor", "the last id of the previous page"), .query("limit", "1–500, default 50", schema: Schemas.pageLimit)]) { call, person throws(SkillError) in
        let n = try limit(call)
        let log = try call.bank.talent.disclosures(of: person, before: call.query["cursor"], limit: n)
        return .json(.ok, ["items": .array(log.map { d, name in
            ["id": .string(d.id), "institution": .string(d.institutionID), "institution_name": .string(name), "kind": .string(d.kind.rawValue),
             "reference": .optional(d.reference), "at": .string(d.at)]
        }), "next_cursor": .optional(log.count == n ? log.last?.0.id : nil)])
    } + personal(.get, "/subsidies", "What the worker could claim now, each rule passed or failed and why.") { call, person throws(SkillError) in
        .json(.ok, ["items": .array(try call.bank.subsidies.options(person: person).map(\.json))])
    } + personal(.get, "/subsidies/claims", "The worker's subsidy claims.") { call, person throws(SkillError) in
        .json(.ok, ["items": .array(try call.bank.subsidies.claims(of: person).map(\.json))])
    } + personal(.post, "/subsidies/claims", "Claim a subsidy paid to the worker (a refusal names the rule that refuses it).",
                 body: .json(Schemas.object(["programme": Schemas.string, "evidence": Schemas.string], required: ["programme", "evidence"])),
                 success: .created, creates: true) { call, person throws(SkillError) in
        if let programme = call.bank.standards.subsidies.first(where: { $0.id == call.string("programme") }), programme.payee != .worker {
            throw SkillError(.forbidden, "\(programme.id) is paid to the institution that trained; it claims it", field: "programme")
        }
        let evidence = call.string("evidence") ?? ""
        guard try call.bank.certificates.certificates(of: person).contains(where: { $0.id == evidence }) else {
            throw SkillError(.forbidden, "a worker claims only against their own certificates", field: "evidence")
        }
        let claim = try call.bank.subsidies.apply(person: person, programme: call.string("programme") ?? "", evidence: evidence, actor: call.actor)
        return .json(.created, claim.json)
    } + personal(.get, "/notices", "The worker's inbox (政策推送), newest first, in Chinese and English.",
                 parameters: [.query("cursor", "the last id of the previous page"), .query("limit", "1–500, default 50", schema: Schemas.pageLimit),
                              .query("unread", "only unread notices", schema: ["type": "boolean"])]) { call, person throws(SkillError) in
        let n = try limit(call)
        let (shown, unread) = try call.bank.notices.notices(of: person, unreadOnly: try call.flag("unread"), before: call.query["cursor"], limit: n)
        return .json(.ok, ["unread": .int(unread), "items": .array(shown.map(\.json)),
                           "next_cursor": .optional(shown.count == n ? shown.last?.notice.id : nil)])
    } + personal(.post, "/notices/read", "Mark notices read (all unread ones when no ids are given).",
                 body: .json(Schemas.object(["ids": ["type": "array", "items": Schemas.id("ntc"), "maxItems": 500]], required: []))) { call, person throws(SkillError) in
        let ids = call.body?["ids"]?.arrayValue?.compactMap(\.stringValue)
        return .json(.ok, ["marked": .int(try call.bank.notices.markRead(person: person, ids: ids, actor: call.actor))])
    }

    /// The employer a talent-pool call acts for: the institution token's own, or the one the operator names.
    static func employer(_ call: Call) throws(SkillError) -> String {
        if let named = call.string("institution"), let mine = call.actingInstitution, named != mine {
            throw SkillError(.forbidden, "this token acts only for its own institution", field: "institution")
        }
        guard let institution = call.actingInstitution ?? call.string("institution") else {
            throw SkillError(.invalidField, "name the employer institution this is for", field: "institution")
        }
        return institution
    }

    /// Runs `body`; to an institution's or a worker's token, another's record and no record at
    /// all read the same (403), so an id learns nothing about what exists.
    static func owned<T>(_ call: Call, _ notFound: SkillError.Code, _ body: () throws(SkillError) -> T) throws(SkillError) -> T {
        do throws(SkillError) { return try body() } catch where error.code == notFound && call.token?.role != .operator {
            throw SkillError(.forbidden, "this token may reach only its own records")
        }
    }

    /// The subscription named in the path.
    static func ownWebhook(_ call: Call) throws(SkillError) -> Webhook {
        let webhook = try owned(call, .webhookNotFound) { () throws(SkillError) in try call.bank.webhooks.webhook(call.requirePath("id")) }
        if let mine = call.actingInstitution, webhook.institutionID != mine { throw SkillError(.forbidden, "this token may reach only its own institution's webhooks") }
        return webhook
    }

    static func programmeJSON(_ p: SubsidyProgramme) -> JSONValue {
        [
            "id": .string(p.id), "zh": .string(p.zh), "en": .string(p.en), "evidence": .string(p.evidence.rawValue), "payee": .string(p.payee.rawValue),
            "status": .string(p.status.rawValue), "source": .string(p.source),
            "rules": .array(p.rules.map { r in
                ["id": .string(r.id), "kind": .string(r.kind.rawValue), "zh": .string(r.zh), "en": .string(r.en), "status": .string(r.status.rawValue),
                 "source": .string(r.source)]
            }),
        ]
    }
}
