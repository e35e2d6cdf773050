import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SkillCore
import SkillLedger
@testable import SkillServer
import SkillTestSupport
import Testing

/// HTTP conventions an integrator's client relies on (issue 25, part 4), and the domain slips
/// found by trying the API as an institution would (part 6).
@Suite struct ConventionTests {
    func application(_ f: ServerFixture, cors: Set<String> = []) -> some ApplicationProtocol {
        var configuration = f.configuration
        configuration.corsOrigins = cors
        return Application(router: SkillServer.router(bank: f.ledger, configuration: configuration, logger: ServerFixture.quietLogger),
                           logger: ServerFixture.quietLogger)
    }

    @Test func theBearerSchemeIsCaseInsensitiveAnd401SaysWhichSchemeWorks() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            for scheme in ["Bearer", "bearer", "BEARER"] {
                let r = try await client.call(.get, "/v1/institutions", headers: [.authorization: "\(scheme) \(f.tokens["operator"]!)"])
                #expect(r.status == .ok, "\(scheme)")
            }
            let none = try await client.call(.get, "/v1/institutions")
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer realm=\"skillbank\"")
            #expect(none.json?["detail"]?.stringValue?.contains("Authorization: Bearer") == true)
            let wrong = try await client.call(.get, "/v1/institutions", token: "sb_0000")
            #expect(wrong.status == .unauthorized && wrong.headers[.wwwAuthenticate] == "Bearer realm=\"skillbank\", error=\"invalid_token\"")
            let basic = try await client.call(.get, "/v1/institutions", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func aBodyInTheWrongMediaTypeIs415() async throws {
        let f = try ServerFixture()
        let body = #"{"person": "\#(f.worker1.id)", "course": "\#(f.course.id)"}"#
        try await f.application().test(.router) { client in
            let plain = try await client.call(.post, "/v1/enrolments", token: f.tokens["school"], raw: body, headers: [.contentType: "text/plain"])
            #expect(plain.status == .unsupportedMediaType && plain.headers[.contentType] == "application/problem+json")
            #expect(plain.json?["code"] == "http.unsupported-media-type" && plain.json?["field"] == "Content-Type")
            #expect(plain.json?["detail"]?.stringValue?.contains("application/json") == true)
            // JSON with parameters, and the +json suffix, are JSON.
            let charset = try await client.call(.post, "/v1/enrolments", token: f.tokens["school"], raw: body, headers: [.contentType: "application/json; charset=utf-8"])
            #expect(charset.status == .created, "\(charset.text)")
            // A CSV upload sent as JSON is refused too; as text/csv it is read.
            let csv = try await client.call(.post, "/v1/imports/enrolments", token: f.tokens["school"], raw: "person,course\n", headers: [.contentType: "application/json"])
            #expect(csv.status == .unsupportedMediaType)
            // The verification page's forms too: a form sent as JSON is refused, as a form it is read.
            let form = try await client.call(.post, "/verify", raw: "number=1&name=x", headers: [.contentType: "application/json"])
            #expect(form.status == .unsupportedMediaType && form.text.contains("application/x-www-form-urlencoded"))
            let asForm = try await client.call(.post, "/verify", raw: "number=1&name=x", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(asForm.status == .notFound)
        }
    }

    @Test func crossOriginAccessIsOpenForPublicRoutesAndAllowListedForTheRest() async throws {
        let f = try ServerFixture()
        let portal = "https://portal.example"
        try await application(f, cors: [portal]).test(.router) { client in
            let publicRoute = try await client.call(.get, "/v1/trust-list", headers: [.origin: "https://wallet.example"])
            #expect(publicRoute.headers[.accessControlAllowOrigin] == "*" && publicRoute.headers[.accessControlExposeHeaders]?.contains("ETag") == true)
            let context = try await client.call(.get, "/contexts/skillbank-v1.jsonld", headers: [.origin: "https://wallet.example"])
            #expect(context.headers[.accessControlAllowOrigin] == "*")
            let listed = try await client.call(.get, "/v1/institutions", token: f.tokens["operator"], headers: [.origin: portal])
            #expect(listed.status == .ok && listed.headers[.accessControlAllowOrigin] == portal && listed.headers[.vary] == "Origin")
            let other = try await client.call(.get, "/v1/institutions", token: f.tokens["operator"], headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            // Preflights: allowed origins learn the methods and headers; others learn nothing.
            let preflight = try await client.call(.options, "/v1/courses", headers: [.origin: portal, .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent && preflight.headers[.accessControlAllowOrigin] == portal)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let refused = try await client.call(.options, "/v1/courses", headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(refused.status == .noContent && refused.headers[.accessControlAllowOrigin] == nil)
            // Without an Origin header nothing changes.
            #expect(try await client.call(.get, "/v1/trust-list").headers[.accessControlAllowOrigin] == nil)
        }
        // No allow-list (the default): token routes answer no origin.
        try await application(f).test(.router) { client in
            let r = try await client.call(.get, "/v1/institutions", token: f.tokens["operator"], headers: [.origin: portal])
            #expect(r.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func theOpenAPIDocumentNamesItsServer() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let document = try #require(try await client.call(.get, "/openapi.json").json)
            #expect(document["servers"]?.arrayValue?.first?["url"]?.stringValue == f.ledger.baseURL)
        }
    }

    @Test func aDateThatDoesNotExistIsCalledThat() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let r = try await client.call(.post, "/v1/institutions/\(f.school.id)/accreditations", token: f.tokens["operator"],
                                          json: #"{"occupation": "6-18-02-04", "levels": [5], "valid_from": "2026-02-30"}"#)
            #expect(r.status == .unprocessableContent)
            #expect(r.json?["detail"]?.stringValue == "2026-02-30 is no such date: 2026-02 has 28 days" && r.json?["field"] == "$.valid_from", "\(r.text)")
        }
        #expect(throws: SkillError.self) { try CalendarDate.parse("2024-13-01", field: "d") }
        #expect((try? CalendarDate.parse("2024-02-29", field: "d"))?.description == "2024-02-29")
    }

    @Test func anEvaluatorsTokenCannotPublishCourses() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let body = #"{"institution": "\#(f.evaluatorA.id)", "title": "电工培训", "occupation": "6-31-01-03", "level": 4, "hours": 40}"#
            let r = try await client.call(.post, "/v1/courses", token: f.tokens["institutionA"], json: body)
            #expect(r.status == .forbidden && r.json?["code"] == "ledger.institution-kind-not-allowed", "\(r.text)")
            #expect(r.json?["detail"]?.stringValue?.contains("only training providers and employers publish courses") == true)
        }
    }

    @Test func aCompletionBeforeTheCourseStartsIsRefused() async throws {
        let f = try ServerFixture()
        let later = try f.ledger.training.publishCourse(.init(
            institutionID: f.school.id, title: "高压电工", occupation: "6-31-01-03", level: 4, hours: 40,
            startsOn: CalendarDate(Date().addingTimeInterval(30 * 86_400))))
        let enrolment = try f.ledger.training.enrol(person: f.worker1.id, course: later.id)
        try await f.application().test(.router) { client in
            let r = try await client.call(.post, "/v1/enrolments/\(enrolment.id)/close", token: f.tokens["school"], json: #"{"outcome": "completed"}"#)
            #expect(r.status == .conflict && r.json?["code"] == "ledger.course-not-started", "\(r.text)")
            let withdrawn = try await client.call(.post, "/v1/enrolments/\(enrolment.id)/close", token: f.tokens["school"], json: #"{"outcome": "withdrawn"}"#)
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
        }
        #expect(try f.ledger.accounts.balances(of: f.worker1.id).allSatisfy { $0.account.kind != "training" || $0.tenths == 0 })
    }

    @Test func aTokenThatWouldNeverWorkIsRefused() throws {
        let f = try ServerFixture()
        let yesterday = CalendarDate(Date().addingTimeInterval(-86_400 * 2))
        do {
            _ = try f.ledger.tokens.create(role: .operator, expires: yesterday)
            Issue.record("a token expiring in the past was made")
        } catch {
            #expect(error.code == .invalidField && error.field == "expires" && error.message.contains("is in the past"))
        }
        #expect(try f.ledger.tokens.create(role: .operator, expires: CalendarDate(Date())).0.expiresAt != nil)
    }

    /// One naming (issue 25, part 2): a request member is named as the reply names it, an old
    /// or CLI name is refused with the member to send, and one value has one representation.
    @Test func requestsUseTheRepliesNamesAndSayWhatToSend() async throws {
        let f = try ServerFixture()
        let op = f.tokens["operator"]!
        try await f.application().test(.router) { client in
            let scope = try await client.call(.post, "/v1/institutions/\(f.school.id)/accreditations", token: op,
                                              json: #"{"occupation": "6-18-02-04", "levels": [5], "valid_from": "2026-01-01", "valid_until": "2027-12-31"}"#)
            #expect(scope.status == .created && scope.json?["valid_from"] == "2026-01-01" && scope.json?["valid_until"] == "2027-12-31", "\(scope.text)")
            let old = try await client.call(.post, "/v1/institutions/\(f.school.id)/accreditations", token: op,
                                            json: #"{"occupation": "6-18-02-04", "levels": [5], "from": "2026-01-01"}"#)
            #expect(old.status == .unprocessableContent && old.json?["field"] == "$.from")
            #expect(old.json?["invalid_params"]?.arrayValue?.first?["reason"] == #"unknown member "from": send "valid_from""#)
            let site = try await client.call(.post, "/v1/institutions", token: op,
                                             json: #"{"name": "站点", "kind": "social", "code": "\#(uscc("51440000MJ0000999"))", "site": "000009"}"#)
            #expect(site.json?["detail"]?.stringValue?.contains(#"send "site_sequence""#) == true, "\(site.text)")
            let course = try await client.call(.post, "/v1/courses", token: f.tokens["school"],
                                               json: #"{"title": "电工", "occupation": "6-31-01-03", "level": 4, "hours": 8, "starts_on": "2026-01-01", "ends_on": "2030-01-01"}"#)
            #expect(course.status == .created && course.json?["starts_on"] == "2026-01-01" && course.json?["ends_on"] == "2030-01-01", "\(course.text)")
            // Level: the code as an integer, its name beside it; status: one vocabulary.
            let lookup = try await client.call(.get, "/v1/certificates/lookup?number=\(f.certificate.number)&name=%E6%9D%8E%E6%98%8E")
            #expect(lookup.json?["level"] == 4 && lookup.json?["level_name"]?["zh"] == "四级/中级工", "\(lookup.text)")
        }
        _ = try f.ledger.certificates.changeStatus(of: f.certificate.id, .suspend, reason: "test")
        let statement = try f.ledger.accounts.statement(of: f.worker1.id)
        #expect(statement["credentialSubject"]?["certificates"]?.arrayValue?.first?["status"] == "suspended")
    }

    /// An id of another kind of record is named as that, not as a permission problem.
    @Test func anIDOfAnotherKindIsCalledThat() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let r = try await client.call(.post, "/v1/enrolments/\(f.worker1.id)/close", token: f.tokens["school"], json: #"{"outcome": "completed"}"#)
            #expect(r.status == .unprocessableContent && r.json?["field"] == "id", "\(r.text)")
            #expect(r.json?["detail"] == "expected an enrolment id (enr_…), got a person id")
            let typo = try await client.call(.get, "/v1/courses/crs-1", token: f.tokens["school"])
            #expect(typo.json?["detail"] == "expected a course id (crs_…), got no id of ours")
            // A well-formed id of the right kind that is not this institution's stays a 403 (no hint it exists).
            #expect(try await client.call(.get, "/v1/courses/\(f.course.id)", token: f.tokens["institutionA"]).status == .forbidden)
        }
    }

    /// An empty query value is a value, not an absent parameter (found by schemathesis).
    @Test func anEmptySizeIsRefusedNotReadAsLatest() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let r = try await client.call(.get, "/v1/log/proof/inclusion?size=&leaf=0")
            #expect(r.status == .unprocessableContent && r.json?["field"] == "size", "\(r.text)")
            #expect(try await client.call(.get, "/v1/log/proof/inclusion?leaf=0").status == .ok)
        }
    }
}
