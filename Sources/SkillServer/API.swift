import Foundation
import HTTPTypes
import Metrics
import Prometheus
import SkillCore
import SkillCrypto
import SkillCredentials
import SkillLedger
import SkillStore
import Synchronization

/// Every route of the HTTP API, in one table: the router registers these, and the OpenAPI
/// document is generated from the same table, so the two cannot drift apart.
enum API {
    static let issued = SkillServer.metric { Counter(label: "skillbank_certificates_issued_total") }
    static let verified = SkillServer.metric { Counter(label: "skillbank_verifications_total") }

    static func page(_ items: [JSONValue], nextCursor: String?) -> JSONValue {
        ["items": .array(items), "next_cursor": .optional(nextCursor)]
    }

    /// The two parameters every listing takes.
    static let paging: [Parameter] = [.query("cursor", "the last id of the previous page"), .query("limit", "1–500, default 50", schema: Schemas.pageLimit)]

    /// One page of a listing: `fetch` gets the cursor and the limit; a full page names the next cursor.
    static func paged<T>(
        _ call: Call, cursor: (T) -> String, json: (T) -> JSONValue, _ fetch: (String?, Int) throws(SkillError) -> [T]
    ) throws(SkillError) -> Reply {
        let n = try limit(call)
        let items = try fetch(call.query["cursor"], n)
        return .json(.ok, page(items.map(json), nextCursor: items.count == n ? items.last.map(cursor) : nil))
    }

    /// An optional query parameter that names one of `T`'s values.
    /// - Throws: `input.invalid-field` at `name`, listing the values.
    static func choice<T: RawRepresentable & CaseIterable>(_ call: Call, _ name: String, _ type: T.Type) throws(SkillError) -> T? where T.RawValue == String {
        guard let text = call.query[name] else { return nil }
        guard let value = T(rawValue: text) else {
            throw SkillError(.invalidField, "\(name) is one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", field: name)
        }
        return value
    }

    static func limit(_ call: Call) throws(SkillError) -> Int {
        guard let text = call.query["limit"] else { return 50 }
        guard let n = Int(text), (1...500).contains(n) else { throw SkillError(.invalidField, "limit must be 1–500", field: "limit") }
        return n
    }

    static let endpoints: [Endpoint] = publicEndpoints + operatorEndpoints + institutionEndpoints + workerEndpoints + platformEndpoints

    // MARK: Public

    static let publicEndpoints: [Endpoint] = [
        Endpoint(.get, "/healthz", .public, "Liveness: the database answers.") { call throws(SkillError) in
            _ = try call.bank.registration.institutions(after: "~", limit: 1)
            return .json(.ok, ["status": "ok"])
        },
        Endpoint(.post, "/v1/verify", .public, "Verify a certificate (VC JSON or VC-JWT) against the registry's current trust list and status lists.",
                 body: .json(Schemas.object(["credential": ["type": "object"], "jwt": Schemas.string], required: [])), limited: true) { call throws(SkillError) in
            // The body is parsed once: the credential goes to the verifier as it is.
            let check: (CredentialVerifier) -> VerificationReport
            if let jwt = call.string("jwt") {
                check = { $0.verify(text: jwt) }
            } else if let credential = call.body?["credential"] {
                check = { $0.verify(document: credential) }
            } else {
                throw SkillError(.invalidField, "give credential (a JSON object) or jwt (a compact JWS)", field: "credential")
            }
            let report = try Verification.verify(call.bank, registryName: call.server.registryName, check)
            return .raw(.ok, contentType: "application/json", body: report.canonicalJSON(), headers: [:])
        },
        Endpoint(.post, "/credentials/verify", .public,
                 "W3C VC API: verify a credential (`verifiableCredential`: the credential, or an EnvelopedVerifiableCredential whose id is a data: URL of either JWT profile) with the same verifier and reasons as /v1/verify; the answer lists the checks passed, the warnings and the errors (reason codes, with problemDetails).",
                 body: .json(Schemas.object(["verifiableCredential": ["type": "object"], "options": ["type": "object"]], required: ["verifiableCredential"])),
                 limited: true) { call throws(SkillError) in
            let credential = call.body?["verifiableCredential"] ?? .null
            let check: (CredentialVerifier) -> VerificationReport
            if let jwt = VCAPI.envelopedJWT(credential) {
                check = { $0.verify(text: jwt) }
            } else {
                check = { $0.verify(credential: credential) }
            }
            let report = try Verification.verify(call.bank, registryName: call.server.registryName, check)
            return .json(.ok, VCAPI.result(report))
        },
        Endpoint(.get, "/v1/certificates/lookup", .public, "National-style look-up: a number plus the holder's name or ID number.",
                 parameters: [.query("number", "certificate number", required: true, schema: Schemas.string), .query("name", "holder's name", schema: Schemas.string),
                              .query("id_type", "resident | passport | hk-macao | taiwan", schema: ["enum": ["resident", "passport", "hk-macao", "taiwan"]]), .query("id_number", "holder's ID number", schema: Schemas.string)],
                 limited: true) { call throws(SkillError) in
            guard let number = call.query["number"], !number.isEmpty else { throw SkillError(.invalidField, "number is required", field: "number") }
            guard call.query["name"] != nil || call.query["id_number"] != nil else {
                throw SkillError(.invalidField, "give name or id_number with the number", field: "name")
            }
            let type = try call.query["id_type"].map { t throws(SkillError) in
                guard let v = IDType(rawValue: t) else { throw SkillError(.invalidField, "unknown id_type", field: "id_type") }
                return v
            } ?? IDType.resident
            return .json(.ok, try call.bank.certificates.lookup(number: number, name: call.query["name"], idType: type, idNumber: call.query["id_number"]))
        },
        Endpoint(.get, "/v1/trust-list", .public, "The registry's signed trust list (key histories and accreditation scopes).") { call throws(SkillError) in
            .json(.ok, try Verification.snapshot(call.bank, registryName: call.server.registryName).trustList)
        },
        Endpoint(.get, "/v1/status-lists/{institution}/{purpose}", .public, "An issuer's Bitstring Status List credential (cacheable; ETag).") { call throws(SkillError) in
            guard let purpose = StatusPurpose(rawValue: call.requirePath("purpose")) else {
                throw SkillError(.routeNotFound, "purpose is message, revocation or suspension", field: "purpose")
            }
            let bytes = try call.bank.certificates.statusList(of: call.requirePath("institution"), purpose: purpose).canonicalBytes()
            let etag = "\"" + Hex.encode(SHA256.hash(bytes).prefix(16)) + "\""
            var headers: HTTPFields = [.eTag: etag, .cacheControl: "public, max-age=60"]
            if call.headers[.ifNoneMatch] == etag { return .raw(.notModified, contentType: "application/json", body: [], headers: headers) }
            headers[.contentType] = "application/vc+ld+json"
            return .raw(.ok, contentType: "application/json", body: bytes, headers: headers)
        },
        Endpoint(.get, "/v1/log/checkpoint", .public, "The latest signed checkpoint of the transparency log (C2SP signed note).", produces: ["text/plain"]) { call throws(SkillError) in
            .raw(.ok, contentType: "text/plain; charset=utf-8", body: Array(try call.bank.log.checkpoint().utf8), headers: [:])
        },
        Endpoint(.get, "/v1/log/proof/inclusion", .public, "An RFC 9162 inclusion proof for a leaf of the transparency log, by its index.",
                 parameters: [.query("leaf", "leaf index", required: true, schema: ["type": "integer", "minimum": 0]),
                              .query("size", "tree size (default: the latest checkpoint)", schema: Schemas.positive)]) { call throws(SkillError) in
            guard let leaf = call.query["leaf"].flatMap(Int.init) else { throw SkillError(.invalidField, "leaf is a leaf index", field: "leaf") }
            // Absent means the latest checkpoint; present, it must be a tree size (an empty `size=` is not "absent").
            let size = try call.query["size"].map { text throws(SkillError) in
                guard let n = Int(text), n > 0 else { throw SkillError(.invalidField, "size is a tree size, a whole number from 1; leave it out for the latest checkpoint", field: "size") }
                return n
            }
            return .json(.ok, try call.bank.log.inclusionProof(leaf: leaf, size: size).json)
        },
        Endpoint(.get, "/v1/log/entries", .public, "Leaves of the transparency log: hashes, and the commitments they are made of (never events).",
                 parameters: [.query("start", "first leaf index", required: true, schema: ["type": "integer", "minimum": 0]),
                              .query("count", "1–1000", required: true, schema: ["type": "integer", "minimum": 1, "maximum": 1000])]) { call throws(SkillError) in
            guard let start = call.query["start"].flatMap(Int.init), let count = call.query["count"].flatMap(Int.init) else {
                throw SkillError(.invalidField, "start and count are whole numbers", field: "start")
            }
            return .json(.ok, ["entries": .array(try call.bank.log.entries(start: start, count: count).map(\.json))])
        },
        Endpoint(.get, "/v1/log/proof/consistency", .public, "An RFC 9162 consistency proof between two tree sizes.",
                 parameters: [.query("from", "older size", required: true, schema: Schemas.positive),
                              .query("to", "newer size", required: true, schema: Schemas.positive)]) { call throws(SkillError) in
            guard let from = call.query["from"].flatMap(Int.init), let to = call.query["to"].flatMap(Int.init) else {
                throw SkillError(.invalidField, "from and to are tree sizes", field: "from")
            }
            return .json(.ok, try call.bank.log.consistencyProof(from: from, to: to).json)
        },
        Endpoint(.get, "/v1/certificates/{id}/bundle", .public,
                 "A certificate's bundle (trust list, status lists, log proof, checkpoint) for whoever shows the holder's name or ID number, or a share the holder made. A wrong holder and an unknown number look the same.",
                 parameters: [.query("name", "holder's name", schema: Schemas.string),
                              .query("id_type", "resident | passport | hk-macao | taiwan", schema: ["enum": ["resident", "passport", "hk-macao", "taiwan"]]),
                              .query("id_number", "holder's ID number", schema: Schemas.string), .query("share", "a share the holder made", schema: Schemas.string)],
                 limited: true) { call throws(SkillError) in
            .json(.ok, try call.bank.certificates.bundle(number: call.requirePath("id"), proof: try holderProof(call)))
        },
    ]

    /// What a public caller shows to read a certificate by number: a share, or the holder's
    /// name or ID number.
    static func holderProof(_ call: Call) throws(SkillError) -> HolderProof {
        if let share = call.query["share"], !share.isEmpty { return .share(share) }
        if let name = call.query["name"], !name.isEmpty { return .name(name) }
        if let number = call.query["id_number"], !number.isEmpty {
            guard let type = IDType(rawValue: call.query["id_type"] ?? "resident") else { throw SkillError(.invalidField, "unknown id_type", field: "id_type") }
            return .idNumber(type, number)
        }
        throw SkillError(.invalidField, "give the holder's name or id_number, or a share", field: "name")
    }

    // MARK: Operator

    static let institutionSchema = Schemas.object(
        ["name": Schemas.string, "kind": ["enum": ["training", "employer", "social", "international"]], "code": Schemas.uscc,
         "province": Schemas.province, "evaluator_code": Schemas.optionalString, "site_sequence": Schemas.optionalString],
        required: ["name", "kind", "code"])

    static let operatorEndpoints: [Endpoint] = [
        Endpoint(.get, "/metrics", .operatorOnly, "Prometheus metrics: requests by route and status, latency, certificates issued, verifications (operator only).",
                 produces: ["text/plain"]) { _ throws(SkillError) in
            .raw(.ok, contentType: "text/plain; version=0.0.4", body: SkillServer.metricsRegistry.emitToBuffer(), headers: [:])
        },
        Endpoint(.get, "/v1/institutions", .operatorOnly, "List institutions (cursor pagination).",
                 parameters: paging) { call throws(SkillError) in
            try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in try call.bank.registration.institutions(after: cursor, limit: n) }
        },
        Endpoint(.post, "/v1/institutions", .operatorOnly, "Register (备案) an institution.", body: .json(institutionSchema), success: .created, creates: true) { call throws(SkillError) in
            let i = try call.bank.registration.registerInstitution(.init(
                name: call.string("name") ?? "", kind: InstitutionKind(rawValue: call.string("kind") ?? "") ?? .training, code: call.string("code") ?? "",
                province: call.string("province"), evaluatorCode: call.string("evaluator_code") ?? "0000", siteSequence: call.string("site_sequence") ?? "000001"),
                actor: call.actor)
            return .json(.created, i.json)
        },
        Endpoint(.get, "/v1/institutions/{id}", .institutions, "One institution with scopes and keys (an institution token reads its own).") { call throws(SkillError) in
            let id = call.requirePath("id")
            if let mine = call.actingInstitution, mine != id { throw SkillError(.forbidden, "this token may read only its own institution") }
            return .json(.ok, try call.bank.registration.institution(id).json)
        },
        Endpoint(.post, "/v1/institutions/{id}/accreditations", .operatorOnly, "Add an accreditation scope.",
                 body: .json(Schemas.object(["occupation": Schemas.occupation, "levels": ["type": "array", "items": Schemas.level, "minItems": 1],
                                             "valid_from": Schemas.date, "valid_until": Schemas.date], required: ["occupation", "levels"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let from = try call.string("valid_from").map { t throws(SkillError) in try CalendarDate.parse(t, field: "valid_from") }
            let until = try call.string("valid_until").map { t throws(SkillError) in try CalendarDate.parse(t, field: "valid_until") }
            let levels = call.body?["levels"]?.arrayValue?.compactMap(\.intValue) ?? []
            return .json(.created, try call.bank.registration.accredit(call.requirePath("id"), occupation: call.string("occupation") ?? "", levels: levels,
                                                            from: from, until: until, actor: call.actor).json)
        },
        Endpoint(.post, "/v1/institutions/{id}/suspend", .operatorOnly, "Suspend an institution.",
                 body: .json(Schemas.object(["reason": Schemas.optionalString], required: []))) { call throws(SkillError) in
            .json(.ok, try call.bank.registration.setInstitutionSuspended(call.requirePath("id"), true, reason: call.string("reason"), actor: call.actor).json)
        },
        Endpoint(.post, "/v1/institutions/{id}/reinstate", .operatorOnly, "Reinstate a suspended institution.") { call throws(SkillError) in
            .json(.ok, try call.bank.registration.setInstitutionSuspended(call.requirePath("id"), false, actor: call.actor).json)
        },
        Endpoint(.post, "/v1/institutions/{id}/rotate-key", .operatorOnly, "Rotate an issuing institution's key.") { call throws(SkillError) in
            .json(.ok, try call.bank.registration.rotateKey(of: call.requirePath("id"), actor: call.actor).json)
        },
        Endpoint(.post, "/v1/people", .operatorOnly, "Register a worker (name and ID number are stored encrypted; the reply is masked).",
                 body: .json(Schemas.object(["name": Schemas.string, "id_type": idTypes, "id_number": Schemas.string],
                                            required: ["name", "id_type", "id_number"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let p = try call.bank.registration.registerPerson(name: call.string("name") ?? "", idType: IDType(rawValue: call.string("id_type") ?? "") ?? .resident,
                                                   idNumber: call.string("id_number") ?? "", actor: call.actor)
            return .json(.created, p.json)
        },
        Endpoint(.get, "/v1/people/{id}", .operatorOnly, "One worker, masked.") { call throws(SkillError) in
            .json(.ok, try call.bank.registration.person(call.requirePath("id")).json)
        },
        Endpoint(.post, "/v1/signin-links", .institutions,
                 "A one-time sign-in link to a worker's own pages (/me), valid for `minutes` (default 15); the reply is its only copy. An institution issues them to its own learners.",
                 body: .json(Schemas.object(["person": Schemas.id("per"), "minutes": ["type": "integer", "minimum": 1, "maximum": 1_440]], required: ["person"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let (url, expires) = try call.bank.sessions.issueLink(person: call.string("person") ?? "", minutes: call.int("minutes") ?? 15, actor: call.actor,
                                                                  onlyFor: call.actingInstitution)
            return .json(.created, ["url": .string(url), "expires_at": .string(expires)])
        },
        Endpoint(.post, "/v1/people/search", .operatorOnly,
                 "Find a worker by ID number through the blind index (a POST, so the number is never in a URL or a log).",
                 body: .json(Schemas.object(["id_type": idTypes, "id_number": Schemas.string], required: ["id_type", "id_number"]))) { call throws(SkillError) in
            guard let found = try call.bank.registration.findPerson(idType: IDType(rawValue: call.string("id_type") ?? "") ?? .resident, idNumber: call.string("id_number") ?? "") else {
                throw SkillError(.personNotFound, "no worker is registered with this ID number")
            }
            return .json(.ok, found.json)
        },
        Endpoint(.post, "/v1/tokens", .operatorOnly,
                 "Make a token. Its secret is in this reply only (only its SHA-256 is kept), so this route keeps no Idempotency-Key replay.",
                 // One shape per role: an institution token names its institution, a worker's its person.
                 body: .json(["oneOf": [
                     Schemas.object(["role": ["enum": ["operator"]], "expires": Schemas.date], required: ["role"]),
                     Schemas.object(["role": ["enum": ["institution"]], "institution": Schemas.id("ins"), "expires": Schemas.date], required: ["role", "institution"]),
                     Schemas.object(["role": ["enum": ["worker"]], "person": Schemas.id("per"), "expires": Schemas.date], required: ["role", "person"]),
                 ]]),
                 success: .created) { call throws(SkillError) in
            let expires = try call.string("expires").map { t throws(SkillError) in try CalendarDate.parse(t, field: "expires") }
            let (record, secret) = try call.bank.tokens.create(
                role: Role(rawValue: call.string("role") ?? "") ?? .worker, institution: call.string("institution"), person: call.string("person"),
                expires: expires, actor: call.actor)
            var value = record.json.objectValue ?? [:]
            value["secret"] = .string(secret)
            return .json(.created, .object(value))
        },
        Endpoint(.get, "/v1/checks/ledger", .operatorOnly,
                 "The credit ledger's invariants checked now (what skillbank check does): postings balance, events match; problems named.") { call throws(SkillError) in
            .json(.ok, try call.bank.accounts.reconcile().json)
        },
        Endpoint(.get, "/v1/checks/log", .operatorOnly,
                 "The transparency log audited now (what skillbank log audit does): every leaf recomputed from its event, every checkpoint from the tree.") { call throws(SkillError) in
            .json(.ok, try call.bank.log.audit().json)
        },
        Endpoint(.get, "/v1/tokens", .operatorOnly, "Every token: role, subject, dates (never a secret).") { call throws(SkillError) in
            .json(.ok, ["items": .array(try call.bank.tokens.all().map(\.json))])
        },
        Endpoint(.post, "/v1/tokens/{id}/revoke", .operatorOnly, "Revoke a token at once.") { call throws(SkillError) in
            .json(.ok, try call.bank.tokens.revoke(call.requirePath("id"), actor: call.actor).json)
        },
    ]

    static let idTypes: JSONValue = ["enum": ["resident", "passport", "hk-macao", "taiwan"]]

    /// An import's reply: the report when it was committed (with the ids each row made), else
    /// problem+json naming every bad row by line and column in `invalid_params`.
    static func importReply(_ report: ImportReport, instance: String, certificates: Int? = nil) -> Reply {
        guard !report.committed else {
            var value = report.json.objectValue ?? [:]
            if let certificates { value["certificates"] = .int(certificates) }
            return .json(.ok, .object(value))
        }
        let n = report.problems.count
        let error = report.problems.contains { $0.code == .forbidden }
            ? SkillError(.forbidden, "\(n) row(s) are about records of another institution or of a kind this token may not import; nothing was imported")
            : SkillError(.importBadRows, "\(n) bad row(s) of \(report.rows); nothing was imported. Fix the rows listed and send the file again, or add ?skip_bad=true to import the good ones")
        let params: [JSONValue] = report.problems.prefix(1_000).map { p in
            ["line": .int(p.line), "column": .string(p.column), "code": .string(p.code.rawValue), "reason": .string(p.message)]
        }
        return .problem(Problem.parts(error, instance: instance, invalidParams: params, extensions: [
            "kind": .string(report.kind.rawValue), "rows": .int(report.rows), "rejected": .int(n), "imported": 0, "committed": false,
        ]))
    }

    // MARK: Institutions

    static let institutionEndpoints: [Endpoint] = [
        Endpoint(.get, "/v1/courses/{id}", .institutions, "One course with the places taken (an institution token reads its own).") { call throws(SkillError) in
            let id = call.requirePath("id")
            try call.requireOwned(id)
            return .json(.ok, try call.bank.training.course(id).json)
        },
        Endpoint(.get, "/v1/courses", .institutions, "Courses (an institution token sees its own).",
                 parameters: paging) { call throws(SkillError) in
            try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.training.courses(institutionID: call.actingInstitution, after: cursor, limit: n)
            }
        },
        Endpoint(.post, "/v1/courses", .institutions, "Publish a course inside the institution's scope.",
                 body: .json(Schemas.object(["institution": Schemas.id("ins"), "title": Schemas.string, "occupation": Schemas.occupation, "level": Schemas.level,
                                             "hours": ["type": "integer", "minimum": 1], "capacity": ["type": "integer", "minimum": 1],
                                             "framework": Schemas.string, "starts_on": Schemas.date, "ends_on": Schemas.date, "online": ["type": "boolean"]],
                                            required: ["title", "occupation", "level", "hours"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let institution = call.actingInstitution ?? call.string("institution") ?? ""
            if let named = call.string("institution"), let mine = call.actingInstitution, named != mine {
                throw SkillError(.forbidden, "this token may publish only its own institution's courses", field: "institution")
            }
            let course = try call.bank.training.publishCourse(.init(
                institutionID: institution, title: call.string("title") ?? "", occupation: call.string("occupation") ?? "", level: call.int("level") ?? 0,
                hours: call.int("hours") ?? 0, capacity: call.int("capacity"), framework: call.string("framework"),
                startsOn: try call.string("starts_on").map { t throws(SkillError) in try CalendarDate.parse(t, field: "starts_on") },
                endsOn: try call.string("ends_on").map { t throws(SkillError) in try CalendarDate.parse(t, field: "ends_on") },
                isOnline: call.body?["online"]?.boolValue ?? false), actor: call.actor)
            return .json(.created, course.json)
        },
        Endpoint(.get, "/v1/enrolments", .institutions, "Enrolments in the institution's courses (an institution token sees its own), filtered by course and status.",
                 parameters: [.query("course", "one course"), .query("status", "enrolled | completed | failed | withdrawn", schema: ["enum": ["enrolled", "completed", "failed", "withdrawn"]]),
                             ] + paging) { call throws(SkillError) in
            if let course = call.query["course"] { try call.requireOwned(course) }
            let status = try choice(call, "status", EnrolmentStatus.self)
            return try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.training.enrolments(institutionID: call.actingInstitution, course: call.query["course"], status: status, after: cursor, limit: n)
            }
        },
        Endpoint(.post, "/v1/enrolments", .institutions, "Enrol a worker in a course.",
                 body: .json(Schemas.object(["person": Schemas.id("per"), "course": Schemas.id("crs")], required: ["person", "course"])),
                 success: .created, creates: true) { call throws(SkillError) in
            try call.requireOwned(call.string("course") ?? "")
            return .json(.created, try call.bank.training.enrol(person: call.string("person") ?? "", course: call.string("course") ?? "", actor: call.actor).json)
        },
        Endpoint(.post, "/v1/enrolments/{id}/close", .institutions, "Record completion (credits deposited), failure or withdrawal.",
                 body: .json(Schemas.object(["outcome": ["enum": ["completed", "failed", "withdrawn"]]], required: ["outcome"]))) { call throws(SkillError) in
            let id = call.requirePath("id")
            try call.requireOwned(id)
            let (e, credited) = try call.bank.training.close(enrolment: id, as: EnrolmentStatus(rawValue: call.string("outcome") ?? "") ?? .completed, actor: call.actor)
            var value = e.json.objectValue!
            value["credited"] = .string(Credits.format(credited))
            return .json(.ok, .object(value))
        },
        Endpoint(.get, "/v1/assessments", .institutions, "Assessments (an institution token sees its own).",
                 parameters: paging) { call throws(SkillError) in
            try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.issuance.assessments(institutionID: call.actingInstitution, after: cursor, limit: n)
            }
        },
        Endpoint(.get, "/v1/assessments/{id}/candidates", .institutions, "An assessment's candidates with their results (person ids, never names).",
                 parameters: paging) { call throws(SkillError) in
            let id = call.requirePath("id")
            try call.requireOwned(id)
            return try paged(call, cursor: \.personID, json: { c in
                ["person": .string(c.personID), "status": .string(c.status.rawValue), "theory": .optional(c.theory), "practical": .optional(c.practical)]
            }) { cursor, n throws(SkillError) in try call.bank.issuance.candidates(assessment: id, after: cursor, limit: n) }
        },
        Endpoint(.get, "/v1/certificates", .institutions, "Certificates issued (an institution token sees its own), filtered by status.",
                 parameters: [.query("status", "active | suspended | revoked", schema: ["enum": ["active", "suspended", "revoked"]]),
                             ] + paging) { call throws(SkillError) in
            let status = try choice(call, "status", CertificateStatus.self)
            return try paged(call, cursor: \.id, json: \.json) { cursor, n throws(SkillError) in
                try call.bank.certificates.issued(by: call.actingInstitution, status: status, after: cursor, limit: n)
            }
        },
        Endpoint(.post, "/v1/assessments", .institutions, "Schedule an assessment inside the evaluator's scope.",
                 body: .json(Schemas.object(["institution": Schemas.id("ins"), "occupation": Schemas.occupation, "level": Schemas.level,
                                             "kind": ["enum": ["skill", "special"]], "work_type": Schemas.string, "dual_mapping": Schemas.string],
                                            required: ["occupation"])),
                 success: .created, creates: true) { call throws(SkillError) in
            if let named = call.string("institution"), let mine = call.actingInstitution, named != mine {
                throw SkillError(.forbidden, "this token may schedule only its own institution's assessments", field: "institution")
            }
            let a = try call.bank.issuance.scheduleAssessment(
                institution: call.actingInstitution ?? call.string("institution") ?? "", occupation: call.string("occupation") ?? "", level: call.int("level"),
                kind: AssessmentKind(rawValue: call.string("kind") ?? "skill") ?? .skill, workType: call.string("work_type"),
                dualMapping: call.string("dual_mapping"), actor: call.actor)
            return .json(.created, a.json)
        },
        Endpoint(.post, "/v1/assessments/{id}/candidates", .institutions, "Enrol a candidate (eligibility rules checked; the operator may override).",
                 body: .json(Schemas.object(["person": Schemas.id("per"), "override": Schemas.string], required: ["person"])),
                 success: .created, creates: true) { call throws(SkillError) in
            let id = call.requirePath("id")
            try call.requireOwned(id)
            if call.string("override") != nil, call.token?.role != .operator {
                throw SkillError(.forbidden, "only the operator may override eligibility", field: "override")
            }
            try call.bank.issuance.enrolCandidate(assessment: id, person: call.string("person") ?? "", override: call.string("override"), actor: call.actor)
            return .json(.created, ["assessment": .string(id), "person": .optional(call.string("person")), "status": "enrolled"])
        },
        Endpoint(.post, "/v1/assessments/{id}/results", .institutions, "Record scores; a pass issues the signed certificate(s).",
                 body: .json(Schemas.object(["person": Schemas.id("per"), "theory": Schemas.score, "practical": Schemas.score], required: ["person", "practical"]))) { call throws(SkillError) in
            let id = call.requirePath("id")
            try call.requireOwned(id)
            let outcome = try call.bank.issuance.recordResult(assessment: id, person: call.string("person") ?? "", theory: call.int("theory"),
                                                       practical: call.int("practical") ?? 0, actor: call.actor)
            issued.increment(by: outcome.certificates.count)
            return .json(.ok, outcome.json)
        },
        Endpoint(.post, "/v1/certificates/{id}/revoke", .institutions, "Revoke a certificate (and its twin); what was converted from it is reversed.",
                 body: .json(Schemas.object(["reason": Schemas.string], required: ["reason"]))) { call throws(SkillError) in
            try certificateChange(call, .revoke)
        },
        Endpoint(.post, "/v1/certificates/{id}/suspend", .institutions, "Suspend a certificate (and its twin).",
                 body: .json(Schemas.object(["reason": Schemas.optionalString], required: []))) { call throws(SkillError) in
            try certificateChange(call, .suspend)
        },
        Endpoint(.post, "/v1/certificates/{id}/reinstate", .institutions, "Lift a suspension.") { call throws(SkillError) in
            try certificateChange(call, .reinstate)
        },
        Endpoint(.post, "/v1/imports/{kind}", .institutions, "Bulk CSV upload (people: operator only; enrolments; completions), one transaction.",
                 body: .csv, parameters: [.query("skip_bad", "import the good rows and report the bad ones", schema: ["type": "boolean"])]) { call throws(SkillError) in
            guard let kind = ImportKind(rawValue: call.requirePath("kind")), ImportKind.importable.contains(kind) else {
                throw SkillError(.routeNotFound, "kind is people, enrolments or completions", field: "kind")
            }
            if kind == .people, call.token?.role != .operator { throw SkillError(.forbidden, "only the operator imports people") }
            let file = try stage(call.raw)
            defer { try? FileManager.default.removeItem(at: file) }
            let report = try call.bank.imports.importCSV(kind, from: file, skipBad: try call.flag("skip_bad"), actor: call.actor, onlyFor: call.actingInstitution)
            // Rows about another institution's records make the whole upload forbidden, not merely invalid.
            return importReply(report, instance: call.instance)
        },
        Endpoint(.post, "/v1/assessments/{id}/results/import", .institutions,
                 "Results from CSV (person,theory,practical): passes issue certificates, 1,000 rows a batch, one transaction; the reply names each row's certificates.",
                 body: .csv, parameters: [.query("skip_bad", "record the good rows and report the bad ones", schema: ["type": "boolean"])]) { call throws(SkillError) in
            let id = call.requirePath("id")
            try call.requireOwned(id)
            let file = try stage(call.raw)
            defer { try? FileManager.default.removeItem(at: file) }
            let (report, issued) = try call.bank.issuance.importResults(assessment: id, from: file, skipBad: try call.flag("skip_bad"), actor: call.actor)
            return importReply(report, instance: call.instance, certificates: issued)
        },
        Endpoint(.post, "/v1/certificates/revocations", .institutions,
                 "Revoke many certificates by number, one transaction: all or none, unless skip_bad (an institution's token reaches only its own).",
                 body: .json(Schemas.object(["numbers": ["type": "array", "items": Schemas.string, "minItems": 1, "maxItems": 1_000], "reason": Schemas.string],
                                            required: ["numbers", "reason"])),
                 parameters: [.query("skip_bad", "revoke the numbers that can be and report the others", schema: ["type": "boolean"])]) { call throws(SkillError) in
            let numbers = call.body?["numbers"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let skipBad = try call.flag("skip_bad")
            let (revoked, problems) = try call.bank.certificates.revokeBulk(
                numbers: numbers, reason: call.string("reason") ?? "", actor: call.actor, onlyFor: call.actingInstitution, skipBad: skipBad)
            let params: [JSONValue] = problems.map { p in
                ["path": .string("$.numbers[\(p.line - 1)]"), "code": .string(p.code.rawValue), "reason": .string(p.message)]
            }
            if !problems.isEmpty, !skipBad {
                return .problem(Problem.parts(
                    SkillError(.importBadRows, "\(problems.count) number(s) cannot be revoked; nothing was revoked. Remove them, or add ?skip_bad=true to revoke the others"),
                    instance: call.instance, invalidParams: params))
            }
            return .json(.ok, ["revoked": .array(revoked.map(\.json)), "problems": .array(params)])
        },
    ]

    /// An upload written to a private temporary file for the CSV reader.
    static func stage(_ bytes: [UInt8]) throws(SkillError) -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("skillbank-upload-\(UUID().uuidString).csv")
        guard FileManager.default.createFile(atPath: file.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw SkillError(.storeFailure, "cannot stage the upload")
        }
        return file
    }

    static func certificateChange(_ call: Call, _ change: StatusChange) throws(SkillError) -> Reply {
        let id = call.requirePath("id")
        try call.requireOwned(id)
        let changed = try call.bank.certificates.changeStatus(of: id, change, reason: call.string("reason"), actor: call.actor)
        return .json(.ok, ["certificates": .array(changed.map(\.json))])
    }

    // MARK: Workers

    static func me(_ call: Call) -> String { call.token?.personID ?? "" }

    static let workerEndpoints: [Endpoint] = [

        Endpoint(.get, "/v1/me/certificates/{id}", .workers, "Export one of the worker's certificates as a VC, a VC-JWT or a bundle for offline checks.",
                 parameters: [.query("format", "vc (default) | jwt (VC-JOSE-COSE) | ob-jwt (the Open Badges 3.0 JWT profile) | bundle",
                                     schema: ["enum": ["vc", "jwt", "ob-jwt", "bundle"]]),
                              .query("with_name", "include the worker's name", schema: ["type": "boolean"])],
                 produces: ["application/json", "application/vc+jwt", "application/jwt"]) { call throws(SkillError) in
            let id = call.requirePath("id")
            guard try call.bank.certificates.certificates(of: me(call)).contains(where: { $0.id == id || $0.number == id }) else {
                throw SkillError(.forbidden, "a worker may export only their own certificates")
            }
            guard let format = Certificates.ExportFormat(rawValue: call.query["format"] ?? "vc") else {
                throw SkillError(.invalidField, "format is vc, jwt, ob-jwt or bundle", field: "format")
            }
            let text = try call.bank.certificates.export(id, format: format, withName: try call.flag("with_name"))
            let type = [.jwt: "application/vc+jwt", .obJWT: "application/jwt"][format] ?? "application/json"
            return .raw(.ok, contentType: type, body: Array(text.utf8), headers: [:])
        },
        Endpoint(.post, "/v1/me/certificates/{id}/shares", .workers,
                 "Share one of the worker's certificates: a secret that lets whoever holds it fetch the certificate's bundle by number until it expires.",
                 body: .json(Schemas.object(["days": ["type": "integer", "minimum": 1, "maximum": 365]], required: [])),
                 success: .created, creates: true) { call throws(SkillError) in
            let (share, secret) = try call.bank.certificates.share(call.requirePath("id"), of: me(call), days: call.int("days") ?? 30, actor: call.actor)
            var value = share.json.objectValue!
            value["share"] = .string(secret)
            return .json(.created, .object(value))
        },
    ] + personal(.get, "/record", "The worker's record (个人培训电子档案).") { call, person throws(SkillError) in
        .json(.ok, try call.bank.accounts.record(of: person).json)
    } + personal(.get, "/certificates", "The worker's certificates.") { call, person throws(SkillError) in
        .json(.ok, ["items": .array(try call.bank.certificates.certificates(of: person).map(\.json))])
    } + personal(.get, "/pathway", "What the worker holds toward a level, and what is missing.",
                 parameters: [.query("occupation", "occupation code", required: true, schema: Schemas.occupation),
                              .query("level", "five-level code", required: true, schema: Schemas.level)]) { call, person throws(SkillError) in
        guard let level = call.query["level"].flatMap(Int.init) else { throw SkillError(.invalidField, "level must be 1–5", field: "level") }
        let (outcomes, _) = try call.bank.conversions.pathway(person: person, occupation: call.query["occupation"] ?? "", level: level)
        return .json(.ok, ["eligible": .bool(outcomes.isEmpty || outcomes.contains(where: \.applies)), "rules": .array(outcomes.map(\.json))])
    } + personal(.get, "/conversions", "Preview every conversion rule against the worker's record.",
                 parameters: [.query("rule", "only this rule")]) { call, person throws(SkillError) in
        .json(.ok, ["outcomes": .array(try call.bank.conversions.preview(person: person, rule: call.query["rule"]).map(\.json))])
    } + personal(.post, "/conversions", "Apply a conversion rule (once).",
                 body: .json(Schemas.object(["rule": Schemas.string, "programme": Schemas.string], required: ["rule"])),
                 success: .created, creates: true) { call, person throws(SkillError) in
        let made = try call.bank.conversions.apply(person: person, rule: call.string("rule") ?? "", programme: call.string("programme"), actor: call.actor)
        return .json(.created, ["conversions": .array(made.map(\.json))])
    } + personal(.get, "/statement", "The worker's learning-account statement, signed by the registry.") { call, person throws(SkillError) in
        .json(.ok, try call.bank.accounts.statement(of: person))
    }

    /// A route about one worker, served twice: to the worker at `/v1/me…` and to the operator,
    /// for any worker, at `/v1/people/{id}…` (what `skillbank record PER` and the like do).
    static func personal(
        _ method: HTTPRequest.Method, _ suffix: String, _ summary: String, body: BodyKind = .none, parameters: [Parameter] = [],
        success: HTTPResponse.Status = .ok, creates: Bool = false, _ handler: @escaping @Sendable (Call, String) throws(SkillError) -> Reply
    ) -> [Endpoint] {
        [
            Endpoint(method, "/v1/me" + suffix, .workers, summary, body: body, parameters: parameters, success: success, creates: creates) { call throws(SkillError) in
                try handler(call, me(call))
            },
            Endpoint(method, "/v1/people/{id}" + suffix, .operatorOnly, summary + " (the operator, for any worker)", body: body, parameters: parameters,
                     success: success, creates: creates) { call throws(SkillError) in
                try handler(call, call.requirePath("id"))
            },
        ]
    }
}

/// Verification with the registry's own current trust list and status lists. The signed trust
/// list and a prepared verifier are rebuilt only when the ledger has a new event, so a
/// verification costs one signature check, not a trust list signature per request.
enum Verification {
    final class Snapshot: Sendable {
        let version: ChangeVersion
        let trustList: JSONValue
        let verifier: CredentialVerifier
        init(version: ChangeVersion, trustList: JSONValue, verifier: CredentialVerifier) {
            self.version = version
            self.trustList = trustList
            self.verifier = verifier
        }
    }

    private static let cache = Mutex<[String: Snapshot]>([:])

    /// The current snapshot of `ledger` (keyed by its file), rebuilt only after a commit.
    /// The version is taken before the build, so a commit racing with it makes the next call
    /// rebuild rather than keep a stale snapshot.
    static func snapshot(_ bank: Bank, registryName: String) throws(SkillError) -> Snapshot {
        let version = try bank.changeVersion()
        if let hit = cache.withLock({ $0[bank.location] }), hit.version == version { return hit }
        let trust = try bank.registration.trustList(name: registryName)
        let fresh = Snapshot(version: version, trustList: trust,
                             verifier: CredentialVerifier(trustList: trust, statusLists: try bank.certificates.allStatusLists()))
        cache.withLock { $0[bank.location] = fresh }
        return fresh
    }

    /// Runs `check` with the verifier prepared from the bank's current trust list and status
    /// lists, and counts the verification.
    static func verify(
        _ bank: Bank, registryName: String, _ check: (CredentialVerifier) -> VerificationReport
    ) throws(SkillError) -> VerificationReport {
        let report = check(try snapshot(bank, registryName: registryName).verifier)
        API.verified.increment()
        return report
    }
}

/// The W3C VC API's shapes around our verifier.
enum VCAPI {
    /// The compact JWS inside an `EnvelopedVerifiableCredential` (VC 2.0 §4.13): its id is a
    /// `data:` URL of media type `application/vc+jwt` or `application/jwt`.
    static func envelopedJWT(_ credential: JSONValue) -> String? {
        let types = credential["type"]?.arrayValue?.compactMap(\.stringValue) ?? credential["type"]?.stringValue.map { [$0] } ?? []
        guard types.contains("EnvelopedVerifiableCredential"), let id = credential["id"]?.stringValue else { return nil }
        for prefix in ["data:application/vc+jwt,", "data:application/jwt,"] where id.hasPrefix(prefix) { return String(id.dropFirst(prefix.count)) }
        return nil
    }

    /// `{"verified", "checks", "warnings", "errors", "problemDetails"}`: the names of the checks
    /// that passed, no warnings (every check we make either passes or fails), the reason code of
    /// each failed check, and each failure as a problem detail with what was found.
    static func result(_ report: VerificationReport) -> JSONValue {
        let failed = report.checks.filter { !$0.passed }
        return [
            "verified": .bool(report.isValid),
            "checks": .array(report.checks.filter(\.passed).map { .string($0.name) }),
            "warnings": [],
            "errors": .array(failed.map { .string($0.reason?.rawValue ?? $0.name) }),
            "problemDetails": .array(failed.map { check in
                ["type": .string("urn:skillbank:verification:\(check.reason?.rawValue ?? check.name)"), "title": .string(check.name),
                 "detail": .string(check.detail)]
            }),
        ]
    }
}
