import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SkillCore
import SkillLedger
import SkillTestSupport
@testable import SkillServer
import Testing

/// Every route × every caller: no token → 401, a role the route does not serve → 403, an
/// institution acting on another institution's record or a worker on another worker's → 403,
/// and the right caller on its own record → 2xx. Denials are checked on one bank (they must
/// write nothing); each allowed call gets a fresh bank so it can succeed.
@Suite struct AuthorizationMatrixTests {
    typealias Request = (uri: String, body: String?)

    /// The request each route gets, for the fixture's own records.
    static func sample(_ e: Endpoint, _ f: ServerFixture) -> Request? {
        // The operator's view of a worker's routes: the worker's own request, about worker 1.
        if e.path.hasPrefix("/v1/people/{id}/"), let mine = API.endpoints.first(where: { $0.method == e.method && $0.path == "/v1/me/" + e.path.dropFirst("/v1/people/{id}/".count) }),
            let request = sample(mine, f)
        {
            return ("/v1/people/\(f.worker1.id)/" + request.uri.dropFirst("/v1/me/".count), request.body)
        }
        switch (e.method, e.path) {
        case (.get, "/healthz"), (.get, "/v1/trust-list"): return (e.path, nil)
        case (.post, "/v1/verify"): return (e.path, #"{"jwt":"a.b.c"}"#)
        case (.post, "/credentials/verify"): return (e.path, #"{"verifiableCredential":{}}"#)
        case (.get, "/v1/certificates/lookup"): return ("/v1/certificates/lookup?number=\(f.certificate.number)&name=%E6%9D%8E%E6%98%8E", nil)
        case (.get, "/v1/status-lists/{institution}/{purpose}"): return ("/v1/status-lists/\(f.evaluatorA.id)/revocation", nil)
        case (.get, "/v1/log/checkpoint"): return (e.path, nil)
        case (.get, "/v1/log/proof/inclusion"): return ("/v1/log/proof/inclusion?leaf=3", nil)
        case (.get, "/v1/log/entries"): return ("/v1/log/entries?start=0&count=5", nil)
        case (.get, "/metrics"): return (e.path, nil)
        case (.get, "/v1/log/proof/consistency"): return ("/v1/log/proof/consistency?from=1&to=5", nil)
        case (.get, "/v1/certificates/{id}/bundle"): return ("/v1/certificates/\(f.certificate.number)/bundle?name=%E6%9D%8E%E6%98%8E", nil)
        case (.get, "/v1/institutions"): return (e.path, nil)
        case (.post, "/v1/institutions"): return (e.path, #"{"name":"新","kind":"training","code":"\#(uscc("52440300MJ0000777"))","province":"44"}"#)
        case (.get, "/v1/institutions/{id}"): return ("/v1/institutions/\(f.evaluatorA.id)", nil)
        case (.post, "/v1/institutions/{id}/accreditations"): return ("/v1/institutions/\(f.evaluatorA.id)/accreditations", #"{"occupation":"6-18-02-04","levels":[5]}"#)
        case (.post, "/v1/institutions/{id}/suspend"): return ("/v1/institutions/\(f.evaluatorA.id)/suspend", "{}")
        case (.post, "/v1/institutions/{id}/reinstate"): return ("/v1/institutions/\(f.evaluatorA.id)/reinstate", nil)
        case (.post, "/v1/institutions/{id}/rotate-key"): return ("/v1/institutions/\(f.evaluatorA.id)/rotate-key", nil)
        case (.post, "/v1/people"): return (e.path, #"{"name":"新人","id_type":"passport","id_number":"E99999999"}"#)
        case (.get, "/v1/people/{id}"): return ("/v1/people/\(f.worker1.id)", nil)
        case (.get, "/v1/courses"): return (e.path, nil)
        case (.post, "/v1/courses"): return (e.path, #"{"institution":"\#(f.school.id)","title":"新课","occupation":"6-31-01-03","level":4,"hours":8}"#)
        case (.post, "/v1/enrolments"): return (e.path, #"{"person":"\#(f.worker1.id)","course":"\#(f.course.id)"}"#)
        case (.post, "/v1/enrolments/{id}/close"): return ("/v1/enrolments/\(f.enrolment.id)/close", #"{"outcome":"completed"}"#)
        case (.post, "/v1/assessments"): return (e.path, #"{"institution":"\#(f.evaluatorA.id)","occupation":"6-31-01-03","level":5}"#)
        case (.post, "/v1/assessments/{id}/candidates"): return ("/v1/assessments/\(f.assessmentA5.id)/candidates", #"{"person":"\#(f.worker2.id)"}"#)
        case (.post, "/v1/assessments/{id}/results"): return ("/v1/assessments/\(f.assessmentA5.id)/results", #"{"person":"\#(f.worker2.id)","theory":70,"practical":70}"#)
        case (.post, "/v1/certificates/{id}/revoke"): return ("/v1/certificates/\(f.certificate.id)/revoke", #"{"reason":"matrix"}"#)
        case (.post, "/v1/certificates/{id}/suspend"): return ("/v1/certificates/\(f.certificate.id)/suspend", "{}")
        case (.post, "/v1/certificates/{id}/reinstate"): return ("/v1/certificates/\(f.certificate.id)/reinstate", nil)
        case (.post, "/v1/imports/{kind}"): return ("/v1/imports/enrolments", "person,course\n\(f.worker1.id),\(f.course.id)\n")
        case (.get, "/v1/me/record"), (.get, "/v1/me/certificates"), (.get, "/v1/me/conversions"), (.get, "/v1/me/statement"): return (e.path, nil)
        case (.get, "/v1/me/certificates/{id}"): return ("/v1/me/certificates/\(f.certificate.id)", nil)
        case (.get, "/v1/me/pathway"): return ("/v1/me/pathway?occupation=6-31-01-03&level=3", nil)
        case (.post, "/v1/me/conversions"): return (e.path, #"{"rule":"cert-academic-gdpt-electrician"}"#)
        case (.post, "/v1/me/certificates/{id}/shares"): return ("/v1/me/certificates/\(f.certificate.id)/shares", #"{"days":7}"#)
        case (.post, "/v1/people/search"): return (e.path, #"{"id_type":"resident","id_number":"\#(residentID(1))"}"#)
        case (.post, "/v1/tokens"): return (e.path, #"{"role":"institution","institution":"\#(f.school.id)"}"#)
        case (.get, "/v1/tokens"), (.get, "/v1/checks/ledger"), (.get, "/v1/checks/log"): return (e.path, nil)
        case (.post, "/v1/tokens/{id}/revoke"): return ("/v1/tokens/\((try? f.ledger.tokens.all().last?.id) ?? "tok_none")/revoke", nil)
        case (.get, "/v1/courses/{id}"): return ("/v1/courses/\(f.course.id)", nil)
        case (.get, "/v1/enrolments"): return ("/v1/enrolments?course=\(f.course.id)", nil)
        case (.get, "/v1/assessments"), (.get, "/v1/certificates"): return (e.path, nil)
        case (.get, "/v1/assessments/{id}/candidates"): return ("/v1/assessments/\(f.assessmentA.id)/candidates", nil)
        case (.post, "/v1/assessments/{id}/results/import"): return ("/v1/assessments/\(f.assessmentA5.id)/results/import", "person,theory,practical\n\(f.worker2.id),70,70\n")
        // skip_bad: a number of another institution's certificate reads as not found, a 200 with a problem, never a hint.
        case (.post, "/v1/certificates/revocations"): return ("/v1/certificates/revocations?skip_bad=true", #"{"numbers":["\#(f.certificate.number)"],"reason":"matrix"}"#)
        case (.get, "/v1/subsidies/programmes"), (.get, "/v1/subsidies/claims"): return (e.path, nil)
        case (.post, "/v1/insurance/import"): return (e.path, "id_type,id_number,months,as_of,benefit\nresident,\(residentID(1)),20,2026-11-30,no\n")
        case (.post, "/v1/subsidies/claims"): return (e.path, #"{"person":"\#(f.worker2.id)","programme":"subsidised-training","evidence":"\#(f.enrolment.id)"}"#)
        case (.get, "/v1/subsidies/claims/{id}"): return ("/v1/subsidies/claims/\(claimID(f))", nil)
        case (.post, "/v1/subsidies/claims/{id}/approve"): return ("/v1/subsidies/claims/\(claimID(f))/approve", "{}")
        case (.post, "/v1/subsidies/claims/{id}/reject"): return ("/v1/subsidies/claims/\(claimID(f))/reject", #"{"reason":"matrix"}"#)
        case (.post, "/v1/subsidies/batches"): return (e.path, "{}")
        case (.get, "/v1/me/subsidies"), (.get, "/v1/me/subsidies/claims"), (.get, "/v1/me/notices"): return (e.path, nil)
        case (.post, "/v1/me/subsidies/claims"): return (e.path, #"{"programme":"skill-upgrade","evidence":"\#(f.certificate.id)"}"#)
        case (.post, "/v1/me/notices/read"): return (e.path, "{}")
        case (.get, "/v1/webhooks"): return (e.path, nil)
        case (.post, "/v1/webhooks"): return (e.path, #"{"institution":"\#(f.school.id)","url":"https://hooks.example/skillbank","event_types":["*"]}"#)
        case (.get, "/v1/webhooks/{id}"): return ("/v1/webhooks/\(webhookID(f))", nil)
        case (.post, "/v1/webhooks/{id}/disable"): return ("/v1/webhooks/\(webhookID(f))/disable", nil)
        case (.get, "/v1/webhooks/{id}/messages"): return ("/v1/webhooks/\(webhookID(f))/messages", nil)
        case (.get, "/v1/vacancies"), (.get, "/v1/talent/contacts"): return (e.path, nil)
        case (.post, "/v1/signin-links"): return (e.path, #"{"person":"\#(f.worker1.id)","minutes":10}"#)
        case (.post, "/v1/vacancies"):
            return (e.path, #"{"institution":"\#(f.evaluatorB.id)","title":"电工","occupation":"6-31-01-03","min_level":4,"district":"宝安区","count":2}"#)
        case (.post, "/v1/vacancies/{id}/close"): return ("/v1/vacancies/\(vacancyID(f))/close", nil)
        case (.get, "/v1/vacancies/{id}/candidates"): return ("/v1/vacancies/\(vacancyID(f))/candidates", nil)
        case (.post, "/v1/talent/search"): return (e.path, #"{"institution":"\#(f.evaluatorB.id)","occupation":"6-31-01-03","min_level":4}"#)
        case (.post, "/v1/talent/contacts"):
            let handle = (try? f.ledger.talent.search(institution: f.evaluatorB.id, occupation: "6-31-01-03", minLevel: 4).first?.handle) ?? "cand_AAAA"
            return (e.path, #"{"institution":"\#(f.evaluatorB.id)","candidate":"\#(handle)"}"#)
        case (.get, "/v1/talent/contacts/{id}"): return ("/v1/talent/contacts/\(contactID(f))", nil)
        case (.get, "/v1/me/talent"), (.get, "/v1/me/talent/vacancies"), (.get, "/v1/me/talent/contacts"), (.get, "/v1/me/disclosures"): return (e.path, nil)
        case (.post, "/v1/me/talent/consent"): return (e.path, #"{"district":"宝安区","areas":["南山区"]}"#)
        case (.post, "/v1/me/talent/opt-out"): return (e.path, nil)
        case (.post, "/v1/me/talent/contacts/{contact}/accept"): return ("/v1/me/talent/contacts/\(contactID(f))/accept", "{}")
        case (.post, "/v1/me/talent/contacts/{contact}/decline"): return ("/v1/me/talent/contacts/\(contactID(f))/decline", nil)
        case (.post, "/v1/webhooks/messages/{message}/replay"):
            let message = (try? f.ledger.webhooks.messages(webhook: webhookID(f)).first?.id) ?? "msg_01M978BVPG0GYPQVN5YCNP9C5H"
            return ("/v1/webhooks/messages/\(message)/replay", nil)
        default: return nil
        }
    }

    /// The employer's vacancy `prepare` made, or an id of none.
    static func vacancyID(_ f: ServerFixture) -> String {
        (try? f.ledger.talent.vacancies(institution: f.evaluatorB.id).first?.id) ?? "vac_01M978BVPG0GYPQVN5YCNP9C5K"
    }

    /// The employer's contact request to worker 1 that `prepare` made, or an id of none.
    static func contactID(_ f: ServerFixture) -> String {
        (try? f.ledger.talent.contacts(institution: f.evaluatorB.id).first?.id) ?? "ctq_01M978BVPG0GYPQVN5YCNP9C5M"
    }

    /// The school's webhook `prepare` made, or an id of no webhook.
    static func webhookID(_ f: ServerFixture) -> String {
        (try? f.ledger.webhooks.webhooks(institution: f.school.id).first?.id) ?? "whk_01M978BVPG0GYPQVN5YCNP9C5G"
    }

    /// The training-subsidy claim `prepare` made for worker 2 at the school, or an id of no claim.
    static func claimID(_ f: ServerFixture) -> String {
        (try? f.ledger.subsidies.claims(status: nil, payee: f.school.id, after: nil, limit: 1).first?.id) ?? "clm_01M978BVGH0F23YV13ZKZSRXM9"
    }

    /// The state an allowed call needs first (a suspended institution to reinstate, an enrolled
    /// candidate to record, a suspended certificate to reinstate).
    static func prepare(_ e: Endpoint, _ f: ServerFixture) throws {
        switch e.path {
        case "/v1/institutions/{id}/reinstate": _ = try f.ledger.registration.setInstitutionSuspended(f.evaluatorA.id, true, reason: "matrix")
        case "/v1/assessments/{id}/results", "/v1/assessments/{id}/results/import": try f.ledger.issuance.enrolCandidate(assessment: f.assessmentA5.id, person: f.worker2.id)
        case "/v1/certificates/{id}/reinstate": _ = try f.ledger.certificates.changeStatus(of: f.certificate.id, .suspend, reason: "matrix")
        case "/v1/subsidies/claims": _ = try f.ledger.training.close(enrolment: f.enrolment.id, as: .completed)
        case "/v1/subsidies/claims/{id}", "/v1/subsidies/claims/{id}/approve", "/v1/subsidies/claims/{id}/reject", "/v1/subsidies/batches":
            _ = try f.ledger.training.close(enrolment: f.enrolment.id, as: .completed)
            let claim = try f.ledger.subsidies.apply(person: f.worker2.id, programme: "subsidised-training", evidence: f.enrolment.id)
            if e.path == "/v1/subsidies/batches" { _ = try f.ledger.subsidies.approve(claim.id) }
        case "/v1/me/subsidies/claims", "/v1/people/{id}/subsidies/claims":
            let csv = f.folder.appendingPathComponent("insurance.csv")
            try "id_type,id_number,months,as_of,benefit\nresident,\(residentID(1)),20,2026-11-30,no\n".write(to: csv, atomically: true, encoding: .utf8)
            _ = try f.ledger.subsidies.importInsurance(from: csv)
        case "/v1/vacancies/{id}/close", "/v1/vacancies/{id}/candidates":
            _ = try f.ledger.talent.postVacancy(institution: f.evaluatorB.id, title: "电工", occupation: "6-31-01-03", minLevel: 4, district: "宝安区", count: 1)
        case "/v1/talent/contacts":
            _ = try f.ledger.talent.optIn(person: f.worker1.id, .init(district: "宝安区"))
        case "/v1/talent/contacts/{id}", "/v1/me/talent/contacts/{contact}/accept", "/v1/me/talent/contacts/{contact}/decline",
             "/v1/people/{id}/talent/contacts/{contact}/accept", "/v1/people/{id}/talent/contacts/{contact}/decline":
            _ = try f.ledger.talent.optIn(person: f.worker1.id, .init(district: "宝安区", contact: "13800000000"))
            let handle = try #require(try f.ledger.talent.search(institution: f.evaluatorB.id, occupation: "6-31-01-03", minLevel: 4).first?.handle)
            _ = try f.ledger.talent.requestContact(institution: f.evaluatorB.id, candidate: handle)
        case "/v1/me/talent/opt-out", "/v1/people/{id}/talent/opt-out":
            for worker in [f.worker1, f.worker2] { _ = try f.ledger.talent.optIn(person: worker.id, .init()) }
        case "/v1/webhooks/{id}", "/v1/webhooks/{id}/disable", "/v1/webhooks/{id}/messages", "/v1/webhooks/messages/{message}/replay":
            _ = try f.ledger.webhooks.subscribe(institution: f.school.id, url: "https://hooks.example/skillbank", eventTypes: ["course.*"])
            if e.path.hasSuffix("/replay") {
                _ = try f.ledger.training.publishCourse(.init(institutionID: f.school.id, title: "焊工", occupation: "6-31-01-03", level: 5, hours: 8))
                for d in try f.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 1_000) {
                    _ = try f.ledger.webhooks.record(d.message, .failed("matrix"), policy: RetryPolicy(maxAttempts: 1))
                }
            }
        default: break
        }
    }

    /// Whose record a sample touches, so "own" and "other" can be told apart.
    static func owner(_ e: Endpoint, _ f: ServerFixture) -> String? {
        switch e.path {
        case "/v1/courses" where e.method == .post: return "school"
        case "/v1/enrolments" where e.method == .get: return "school"
        case "/v1/assessments" where e.method == .get: return nil  // a list: each institution sees its own
        case "/v1/enrolments", "/v1/enrolments/{id}/close", "/v1/imports/{kind}", "/v1/courses/{id}": return "school"
        case "/v1/subsidies/claims" where e.method == .post: return "school"
        case "/v1/subsidies/claims": return nil  // a list: each institution sees the claims paid to it
        case "/v1/subsidies/claims/{id}": return "school"
        case "/v1/webhooks" where e.method == .post: return "school"
        case "/v1/signin-links": return "institutionA"  // worker 1 holds evaluator A's certificate, and nothing of the others
        case "/v1/vacancies" where e.method == .post: return "institutionB"
        case "/v1/vacancies", "/v1/talent/contacts" where e.method == .get: return nil  // lists: each institution sees its own
        case "/v1/vacancies/{id}/close", "/v1/vacancies/{id}/candidates", "/v1/talent/search", "/v1/talent/contacts", "/v1/talent/contacts/{id}":
            return "institutionB"
        case "/v1/webhooks": return nil  // a list: each institution sees its own
        case "/v1/webhooks/{id}", "/v1/webhooks/{id}/disable", "/v1/webhooks/{id}/messages": return "school"
        case "/v1/assessments/{id}/candidates": return "institutionA"
        case "/v1/institutions/{id}": return "institutionA"
        case "/v1/assessments", "/v1/assessments/{id}/candidates", "/v1/assessments/{id}/results", "/v1/assessments/{id}/results/import", "/v1/certificates/{id}/revoke",
             "/v1/certificates/{id}/suspend", "/v1/certificates/{id}/reinstate": return "institutionA"
        default: return e.path.hasPrefix("/v1/me/") ? "worker1" : nil
        }
    }

    /// Worker routes whose body names one of the worker's records (a claim's certificate).
    static let bodyNamesARecord: Set<String> = ["POST /v1/me/subsidies/claims"]

    static let callers = ["none", "operator", "institutionA", "institutionB", "school", "worker1", "worker2"]

    /// The status class a caller must get: 401, 403 or success.
    static func expected(_ e: Endpoint, caller: String, owner: String?) -> Int {
        guard case .roles(let roles) = e.access else { return 200 }
        if caller == "none" { return 401 }
        let role: Role = caller == "operator" ? .operator : (caller.hasPrefix("worker") ? .worker : .institution)
        guard roles.contains(role) else { return 403 }
        if role == .institution, let owner, owner != caller { return 403 }
        if role == .worker, let owner, owner != caller, e.path.contains("{") || Self.bodyNamesARecord.contains("\(e.method) \(e.path)") { return 403 }
        return 200
    }

    @Test(arguments: StoreKind.all)
    func everyRouteEveryCaller(_ store: StoreKind) async throws {
        let shared = try ServerFixture(store: store)
        var checked = 0
        var skipped: [String] = []
        for e in API.endpoints {
            guard Self.sample(e, shared) != nil else { skipped.append("\(e.method) \(e.path)"); continue }
            for caller in Self.callers {
                let want = Self.expected(e, caller: caller, owner: Self.owner(e, shared))
                // Allowed calls change state, so each runs on a bank of its own.
                let f = want == 200 ? try ServerFixture(store: store) : shared
                if want == 200 { try Self.prepare(e, f) }
                let request = Self.sample(e, f)!
                let before = want == 200 ? 0 : try f.ledger.log.events(limit: 100_000).count
                let status = try await f.application().test(.router) { client in
                    try await client.call(e.method, request.uri, token: caller == "none" ? nil : f.tokens[caller],
                                          json: e.body.isUpload ? nil : request.body, raw: e.body.isUpload ? request.body : nil).status
                }
                switch want {
                case 401: #expect(status == .unauthorized, "\(caller) \(e.method) \(e.path) → \(status)")
                case 403: #expect(status == .forbidden, "\(caller) \(e.method) \(e.path) → \(status)")
                default: #expect(status.code < 300 || (status.code == 304), "\(caller) \(e.method) \(e.path) → \(status)")
                }
                if want != 200 {
                    #expect(try f.ledger.log.events(limit: 100_000).count == before, "a refused \(e.method) \(e.path) wrote an event")
                }
                checked += 1
            }
        }
        #expect(checked == (API.endpoints.count - skipped.count) * Self.callers.count)
        #expect(skipped.isEmpty, "routes the matrix does not cover: \(skipped)")
    }

    @Test func expiredAndRevokedTokensAreRejected() async throws {
        let f = try ServerFixture()
        let (record, secret) = try f.ledger.tokens.create(role: .operator)
        // A token made in 2017 to work through 2020-01-01 (a token already expired cannot be made).
        let in2017 = try Bank.open(f.ledger.store, configuration: Bank.Configuration(besideDatabase: f.folder.appendingPathComponent("bank").path, standardsDirectory: standardsFolder),
                                   clock: { Date(timeIntervalSince1970: 1_500_000_000) }).bank
        let (_, expired) = try in2017.tokens.create(role: .operator, expires: CalendarDate(iso: "2020-01-01"))
        _ = try f.ledger.tokens.revoke(record.id)
        try await f.application().test(.router) { client in
            #expect(try await client.call(.get, "/v1/institutions", token: secret).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/institutions", token: expired).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/institutions", token: "sb_nonsense").status == .unauthorized)
            #expect(try await client.call(.get, "/v1/institutions", token: f.tokens["operator"]).status == .ok)
            let other = try await client.call(.get, "/v1/me/certificates/\(f.certificateB.id)", token: f.tokens["worker1"])
            #expect(other.status == .forbidden && !other.text.contains(f.certificateB.number))
        }
    }

    /// A suspended institution cannot issue, enrol or publish; what it issued before still
    /// verifies (the trust list names it suspended); it may still revoke what it issued.
    @Test func suspendedInstitutionsCannotIssueButTheirCertificatesStand() async throws {
        let f = try ServerFixture()
        try f.ledger.issuance.enrolCandidate(assessment: f.assessmentA5.id, person: f.worker2.id)
        try await f.application().test(.router) { client in
            let a = f.tokens["institutionA"]!
            let vc = try await client.call(.get, "/v1/me/certificates/\(f.certificate.id)", token: f.tokens["worker1"]).text
            #expect(try await client.call(.post, "/v1/institutions/\(f.evaluatorA.id)/suspend", token: f.tokens["operator"], json: #"{"reason":"audit"}"#).status == .ok)
            let before = try f.ledger.log.events(limit: 100_000).count
            let issue = try await client.call(.post, "/v1/assessments/\(f.assessmentA5.id)/results", token: a, json: #"{"person":"\#(f.worker2.id)","theory":90,"practical":90}"#)
            #expect(issue.status == .forbidden && issue.json?["code"] == "ledger.institution-suspended")
            let schedule = try await client.call(.post, "/v1/assessments", token: a, json: #"{"institution":"\#(f.evaluatorA.id)","occupation":"6-31-01-03","level":5}"#)
            #expect(schedule.status == .forbidden && schedule.json?["code"] == "ledger.institution-suspended")
            #expect(try f.ledger.log.events(limit: 100_000).count == before)
            let verdict = try await client.call(.post, "/v1/verify", json: #"{"credential":\#(vc)}"#)
            #expect(verdict.json?["verdict"] == "valid", "\(verdict.text.prefix(300))")
            #expect(verdict.text.contains("suspended"))
            #expect(try await client.call(.post, "/v1/certificates/\(f.certificate.id)/revoke", token: a, json: #"{"reason":"fraud found"}"#).status == .ok)
            #expect(try await client.call(.post, "/v1/verify", json: #"{"credential":\#(vc)}"#).json?["verdict"] == "invalid")
        }
    }

    /// Inside its own institution but outside its accreditation scope: refused, nothing written.
    @Test func outsideTheAccreditationScopeIsRefused() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let before = try f.ledger.log.events(limit: 100_000).count
            for (uri, body) in [
                ("/v1/assessments", #"{"institution":"\#(f.evaluatorA.id)","occupation":"6-31-01-03","level":1}"#),
                ("/v1/assessments", #"{"institution":"\#(f.evaluatorA.id)","occupation":"4-10-01-05","level":5}"#),
                ("/v1/courses", #"{"institution":"\#(f.school.id)","title":"高级技师班","occupation":"6-31-01-03","level":1,"hours":8}"#),
            ] {
                let token = uri == "/v1/courses" ? f.tokens["school"] : f.tokens["institutionA"]
                let r = try await client.call(.post, uri, token: token, json: body)
                #expect(r.status == .forbidden && r.json?["code"] == "ledger.out-of-accreditation-scope", "\(uri) \(r.status) \(r.text.prefix(200))")
            }
            #expect(try f.ledger.log.events(limit: 100_000).count == before)
        }
    }

    /// Asking for another's record and asking for one that does not exist look the same, so a
    /// refusal tells nothing about other records.
    @Test func anotherRecordAndNoRecordLookTheSame() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            func answer(_ uri: String, _ caller: String, json: String? = nil) async throws -> (HTTPResponse.Status, JSONValue?) {
                let r = try await client.call(json == nil ? .get : .post, uri, token: f.tokens[caller], json: json)
                var body = r.json?.objectValue
                body?["instance"] = nil
                return (r.status, body.map(JSONValue.object))
            }
            let ghost = "crt_01M8JJNGRS29S0VK906YTF2267"
            let other = try await answer("/v1/me/certificates/\(f.certificateB.id)", "worker1")
            let none = try await answer("/v1/me/certificates/\(ghost)", "worker1")
            #expect(other.0 == .forbidden && other.0 == none.0 && other.1 == none.1)
            let othersCert = try await answer("/v1/certificates/\(f.certificateB.id)/suspend", "institutionA", json: "{}")
            let noCert = try await answer("/v1/certificates/\(ghost)/suspend", "institutionA", json: "{}")
            #expect(othersCert.0 == .forbidden && othersCert.0 == noCert.0 && othersCert.1 == noCert.1)
            let othersEnrolment = try await answer("/v1/enrolments/\(f.enrolment.id)/close", "institutionA", json: #"{"outcome":"completed"}"#)
            let noEnrolment = try await answer("/v1/enrolments/enr_01M8JJNGT486Q5BVMND7KXWW8M/close", "institutionA", json: #"{"outcome":"completed"}"#)
            #expect(othersEnrolment.0 == .forbidden && othersEnrolment.1 == noEnrolment.1)
            // A worker's record holds only their own certificates.
            let record = try await client.call(.get, "/v1/me/record", token: f.tokens["worker1"]).text
            #expect(record.contains(f.certificate.number) && !record.contains(f.certificateB.number))
        }
    }
}

