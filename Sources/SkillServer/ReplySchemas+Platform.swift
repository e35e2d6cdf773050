import Foundation
import SkillCore
import SkillLedger

/// Reply shapes of the platform services (subsidies, notices, webhooks, the talent pool).
extension Replies {
    static let claimSample = SubsidyClaim(
        id: "clm_01M978BVGH0F23YV13ZKZSRXM9", programme: "skill-upgrade", personID: personSample.id, payee: personSample.id, evidence: certificateSample.id,
        occupation: "6-31-01-03", level: 4, amountFen: 150_000, status: .approved, appliedOn: CalendarDate(iso: "2026-12-07")!, appliedAt: t, decidedAt: t,
        reason: nil, batchID: nil, decision: decisionSample.json)
    static let decisionSample = SubsidyDecision(
        programme: "skill-upgrade", evidence: certificateSample.id, occupation: "6-31-01-03", level: 4, amountFen: 150_000,
        checks: [SubsidyCheck(rule: "skill-upgrade.insured-12-months", passed: true, says: "26 months insured as of 2026-11-30 (at least 12)", status: .sourced)],
        insuranceAsOf: CalendarDate(iso: "2026-11-30"))

    static let amountYuan: JSONValue = ["type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$"]
    static let checkSchema = Shape.object(["rule": Shape.string, "passed": Shape.boolean, "says": Shape.string,
                                           "status": Shape.enumeration(Provenance.allCases.map(\.rawValue))])
    static let decision = ReplyShape(name: "SubsidyDecision", schema: Shape.object([
        "programme": Shape.string, "evidence": Shape.string, "occupation": Shape.nullable(Shape.string), "level": Shape.nullable(Shape.integer),
        "applies": Shape.boolean, "amount_fen": Shape.nullable(Shape.integer), "amount_yuan": Shape.nullable(amountYuan),
        "insurance_as_of": Shape.nullable(Shape.date), "refused_by": Shape.nullable(Shape.string), "checks": Shape.array(checkSchema),
    ]), example: decisionSample.json)
    static let claim = ReplyShape(name: "SubsidyClaim", schema: Shape.object([
        "id": Shape.id("clm"), "programme": Shape.string, "person": Shape.id("per"), "payee": Shape.string, "evidence": Shape.string,
        "occupation": Shape.string, "level": Shape.integer, "amount_fen": Shape.integer, "amount_yuan": amountYuan,
        "status": Shape.enumeration(SubsidyClaimStatus.allCases.map(\.rawValue)), "applied_on": Shape.date, "applied_at": Shape.time,
        "decided_at": Shape.nullable(Shape.time), "reason": Shape.nullable(Shape.string), "batch": Shape.nullable(Shape.id("bat")),
        "decision": ["$ref": "#/components/schemas/SubsidyDecision"],
    ]), example: claimSample.json)
    static let claimList = ReplyShape(name: "SubsidyClaimList", schema: Shape.object(["items": Shape.array(["$ref": "#/components/schemas/SubsidyClaim"])]),
                                      example: ["items": [claimSample.json]])
    static let decisionList = ReplyShape(name: "SubsidyOptions", schema: Shape.object(["items": Shape.array(["$ref": "#/components/schemas/SubsidyDecision"])]),
                                         example: ["items": [decisionSample.json]])
    static let batchSample = PaymentBatch(id: "bat_01M978BVPG0GYPQVN5YCNP9C5F", createdAt: t, claims: 1, totalFen: 150_000, sha256: String(repeating: "ab", count: 32))
    static let batch = ReplyShape(name: "PaymentBatchExport", schema: Shape.object([
        "batch": Shape.object(["id": Shape.id("bat"), "created_at": Shape.time, "claims": Shape.integer, "total_fen": Shape.integer, "total_yuan": amountYuan,
                               "sha256": ["type": "string", "pattern": "^[0-9a-f]{64}$"]]),
        "csv": Shape.string,
    ]), example: ["batch": batchSample.json, "csv": "batch,claim,programme,payee,payee_kind,amount_yuan,evidence,masked_id\r\n…"])
    static let ruleSchema = Shape.object(["id": Shape.string, "kind": Shape.enumeration(SubsidyRule.Kind.allCases.map(\.rawValue)), "zh": Shape.string,
                                          "en": Shape.string, "status": Shape.enumeration(Provenance.allCases.map(\.rawValue)), "source": Shape.string])
    static let programmes = ReplyShape(name: "SubsidyProgrammes", schema: Shape.object(["items": Shape.array(Shape.object([
        "id": Shape.string, "zh": Shape.string, "en": Shape.string, "evidence": Shape.enumeration(["certificate", "completion"]),
        "payee": Shape.enumeration(["worker", "institution"]), "status": Shape.enumeration(Provenance.allCases.map(\.rawValue)), "source": Shape.string,
        "rules": Shape.array(ruleSchema),
    ]))]), example: ["items": [["id": "skill-upgrade", "zh": "技能提升补贴", "en": "Skill-upgrade subsidy", "evidence": "certificate", "payee": "worker",
                                "status": "sourced", "source": "http://www.jdzjycyw.com/News/42BBE702-00F0-42C2-9389-5C379015A5A5",
                                "rules": [["id": "skill-upgrade.three-per-year", "kind": "yearly-cap", "zh": "每人每年享受不超过3次",
                                           "en": "At most 3 claims per person per year", "status": "sourced", "source": "http://www.jdzjycyw.com/…"]]]]])
    static let insuranceReport: ReplyShape = {
        var example = importExample
        example["kind"] = "insurance"
        example["created"] = [["line": 2, "id": .string(personSample.id)]]
        return ReplyShape(name: "InsuranceImportReport", schema: Shape.object(importMembers), example: .object(example))
    }()
    static let noticeSchema = Shape.object([
        "id": Shape.id("ntc"), "kind": Shape.enumeration(NoticeKind.allCases.map(\.rawValue)), "created_at": Shape.time, "read": Shape.boolean,
        "read_at": Shape.nullable(Shape.time), "zh": Shape.string, "en": Shape.string, "facts": ["type": "object"],
    ])
    static let notices = ReplyShape(name: "Notices", schema: Shape.object([
        "unread": Shape.integer, "items": Shape.array(noticeSchema), "next_cursor": Shape.nullable(Shape.string),
    ]), example: ["unread": 1, "items": [[
        "id": "ntc_01M978BRM2BMW1JMCDHGQKJQK8", "kind": "claim-approved", "created_at": .string(t), "read": false, "read_at": .null,
        "zh": "你的技能提升补贴申请 clm_01M978BVGH0F23YV13ZKZSRXM9 已批准：1500.00 元，将随下一批次支付。",
        "en": "Your Skill-upgrade subsidy claim clm_01M978BVGH0F23YV13ZKZSRXM9 was approved: 1500.00 yuan, paid with the next payment batch.",
        "facts": ["claim": "clm_01M978BVGH0F23YV13ZKZSRXM9", "amount_fen": 150_000],
    ]], "next_cursor": .null])
    static let marked = ReplyShape(name: "NoticesMarked", schema: Shape.object(["marked": Shape.integer]), example: ["marked": 2])

    static let webhookSample = Webhook(id: "whk_01M978BVPG0GYPQVN5YCNP9C5G", institutionID: institutionSample.id, url: "https://hooks.example/skillbank",
                                       eventTypes: ["certificate.*"], createdAt: t)
    static let webhookMembers: [String: JSONValue] = [
        "id": Shape.id("whk"), "institution": Shape.id("ins"), "url": Shape.string, "event_types": Shape.array(Shape.string), "created_at": Shape.time,
        "disabled_at": Shape.nullable(Shape.time),
    ]
    static let webhook = ReplyShape(name: "Webhook", schema: Shape.object(webhookMembers), example: webhookSample.json)
    static let newWebhook: ReplyShape = {
        var members = webhookMembers
        members["secret"] = ["type": "string", "pattern": "^whsec_[A-Za-z0-9+/]{43}=$"]
        var example = webhookSample.json.objectValue!
        example["secret"] = .string("whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        return ReplyShape(name: "NewWebhook", schema: Shape.object(members), example: .object(example))
    }()
    static let webhooks = ReplyShape(name: "WebhookList", schema: Shape.object(["items": Shape.array(["$ref": "#/components/schemas/Webhook"])]),
                                     example: ["items": [webhookSample.json]])
    static let messageSample = WebhookMessage(id: "msg_01M978BVPG0GYPQVN5YCNP9C5H", webhookID: webhookSample.id, eventID: "evt_01M978BVPG0GYPQVN5YCNP9C5J",
                                              eventType: "certificate.issued", payload: "{}", createdAt: t, status: .dead, attempts: 8,
                                              nextAttemptAt: 1_796_632_200_000, lastError: "HTTP 503")
    static let message = ReplyShape(name: "WebhookMessage", schema: Shape.object([
        "id": Shape.id("msg"), "webhook": Shape.id("whk"), "event": Shape.id("evt"), "type": Shape.string, "created_at": Shape.time,
        "status": Shape.enumeration(WebhookMessageStatus.allCases.map(\.rawValue)), "attempts": Shape.integer, "next_attempt_at": Shape.time,
        "last_error": Shape.nullable(Shape.string), "delivered_at": Shape.nullable(Shape.time),
    ]), example: messageSample.json)

    static let vacancySample = Vacancy(id: "vac_01M978BVPG0GYPQVN5YCNP9C5K", institutionID: institutionSample.id, title: "维修电工", occupation: "6-31-01-03",
                                       minLevel: 4, district: "宝安区", count: 3, createdAt: t)
    static let vacancy = ReplyShape(name: "Vacancy", schema: Shape.object([
        "id": Shape.id("vac"), "institution": Shape.id("ins"), "title": Shape.string, "occupation": Shape.string, "min_level": Shape.integer,
        "district": Shape.string, "count": Shape.integer, "created_at": Shape.time, "closed_at": Shape.nullable(Shape.time), "open": Shape.boolean,
    ]), example: vacancySample.json)
    static let fitSchema = Shape.object(["score": Shape.integer, "qualifies": Shape.boolean, "because": Shape.array(Shape.string), "against": Shape.array(Shape.string)])
    static let fitSample = TalentMatcher.Fit(score: 80, because: ["holds 6-31-01-03, the vacancy's occupation", "level 4 meets the minimum level 4"],
                                             against: [], qualifies: true)
    static let talentCandidates = ReplyShape(name: "TalentCandidates", schema: Shape.object(["items": Shape.array(Shape.object([
        "candidate": ["type": "string", "pattern": "^cand_[A-Za-z0-9_-]+$"], "name": Shape.string, "district": Shape.nullable(Shape.string),
        "areas": Shape.array(Shape.string), "certificates": Shape.array(["type": "object"]), "fit": fitSchema,
    ]))]), example: ["items": [["candidate": "cand_3q2-7wEAZk9Yt0bRwqTfnx1L4sUdPe2GvHcMaJoNiKy8lZ5hQ", "name": "李*", "district": "宝安区", "areas": ["南山区"],
                                "certificates": [["occupation": "6-31-01-03", "occupation_name": "电工", "level": 4, "level_name": "四级/中级工",
                                                  "kind": "skill-level-certificate", "issuer": "广东省电工职业技能评价中心", "issued_on": "2026-12", "verified": true]],
                                "fit": fitSample.json]]])
    static let employerContactSchema = Shape.object([
        "id": Shape.id("ctq"), "institution": Shape.id("ins"), "vacancy": Shape.nullable(Shape.id("vac")),
        "status": Shape.enumeration(ContactStatus.allCases.map(\.rawValue)), "created_at": Shape.time, "answered_at": Shape.nullable(Shape.time),
        "shared": Shape.nullable(Shape.object(["name": Shape.nullable(Shape.string), "contact": Shape.nullable(Shape.string),
                                               "bundles": Shape.array(["$ref": "#/components/schemas/CertificateBundle"])])),
    ])
    static let employerContactExample: JSONValue = [
        "id": "ctq_01M978BVPG0GYPQVN5YCNP9C5M", "institution": .string(institutionSample.id), "vacancy": .string(vacancySample.id), "status": "pending",
        "created_at": .string(t), "answered_at": .null, "shared": .null,
    ]
    static let employerContact = ReplyShape(name: "EmployerContactRequest", schema: employerContactSchema, example: employerContactExample)
    static let employerContacts = ReplyShape(name: "EmployerContactRequests", schema: Shape.object(["items": Shape.array(Shape.object([
        "id": Shape.id("ctq"), "institution": Shape.id("ins"), "vacancy": Shape.nullable(Shape.id("vac")),
        "status": Shape.enumeration(ContactStatus.allCases.map(\.rawValue)), "created_at": Shape.time, "answered_at": Shape.nullable(Shape.time),
    ]))]), example: ["items": [contactSample.employerSummary]])
    static let contactSample = ContactRequest(id: "ctq_01M978BVPG0GYPQVN5YCNP9C5M", institutionID: institutionSample.id, personID: personSample.id,
                                              vacancyID: vacancySample.id, message: "欢迎面试", status: .accepted, createdAt: t, answeredAt: t,
                                              sharedCertificates: [certificateSample.id], sharesContact: true)
    static let contactSchema = Shape.object([
        "id": Shape.id("ctq"), "institution": Shape.id("ins"), "vacancy": Shape.nullable(Shape.id("vac")), "message": Shape.nullable(Shape.string),
        "status": Shape.enumeration(ContactStatus.allCases.map(\.rawValue)), "created_at": Shape.time, "answered_at": Shape.nullable(Shape.time),
        "shared_certificates": Shape.array(Shape.string), "shares_contact": Shape.boolean,
    ])
    static let contact = ReplyShape(name: "ContactRequest", schema: contactSchema, example: contactSample.json)
    static let contacts = ReplyShape(name: "ContactRequests", schema: Shape.object(["items": Shape.array(contactSchema)]), example: ["items": [contactSample.json]])
    static let profileSample = TalentProfile(personID: personSample.id, certificates: [certificateSample.id], district: "宝安区", areas: ["南山区"],
                                             sharesBundles: true, hasContact: true, optedInAt: t)
    static let talentProfile = ReplyShape(name: "TalentConsent", schema: Shape.object(["profile": Shape.nullable(Shape.object([
        "person": Shape.id("per"), "certificates": Shape.array(Shape.string), "district": Shape.nullable(Shape.string), "areas": Shape.array(Shape.string),
        "shares_bundles": Shape.boolean, "has_contact": Shape.boolean, "opted_in_at": Shape.time, "opted_out_at": Shape.nullable(Shape.time),
        "active": Shape.boolean,
    ]))]), example: ["profile": profileSample.json])
    static let rankedVacancies = ReplyShape(name: "RankedVacancies", schema: Shape.object(["items": Shape.array(Shape.object([
        "vacancy": ["$ref": "#/components/schemas/Vacancy"], "employer": Shape.string, "fit": fitSchema,
    ]))]), example: ["items": [["vacancy": vacancySample.json, "employer": "深圳某电气公司", "fit": fitSample.json]]])
    static let disclosures = ReplyShape(name: "Disclosures", schema: Shape.object([
        "items": Shape.array(Shape.object(["id": Shape.id("dsc"), "institution": Shape.id("ins"), "institution_name": Shape.string,
                                           "kind": Shape.enumeration(DisclosureKind.allCases.map(\.rawValue)), "reference": Shape.nullable(Shape.string),
                                           "at": Shape.time])),
        "next_cursor": Shape.nullable(Shape.string),
    ]), example: ["items": [["id": "dsc_01M978BVPG0GYPQVN5YCNP9C5N", "institution": .string(institutionSample.id), "institution_name": "深圳某电气公司",
                             "kind": "listed", "reference": .string(vacancySample.id), "at": .string(t)]], "next_cursor": .null])

    static let signInLink = ReplyShape(name: "SignInLink", schema: Shape.object(["url": ["type": "string", "pattern": "^https?://.+/me/signin\\?code=[A-Za-z0-9_-]{43}$"],
                                                                                  "expires_at": Shape.time]),
                                       example: ["url": .string("http://127.0.0.1:8080/me/signin?code=" + String(repeating: "A", count: 43)), "expires_at": .string(t)])

    static let platformDeclared: [String: ReplyShape] = [
        "POST /v1/signin-links": signInLink,
        "GET /v1/vacancies": page(vacancy), "POST /v1/vacancies": vacancy, "POST /v1/vacancies/{id}/close": vacancy,
        "GET /v1/vacancies/{id}/candidates": talentCandidates, "POST /v1/talent/search": talentCandidates, "POST /v1/talent/contacts": employerContact,
        "GET /v1/talent/contacts": employerContacts, "GET /v1/talent/contacts/{id}": employerContact,
        "GET /v1/me/talent": talentProfile, "POST /v1/me/talent/consent": talentProfile, "POST /v1/me/talent/opt-out": talentProfile,
        "GET /v1/me/talent/vacancies": rankedVacancies, "GET /v1/me/talent/contacts": contacts, "POST /v1/me/talent/contacts/{contact}/accept": contact,
        "POST /v1/me/talent/contacts/{contact}/decline": contact, "GET /v1/me/disclosures": disclosures,
        "GET /v1/webhooks": webhooks, "POST /v1/webhooks": newWebhook, "GET /v1/webhooks/{id}": webhook, "POST /v1/webhooks/{id}/disable": webhook,
        "GET /v1/webhooks/{id}/messages": page(message), "POST /v1/webhooks/messages/{message}/replay": message,
        "GET /v1/subsidies/programmes": programmes, "POST /v1/insurance/import": insuranceReport, "GET /v1/subsidies/claims": page(claim),
        "POST /v1/subsidies/claims": claim, "GET /v1/subsidies/claims/{id}": claim, "POST /v1/subsidies/claims/{id}/approve": claim,
        "POST /v1/subsidies/claims/{id}/reject": claim, "POST /v1/subsidies/batches": batch,
        "GET /v1/me/subsidies": decisionList, "GET /v1/me/subsidies/claims": claimList, "POST /v1/me/subsidies/claims": claim,
        "GET /v1/me/notices": notices, "POST /v1/me/notices/read": marked,
    ]

    static let platformPersonalRoutes = [
        "GET /subsidies", "GET /subsidies/claims", "POST /subsidies/claims", "GET /notices", "POST /notices/read", "GET /talent", "POST /talent/consent",
        "POST /talent/opt-out", "GET /talent/vacancies", "GET /talent/contacts", "POST /talent/contacts/{contact}/accept",
        "POST /talent/contacts/{contact}/decline", "GET /disclosures",
    ]
}
