import Foundation
import HTTPTypes
import SkillCore
import SkillCredentials
import SkillLedger

/// What a route answers on success, for the OpenAPI document: a JSON Schema and an example.
///
/// Each example is the encoder's own output for a sample value (`Course.json` of a sample
/// course, and so on), so the example is what the server sends; the schema is declared here and
/// a unit test validates every example against its schema, and the HTTP tests validate every reply
/// they receive against its route's schema (`ReplyConformance`), so a member added to an encoder
/// without its schema fails the suite. The registry's own records get closed schemas
/// (`additionalProperties: false`, every member required, `null` where a value may be absent);
/// documents whose shape a standard fixes (credentials, trust and status lists, bundles) are
/// described by their required top-level members.
struct ReplyShape: Sendable {
    let name: String
    let schema: JSONValue
    let example: JSONValue
}

/// Schema snippets for replies: closed objects whose members are all present.
enum Shape {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let time: JSONValue = ["type": "string", "format": "date-time"]
    static let date: JSONValue = ["type": "string", "format": "date"]
    static let credits: JSONValue = ["type": "string", "pattern": "^[0-9]+\\.[0-9]$"]
    static func id(_ prefix: String) -> JSONValue { ["type": "string", "pattern": .string("^\(prefix)_[0-9A-HJKMNP-TV-Z]{26}$")] }
    static func nullable(_ s: JSONValue) -> JSONValue {
        guard case .object(var o) = s, let type = o["type"]?.stringValue else { return ["anyOf": [s, ["type": "null"]]] }
        o["type"] = [.string(type), "null"]
        if let values = o["enum"]?.arrayValue { o["enum"] = .array(values + [.null]) }
        return .object(o)
    }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map(JSONValue.string))] }
    /// A closed object: every member present (absent values are null), no others.
    static func object(_ members: [String: JSONValue]) -> JSONValue {
        ["type": "object", "properties": .object(members), "required": .array(members.keys.sorted().map(JSONValue.string)), "additionalProperties": false]
    }
    /// An open object: these members required, others allowed (documents a standard shapes).
    static func document(_ required: [String], _ members: [String: JSONValue] = [:]) -> JSONValue {
        ["type": "object", "properties": .object(members), "required": .array(required.map(JSONValue.string))]
    }
    static func page(_ items: JSONValue) -> JSONValue { object(["items": array(items), "next_cursor": nullable(string)]) }
}

/// A registry record's or report's schema, and a sample encoded by its own encoder.
enum Replies {
    static let t = "2026-12-07T08:30:00Z"
    static let key = KeyRecord(id: "key_01M96HRJMEE3T527GVW10Y1V42", ownerID: "ins_01M96HRJMEE3T527GVW10Y1V42",
                               did: "did:key:z6MkfhuK3FMYokAUZAQNBQULDCQQiAj5oGR3Hbo4f8U1at9a", publicKey: Array(repeating: 7, count: 32), validFrom: t, validUntil: nil)
    static let accreditation = Accreditation(id: "acc_01M96HRJNM6EX0G1EFW9XP7AH6", occupation: "6-31-01-03", levels: [5, 4, 3],
                                             validFrom: CalendarDate(iso: "2026-01-01")!, validUntil: nil)
    static let institutionSample = Institution(
        id: "ins_01M96HRJYR53M2BB1AHNJXQ0FE", name: "广东省电工职业技能评价中心", kind: .social, code: "51440000MJ0000001R", province: "44", isSuspended: false,
        registeredAt: t, accreditations: [accreditation], evaluatorCode: "0012", siteSequence: "000007", keys: [key])
    static let courseSample = Course(
        id: "crs_01M96HRJPX72AKE8EJ2GV19BAD", institutionID: "ins_01M96HRJMEE3T527GVW10Y1V42", title: "低压电工作业", occupation: "6-31-01-03", level: 4,
        hours: 64, framework: "hkqf", creditTenths: 64, startsOn: CalendarDate(iso: "2026-12-07")!, endsOn: nil, capacity: 30, enrolled: 1, isOnline: false)
    static let enrolmentSample = Enrolment(id: "enr_01M96HRJSA3NQ0B9W5C2Z3Z0V5", personID: "per_01M96HRJR42244HATXH2AWEWFX", courseID: courseSample.id,
                                           status: .completed, enrolledAt: t, closedAt: t)
    static let assessmentSample = Assessment(
        id: "asm_01M96HRK1DC5F20B111E6JP2DA", institutionID: institutionSample.id, kind: .skill, occupation: "6-31-01-03", level: 4, workType: nil,
        dualMapping: nil, theoryPassMark: 60, practicalPassMark: 60, scheduledAt: t)
    static let certificateSample = CertificateSummary(
        id: "crt_01M96HRK5BC1NKNHAPKM5DPMG0", number: "S001244000007264000001", kind: "skill-level-certificate", institutionID: institutionSample.id,
        personID: "per_01M96HRJR42244HATXH2AWEWFX", occupation: "6-31-01-03", level: 4, issuedAt: t, status: .active, twinID: nil)
    static let personSample = PersonSummary(id: "per_01M96HRJR42244HATXH2AWEWFX", idType: .resident, maskedIDNumber: "4403**********1236", maskedName: "李*", registeredAt: t)
    static let tokenSample = TokenRecord(id: "tok_01M96HRK5BC1NKNHAPKM5DPMG1", role: .institution, institutionID: institutionSample.id, personID: nil,
                                         createdAt: t, expiresAt: nil, revokedAt: nil)

    static let keySchema = Shape.object(["id": Shape.string, "did": Shape.string, "public_key_multibase": Shape.string, "valid_from": Shape.time,
                                         "valid_until": Shape.nullable(Shape.time)])
    static let accreditationSchema = Shape.object(["id": Shape.id("acc"), "occupation": Shape.string, "levels": Shape.array(Shape.integer),
                                                   "valid_from": Shape.date, "valid_until": Shape.nullable(Shape.date)])
    static let institution = ReplyShape(name: "Institution", schema: Shape.object([
        "id": Shape.id("ins"), "name": Shape.string, "kind": Shape.enumeration(InstitutionKind.allCases.map(\.rawValue)), "code": Shape.string,
        "province": Shape.nullable(Shape.string), "status": Shape.enumeration(["active", "suspended"]), "registered_at": Shape.time,
        "accreditations": Shape.array(accreditationSchema), "evaluator_code": Shape.string, "site_sequence": Shape.string, "keys": Shape.array(keySchema),
    ]), example: institutionSample.json)
    static let accreditationShape = ReplyShape(name: "Accreditation", schema: accreditationSchema, example: accreditation.json)
    static let keyShape = ReplyShape(name: "Key", schema: keySchema, example: key.json)
    static let courseSchema = Shape.object([
        "id": Shape.id("crs"), "institution": Shape.id("ins"), "title": Shape.string, "occupation": Shape.string, "level": Shape.integer, "hours": Shape.integer,
        "framework": Shape.string, "credits": Shape.credits, "credit_tenths": Shape.integer, "starts_on": Shape.date, "ends_on": Shape.nullable(Shape.date),
        "capacity": Shape.nullable(Shape.integer), "enrolled": Shape.nullable(Shape.integer), "online": Shape.boolean,
    ])
    static let course = ReplyShape(name: "Course", schema: courseSchema, example: courseSample.json)
    static let enrolmentMembers: [String: JSONValue] = [
        "id": Shape.id("enr"), "person": Shape.id("per"), "course": Shape.id("crs"), "status": Shape.enumeration(EnrolmentStatus.allCases.map(\.rawValue)),
        "enrolled_at": Shape.time, "closed_at": Shape.nullable(Shape.time),
    ]
    static let enrolment = ReplyShape(name: "Enrolment", schema: Shape.object(enrolmentMembers), example: enrolmentSample.json)
    static let closedEnrolment: ReplyShape = {
        var members = enrolmentMembers
        members["credited"] = Shape.credits
        var example = enrolmentSample.json.objectValue!
        example["credited"] = "6.4"
        return ReplyShape(name: "ClosedEnrolment", schema: Shape.object(members), example: .object(example))
    }()
    static let assessmentSchema = Shape.object([
        "id": Shape.id("asm"), "institution": Shape.id("ins"), "kind": Shape.enumeration(["skill", "special"]), "occupation": Shape.string,
        "level": Shape.nullable(Shape.integer), "work_type": Shape.nullable(Shape.string), "dual_mapping": Shape.nullable(Shape.string),
        "theory_pass_mark": Shape.nullable(Shape.integer), "practical_pass_mark": Shape.integer, "scheduled_at": Shape.time,
    ])
    static let assessment = ReplyShape(name: "Assessment", schema: assessmentSchema, example: assessmentSample.json)
    static let certificateSchema = Shape.object([
        "id": Shape.id("crt"), "number": Shape.string, "kind": Shape.string, "institution": Shape.id("ins"), "person": Shape.id("per"),
        "occupation": Shape.string, "level": Shape.nullable(Shape.integer), "issued_at": Shape.time,
        "status": Shape.enumeration(CertificateStatus.allCases.map(\.rawValue)), "twin": Shape.nullable(Shape.string),
    ])
    static let certificate = ReplyShape(name: "Certificate", schema: certificateSchema, example: certificateSample.json)
    static let person = ReplyShape(name: "Person", schema: Shape.object([
        "id": Shape.id("per"), "id_type": Shape.enumeration(IDType.allCases.map(\.rawValue)), "id_number": Shape.string, "name": Shape.string,
        "registered_at": Shape.time,
    ]), example: personSample.json)
    static let tokenMembers: [String: JSONValue] = [
        "id": Shape.id("tok"), "role": Shape.enumeration(["operator", "institution", "worker"]), "institution": Shape.nullable(Shape.string),
        "person": Shape.nullable(Shape.string), "created_at": Shape.time, "expires_at": Shape.nullable(Shape.time), "revoked_at": Shape.nullable(Shape.time),
    ]
    static let token = ReplyShape(name: "Token", schema: Shape.object(tokenMembers), example: tokenSample.json)
    static let newToken: ReplyShape = {
        var members = tokenMembers
        members["secret"] = ["type": "string", "pattern": "^sb_[0-9a-f]{64}$"]
        var example = tokenSample.json.objectValue!
        example["secret"] = .string("sb_" + String(repeating: "0f", count: 32))
        return ReplyShape(name: "NewToken", schema: Shape.object(members), example: .object(example))
    }()
    static func page(_ shape: ReplyShape) -> ReplyShape {
        ReplyShape(name: shape.name + "Page", schema: Shape.page(["$ref": .string("#/components/schemas/\(shape.name)")]),
                   example: ["items": [shape.example], "next_cursor": .null])
    }
    static let candidateSchema = Shape.object([
        "person": Shape.id("per"), "status": Shape.enumeration(CandidateStatus.allCases.map(\.rawValue)), "theory": Shape.nullable(Shape.integer),
        "practical": Shape.nullable(Shape.integer),
    ])
    static let candidates = ReplyShape(name: "CandidatePage", schema: Shape.page(candidateSchema), example: [
        "items": [["person": .string(personSample.id), "status": "passed", "theory": 78, "practical": 85]], "next_cursor": .null,
    ])
    static let outcome = ReplyShape(name: "AssessmentOutcome", schema: Shape.object([
        "passed": Shape.boolean, "certificates": Shape.array(Shape.object(["id": Shape.id("crt"), "number": Shape.string])),
    ]), example: AssessmentOutcome(passed: true, certificates: [certificateSample]).json)
    static let candidate = ReplyShape(name: "CandidateAdded", schema: Shape.object(["assessment": Shape.id("asm"), "person": Shape.id("per"),
                                                                                    "status": Shape.enumeration(["enrolled"])]),
                                      example: ["assessment": .string(assessmentSample.id), "person": .string(personSample.id), "status": "enrolled"])
    static let changed = ReplyShape(name: "CertificatesChanged", schema: Shape.object(["certificates": Shape.array(["$ref": "#/components/schemas/Certificate"])]),
                                    example: ["certificates": [certificateSample.json]])
    static let revocations = ReplyShape(name: "Revocations", schema: Shape.object([
        "revoked": Shape.array(["$ref": "#/components/schemas/Certificate"]),
        "problems": Shape.array(Shape.object(["path": Shape.string, "code": Shape.string, "reason": Shape.string])),
    ]), example: ["revoked": [certificateSample.json], "problems": []])
    static let importMembers: [String: JSONValue] = [
        "kind": Shape.enumeration(ImportKind.allCases.map(\.rawValue)), "rows": Shape.integer, "imported": Shape.integer, "committed": Shape.boolean,
        "rejected": Shape.integer, "created": Shape.array(Shape.object(["line": Shape.integer, "id": Shape.string])),
        "problems": Shape.array(Shape.object(["line": Shape.integer, "column": Shape.string, "code": Shape.string, "message": Shape.string])),
    ]
    static let importExample: [String: JSONValue] = [
        "kind": "enrolments", "rows": 1, "imported": 1, "committed": true, "rejected": 0, "created": [["line": 2, "id": .string(enrolmentSample.id)]],
        "problems": [],
    ]
    static let importReport = ReplyShape(name: "ImportReport", schema: Shape.object(importMembers), example: .object(importExample))
    static let resultsReport: ReplyShape = {
        var members = importMembers
        members["certificates"] = Shape.integer
        var example = importExample
        example["kind"] = "results"
        example["certificates"] = 1
        example["created"] = [["line": 2, "id": .string(certificateSample.id)]]
        return ReplyShape(name: "ResultsImportReport", schema: Shape.object(members), example: .object(example))
    }()
    static let lookup = ReplyShape(name: "Lookup", schema: Shape.object([
        "number": Shape.string, "issuer": Shape.string, "kind": Shape.string, "occupation": Shape.string, "level": Shape.nullable(Shape.integer),
        "level_name": Shape.nullable(Shape.object(["zh": Shape.string, "en": Shape.string])), "issued_at": Shape.time,
        "status": Shape.enumeration(CertificateStatus.allCases.map(\.rawValue)),
    ]), example: [
        "number": "S001244000007264000001", "issuer": "广东省电工职业技能评价中心", "kind": "skill-level-certificate", "occupation": "6-31-01-03 电工",
        "level": 4, "level_name": ["zh": "四级/中级工", "en": "Intermediate Worker"], "issued_at": .string(t), "status": "active",
    ])
    static let report = ReplyShape(name: "VerificationReport", schema: Shape.object([
        "verdict": Shape.enumeration(["valid", "invalid"]), "reasons": Shape.array(Shape.enumeration(VerificationReport.Reason.allCases.map(\.rawValue))),
        "checks": Shape.array(Shape.object(["check": Shape.string, "passed": Shape.boolean,
                                            "reason": Shape.nullable(Shape.enumeration(VerificationReport.Reason.allCases.map(\.rawValue))), "detail": Shape.string])),
        "certificate": ["type": "object", "properties": ["level": Shape.integer], "additionalProperties": Shape.string],
    ]), example: [
        "verdict": "invalid", "reasons": ["revoked"],
        "checks": [["check": "proof", "passed": true, "reason": .null, "detail": "eddsa-jcs-2022 signature by the issuer's key"],
                   ["check": "status", "passed": false, "reason": "revoked", "detail": "revoked (list of 2026-12-07T08:30:00Z)"]],
        "certificate": ["id": "urn:skillbank:certificate:S001244000007264000001", "level": 4, "status": "revoked"],
    ])
    static let vcAPI = ReplyShape(name: "VCAPIVerificationResult", schema: Shape.object([
        "verified": Shape.boolean, "checks": Shape.array(Shape.string), "warnings": Shape.array(Shape.string), "errors": Shape.array(Shape.string),
        "problemDetails": Shape.array(Shape.object(["type": Shape.string, "title": Shape.string, "detail": Shape.string])),
    ]), example: ["verified": true, "checks": ["proof", "status"], "warnings": [], "errors": [], "problemDetails": []])
    static let ledgerCheck = ReplyShape(name: "LedgerCheck", schema: Shape.object([
        "postings": Shape.integer, "events": Shape.integer, "deposited": Shape.credits, "balanced": Shape.boolean, "problems": Shape.array(Shape.string),
    ]), example: ["postings": 12, "events": 30, "deposited": "6.4", "balanced": true, "problems": []])
    static let logCheck = ReplyShape(name: "LogCheck", schema: Shape.object([
        "clean": Shape.boolean, "leaves": Shape.integer, "checkpoints": Shape.integer, "commitments_only": Shape.integer,
        "divergence": Shape.nullable(Shape.object(["table": Shape.string, "index": Shape.integer, "message": Shape.string])),
    ]), example: ["clean": true, "leaves": 30, "checkpoints": 4, "commitments_only": 0, "divergence": .null])
    static let health = ReplyShape(name: "Health", schema: Shape.object(["status": Shape.enumeration(["ok"])]), example: ["status": "ok"])
    static let credential = ReplyShape(name: "VerifiableCredential", schema: Shape.document(["@context", "type", "issuer", "validFrom", "credentialSubject", "proof"]),
                                       example: ["@context": [.string(Contexts.vc2)], "type": ["VerifiableCredential"], "issuer": "did:key:z6Mk…",
                                                 "validFrom": .string(t), "credentialSubject": [:], "proof": [["type": "DataIntegrityProof"]]])
    static let bundle = ReplyShape(name: "CertificateBundle", schema: Shape.document(
        ["type", "credential", "trust_list", "status_lists", "issuance_event", "inclusion_proof", "checkpoint"], ["type": Shape.enumeration([CertificateBundle.type])]),
        example: ["type": .string(CertificateBundle.type), "credential": [:], "trust_list": [:], "status_lists": [], "issuance_event": "{…}",
                  "inclusion_proof": [:], "checkpoint": "skillbank-registry/log\n…"])
    /// A worker's export: the credential, or with `format=bundle` the bundle.
    static let export = ReplyShape(name: "CertificateExport", schema: ["anyOf": [["$ref": "#/components/schemas/VerifiableCredential"],
                                                                                ["$ref": "#/components/schemas/CertificateBundle"]]],
                                   example: credential.example)
    static let inclusion = ReplyShape(name: "InclusionProof", schema: Shape.object([
        "leaf_index": Shape.integer, "tree_size": Shape.integer, "leaf_hash": Shape.string, "proof": Shape.array(Shape.string), "root": Shape.string,
    ]), example: ["leaf_index": 3, "tree_size": 8, "leaf_hash": "ab…", "proof": ["cd…"], "root": "ef…"])
    static let consistency = ReplyShape(name: "ConsistencyProof", schema: Shape.object([
        "first": Shape.integer, "second": Shape.integer, "first_hash": Shape.string, "second_hash": Shape.string, "proof": Shape.array(Shape.string),
    ]), example: ["first": 4, "second": 8, "first_hash": "ab…", "second_hash": "cd…", "proof": ["ef…"]])
    static let entries = ReplyShape(name: "LogEntries", schema: Shape.object([
        "entries": Shape.array(Shape.object(["index": Shape.integer, "hash": Shape.string, "data": Shape.nullable(Shape.string)])),
    ]), example: ["entries": [["index": 0, "hash": "ab…", "data": "eyJ…"]]])
    static let share = ReplyShape(name: "Share", schema: Shape.document(["id", "certificate", "created_at", "expires_at"]),
                                  example: ["id": "shr_…", "certificate": .string(certificateSample.id), "created_at": .string(t), "expires_at": .string(t)])
    static let record = ReplyShape(name: "WorkerRecord", schema: Shape.document(["person", "balances", "certificates"]),
                                   example: ["person": personSample.json, "balances": [], "certificates": [certificateSample.json]])
    static let pathway = ReplyShape(name: "Pathway", schema: Shape.object(["eligible": Shape.boolean, "rules": Shape.array(["type": "object"])]),
                                    example: ["eligible": false, "rules": [["rule": "eligibility-level-3", "applies": false, "missing": ["…"]]]])
    static let outcomes = ReplyShape(name: "ConversionPreview", schema: Shape.object(["outcomes": Shape.array(["type": "object"])]),
                                     example: ["outcomes": [["rule": "cert-academic-gdpt-electrician", "applies": true]]])
    static let conversions = ReplyShape(name: "Conversions", schema: Shape.object(["conversions": Shape.array(["type": "object"])]),
                                        example: ["conversions": [["id": "cnv_…", "rule": "cert-academic-gdpt-electrician", "credits": "3.0", "status": "active"]]])
    static let items = ReplyShape(name: "CertificateList", schema: Shape.object(["items": Shape.array(["$ref": "#/components/schemas/Certificate"])]),
                                  example: ["items": [certificateSample.json]])
    static let tokens = ReplyShape(name: "TokenList", schema: Shape.object(["items": Shape.array(["$ref": "#/components/schemas/Token"])]),
                                   example: ["items": [tokenSample.json]])

    /// The success reply of each JSON route, by `METHOD path`.
    static let byRoute: [String: ReplyShape] = {
        let all = declared.merging(platformDeclared) { a, _ in a }
        return all.merging((personalRoutes + platformPersonalRoutes).map { route -> (String, ReplyShape) in
            let parts = route.split(separator: " ")
            return ("\(parts[0]) /v1/people/{id}\(parts[1])", all["\(parts[0]) /v1/me\(parts[1])"]!)
        }) { a, _ in a }
    }()

    static let declared: [String: ReplyShape] = [
        "GET /healthz": health, "POST /v1/verify": report, "POST /credentials/verify": vcAPI, "GET /v1/certificates/lookup": lookup,
        "GET /v1/trust-list": credential, "GET /v1/status-lists/{institution}/{purpose}": credential, "GET /v1/log/proof/inclusion": inclusion,
        "GET /v1/log/entries": entries, "GET /v1/log/proof/consistency": consistency, "GET /v1/certificates/{id}/bundle": bundle,
        "GET /v1/institutions": page(institution), "POST /v1/institutions": institution, "GET /v1/institutions/{id}": institution,
        "POST /v1/institutions/{id}/accreditations": accreditationShape, "POST /v1/institutions/{id}/suspend": institution,
        "POST /v1/institutions/{id}/reinstate": institution, "POST /v1/institutions/{id}/rotate-key": keyShape,
        "POST /v1/people": person, "GET /v1/people/{id}": person, "POST /v1/people/search": person,
        "GET /v1/checks/ledger": ledgerCheck, "GET /v1/checks/log": logCheck, "POST /v1/tokens": newToken, "GET /v1/tokens": tokens, "POST /v1/tokens/{id}/revoke": token,
        "GET /v1/courses": page(course), "GET /v1/courses/{id}": course, "POST /v1/courses": course,
        "GET /v1/enrolments": page(enrolment), "POST /v1/enrolments": enrolment, "POST /v1/enrolments/{id}/close": closedEnrolment,
        "GET /v1/assessments": page(assessment), "POST /v1/assessments": assessment, "GET /v1/assessments/{id}/candidates": candidates,
        "POST /v1/assessments/{id}/candidates": candidate, "POST /v1/assessments/{id}/results": outcome,
        "POST /v1/assessments/{id}/results/import": resultsReport, "GET /v1/certificates": page(certificate),
        "POST /v1/certificates/{id}/revoke": changed, "POST /v1/certificates/{id}/suspend": changed, "POST /v1/certificates/{id}/reinstate": changed,
        "POST /v1/certificates/revocations": revocations, "POST /v1/imports/{kind}": importReport,
        "GET /v1/me/record": record, "GET /v1/me/certificates": items, "GET /v1/me/certificates/{id}": export,
        "POST /v1/me/certificates/{id}/shares": share, "GET /v1/me/pathway": pathway, "GET /v1/me/conversions": outcomes,
        "POST /v1/me/conversions": conversions, "GET /v1/me/statement": credential,
    ]

    /// A validator for `shape`'s replies, its references resolved against every component.
    static func validator(_ shape: ReplyShape) throws(SkillError) -> JSONSchema {
        try JSONSchema(["$ref": .string("#/components/schemas/\(shape.name)"),
                        "components": ["schemas": .object(components.mapValues(\.schema).merging(["Problem": OpenAPI.problem]) { a, _ in a })]])
    }

    /// A worker's routes, served at `/v1/me…` and to the operator at `/v1/people/{id}…`.
    static let personalRoutes = ["GET /record", "GET /certificates", "GET /pathway", "GET /conversions", "POST /conversions", "GET /statement"]

    /// Every shape a `$ref` may name.
    static var components: [String: ReplyShape] {
        var all: [String: ReplyShape] = [:]
        for shape in byRoute.values { all[shape.name] = shape }
        for shape in [certificate, token, credential, bundle, decision, claim, webhook, vacancy] { all[shape.name] = shape }
        return all
    }
}
