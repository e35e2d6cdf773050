import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SkillCore
import SkillLedger
import SkillTestSupport
@testable import SkillServer
import Testing

/// Jobs that only the CLI could do, now over HTTP (issue 25, part 1), and imports that answer
/// with the ids they made or with problem+json naming each bad row (part 3).
@Suite struct IntegratorRouteTests {
    @Test func theOperatorManagesTokensOverHTTP() async throws {
        let f = try ServerFixture()
        let op = f.tokens["operator"]!
        try await f.application().test(.router) { client in
            let made = try await client.call(.post, "/v1/tokens", token: op, json: #"{"role": "institution", "institution": "\#(f.school.id)"}"#)
            #expect(made.status == .created, "\(made.text)")
            let secret = try #require(made.json?["secret"]?.stringValue)
            let id = try #require(made.json?["id"]?.stringValue)
            // The secret is nowhere in the store, only its SHA-256 (this route keeps no idempotent replay).
            for (what, bytes) in try StoreKind.sqlite.rawContents(of: f.ledger.store) {
                #expect(bytes.firstRange(of: Array(secret.utf8)) == nil, "\(what) holds the token's secret")
            }
            // The new token works for its institution, and reads that institution's own record only.
            #expect(try await client.call(.get, "/v1/institutions/\(f.school.id)", token: secret).status == .ok)
            #expect(try await client.call(.get, "/v1/institutions/\(f.evaluatorA.id)", token: secret).status == .forbidden)
            let list = try await client.call(.get, "/v1/tokens", token: op)
            #expect(list.json?["items"]?.arrayValue?.contains { $0["id"]?.stringValue == id } == true)
            #expect(!list.text.contains(secret) && !list.text.contains("sb_"))
            let revoked = try await client.call(.post, "/v1/tokens/\(id)/revoke", token: op)
            #expect(revoked.status == .ok && revoked.json?["revoked_at"]?.stringValue != nil)
            #expect(try await client.call(.get, "/v1/courses", token: secret).status == .unauthorized)
            let past = try await client.call(.post, "/v1/tokens", token: op, json: #"{"role": "operator", "expires": "2020-01-01"}"#)
            #expect(past.status == .unprocessableContent && past.json?["field"] == "$.expires")
            #expect(try await client.call(.post, "/v1/tokens", token: f.tokens["school"], json: #"{"role": "operator"}"#).status == .forbidden)
        }
        #expect(try f.ledger.tokens.all().count == 7)
    }

    /// The operator checks the ledger and the log over HTTP, as `skillbank check` and `log audit` do.
    @Test func theOperatorRunsTheChecksOverHTTP() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let ledger = try await client.call(.get, "/v1/checks/ledger", token: f.tokens["operator"])
            #expect(ledger.status == .ok && ledger.json?["balanced"] == true && ledger.json?["problems"]?.arrayValue?.isEmpty == true, "\(ledger.text)")
            let log = try await client.call(.get, "/v1/checks/log", token: f.tokens["operator"])
            #expect(log.status == .ok && log.json?["clean"] == true && (log.json?["leaves"]?.intValue ?? 0) > 10, "\(log.text)")
            #expect(try await client.call(.get, "/v1/checks/log", token: f.tokens["school"]).status == .forbidden)
        }
    }

    @Test func theOperatorFindsAWorkerByIDNumberWithoutPuttingItInAURL() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let found = try await client.call(.post, "/v1/people/search", token: f.tokens["operator"],
                                              json: #"{"id_type": "resident", "id_number": "\#(residentID(1))"}"#)
            #expect(found.status == .ok && found.json?["id"]?.stringValue == f.worker1.id)
            #expect(!found.text.contains(residentID(1)) && !found.text.contains("李明"))
            let none = try await client.call(.post, "/v1/people/search", token: f.tokens["operator"],
                                             json: #"{"id_type": "resident", "id_number": "\#(residentID(99))"}"#)
            #expect(none.status == .notFound && none.json?["code"] == "ledger.person-not-found")
            #expect(try await client.call(.post, "/v1/people/search", token: f.tokens["school"], json: #"{"id_type": "resident", "id_number": "x"}"#).status == .forbidden)
        }
    }

    @Test func anInstitutionReadsOneOfItsCourses() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let own = try await client.call(.get, "/v1/courses/\(f.course.id)", token: f.tokens["school"])
            #expect(own.status == .ok && own.json?["id"]?.stringValue == f.course.id && own.json?["enrolled"] == 1)
            #expect(try await client.call(.get, "/v1/courses/\(f.course.id)", token: f.tokens["institutionA"]).status == .forbidden)
        }
    }

    /// An institution lists its enrolments, assessments, candidates and certificates, page by
    /// page, on either store; another institution's records never show.
    @Test(arguments: StoreKind.all)
    func anInstitutionListsItsOwnRecordsPageByPage(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        let school = f.tokens["school"]!
        let a = f.tokens["institutionA"]!
        try await f.application().test(.router) { client in
            _ = try await client.call(.post, "/v1/enrolments", token: school, json: #"{"person": "\#(f.worker1.id)", "course": "\#(f.course.id)"}"#)
            let first = try await client.call(.get, "/v1/enrolments?limit=1", token: school)
            let cursor = try #require(first.json?["next_cursor"]?.stringValue)
            #expect(first.json?["items"]?.arrayValue?.count == 1)
            let second = try await client.call(.get, "/v1/enrolments?limit=1&cursor=\(cursor)", token: school)
            #expect(second.json?["items"]?.arrayValue?.count == 1 && second.json?["items"]?.arrayValue?.first?["id"]?.stringValue != cursor)
            let enrolled = try await client.call(.get, "/v1/enrolments?status=enrolled&course=\(f.course.id)", token: school)
            #expect(enrolled.json?["items"]?.arrayValue?.count == 2)
            #expect(try await client.call(.get, "/v1/enrolments?status=done", token: school).json?["field"] == "status")
            #expect(try await client.call(.get, "/v1/enrolments", token: a).json?["items"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/v1/enrolments?course=\(f.course.id)", token: a).status == .forbidden)

            let assessments = try await client.call(.get, "/v1/assessments", token: a)
            #expect(Set(assessments.json?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []) == [f.assessmentA.id, f.assessmentA5.id])
            let candidates = try await client.call(.get, "/v1/assessments/\(f.assessmentA.id)/candidates", token: a)
            #expect(candidates.json?["items"]?.arrayValue?.map { $0["person"] } == [.string(f.worker1.id)])
            #expect(candidates.json?["items"]?.arrayValue?.first?["status"] == "passed" && !candidates.text.contains("李明"))
            #expect(try await client.call(.get, "/v1/assessments/\(f.assessmentB.id)/candidates", token: a).status == .forbidden)

            let mine = try await client.call(.get, "/v1/certificates", token: a)
            #expect(mine.json?["items"]?.arrayValue?.map { $0["id"] } == [.string(f.certificate.id)])
            _ = try f.ledger.certificates.changeStatus(of: f.certificate.id, .suspend, reason: "test")
            #expect(try await client.call(.get, "/v1/certificates?status=active", token: a).json?["items"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/v1/certificates?status=suspended", token: a).json?["items"]?.arrayValue?.count == 1)
            #expect(try await client.call(.get, "/v1/certificates", token: f.tokens["operator"]).json?["items"]?.arrayValue?.count == 2)
        }
    }

    @Test func anImportNamesWhatEachRowMadeOrEveryBadRow() async throws {
        let f = try ServerFixture()
        let school = f.tokens["school"]!
        try await f.application().test(.router) { client in
            let good = try await client.call(.post, "/v1/imports/enrolments", token: school, raw: "person,course\n\(f.worker1.id),\(f.course.id)\n")
            #expect(good.status == .ok, "\(good.text)")
            let created = try #require(good.json?["created"]?.arrayValue)
            #expect(created.count == 1 && created[0]["line"] == 2)
            let enrolment = try #require(created[0]["id"]?.stringValue)
            #expect(enrolment.hasPrefix("enr_"))
            // The id closes the enrolment: no guessing, no 409 to read it from.
            let closed = try await client.call(.post, "/v1/enrolments/\(enrolment)/close", token: school, json: #"{"outcome": "completed"}"#)
            #expect(closed.status == .ok)

            let before = try f.ledger.log.events(limit: 100_000).count
            let bad = try await client.call(.post, "/v1/imports/enrolments", token: school,
                                            raw: "person,course\n\(f.worker2.id),\(f.course.id)\nper_nobody,\(f.course.id)\n")
            #expect(bad.status == .unprocessableContent && bad.headers[.contentType] == "application/problem+json")
            #expect(bad.json?["code"] == "import.bad-rows" && bad.json?["committed"] == false && bad.json?["rows"] == 2)
            #expect(bad.json?["detail"]?.stringValue?.contains("skip_bad=true") == true)
            let params = try #require(bad.json?["invalid_params"]?.arrayValue)
            #expect(params.map { $0["line"] } == [2, 3] && params.allSatisfy { $0["column"]?.stringValue?.isEmpty == false && $0["reason"] != nil })
            #expect(try f.ledger.log.events(limit: 100_000).count == before)
            // A row about another institution's course makes the whole upload forbidden.
            let other = try await client.call(.post, "/v1/imports/enrolments", token: f.tokens["institutionA"], raw: "person,course\n\(f.worker1.id),\(f.course.id)\n")
            #expect(other.status == .forbidden && other.headers[.contentType] == "application/problem+json" && other.json?["invalid_params"] != nil)
        }
    }

    @Test func resultsImportAndBulkRevokeOverHTTP() async throws {
        let f = try ServerFixture()
        let a = f.tokens["institutionA"]!
        try f.ledger.issuance.enrolCandidate(assessment: f.assessmentA5.id, person: f.worker2.id, override: "test")
        try await f.application().test(.router) { client in
            let results = try await client.call(.post, "/v1/assessments/\(f.assessmentA5.id)/results/import", token: a,
                                                raw: "person,theory,practical\n\(f.worker2.id),75,80\n")
            #expect(results.status == .ok, "\(results.text)")
            #expect(results.json?["certificates"] == 1)
            let certificate = try #require(results.json?["created"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(certificate.hasPrefix("crt_"))
            let badRow = try await client.call(.post, "/v1/assessments/\(f.assessmentA5.id)/results/import", token: a,
                                               raw: "person,theory,practical\n\(f.worker1.id),75,abc\n")
            #expect(badRow.status == .unprocessableContent && badRow.json?["invalid_params"]?.arrayValue?.first?["column"] == "practical")
            #expect(try await client.call(.post, "/v1/assessments/\(f.assessmentA5.id)/results/import", token: f.tokens["institutionB"],
                                          raw: "person,theory,practical\n").status == .forbidden)

            // Bulk revoke: all or nothing; another institution's number reads as not found.
            let numbers = [f.certificate.number, f.certificateB.number]
            let body = #"{"numbers": ["\#(numbers[0])", "\#(numbers[1])"], "reason": "audit"}"#
            let refused = try await client.call(.post, "/v1/certificates/revocations", token: a, json: body)
            #expect(refused.status == .unprocessableContent && refused.json?["invalid_params"]?.arrayValue?.map { $0["path"] } == ["$.numbers[1]"])
            #expect(refused.json?["invalid_params"]?.arrayValue?.first?["reason"] == "no certificate with this number")
            #expect(try f.ledger.certificates.certificate(f.certificate.id).status == .active)
            let partial = try await client.call(.post, "/v1/certificates/revocations?skip_bad=true", token: a, json: body)
            #expect(partial.status == .ok && partial.json?["revoked"]?.arrayValue?.count == 1)
            #expect(try f.ledger.certificates.certificate(f.certificate.id).status == .revoked)
            #expect(try f.ledger.certificates.certificate(f.certificateB.id).status == .active)
        }
    }
}
