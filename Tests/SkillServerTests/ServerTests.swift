import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SkillCore
import SkillCredentials
import SkillLedger
@testable import SkillServer
import SkillTestSupport
import Testing

@Suite struct OpenAPITests {
    /// Every route the router serves is in the document, and every documented route is served.
    @Test func documentMatchesTheRoutes() throws {
        let f = try ServerFixture()
        let router = SkillServer.router(bank: f.ledger, configuration: f.configuration, logger: Logger(label: "test"))
        let served = Set(router.routes.map { r in
            let path = r.path.description.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(r.method.rawValue) \(path)"
        })
        let document = OpenAPI.document()
        #expect(document["openapi"] == "3.1.0")
        var documented: Set<String> = []
        for (path, methods) in document["paths"]!.objectValue! {
            for method in methods.objectValue!.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(served == documented, "served but undocumented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))")
        #expect(served.count >= 35)
        // Operation ids are unique, and every route names its errors as problem+json.
        let operations = document["paths"]!.objectValue!.values.flatMap { $0.objectValue!.values }
        #expect(Set(operations.compactMap { $0["operationId"]?.stringValue }).count == operations.count)
    }

    /// Body schemas are compiled once, when the table is built; each must be one the
    /// validator accepts (the validator refuses keywords it does not implement).
    @Test func everyBodySchemaCompiles() throws {
        var json = 0
        for e in API.endpoints {
            switch e.body {
            case .json:
                json += 1
                _ = try #require(e.bodySchema, "\(e.method) \(e.path)").get()
            default:
                #expect(e.bodySchema == nil, "\(e.method) \(e.path)")
            }
        }
        #expect(json >= 10)
    }

    @Test func everyErrorCodeHasAnHTTPStatus() {
        for code in SkillError.Code.all {
            let status = Problem.status(for: code)
            #expect(status.code >= 400 && status.code < 600, "\(code)")
        }
        #expect(Problem.status(for: .unauthenticated) == .unauthorized)
        #expect(Problem.status(for: .forbidden) == .forbidden)
        #expect(Problem.status(for: .storeBusy) == .serviceUnavailable)
        #expect(Problem.status(for: .rateLimited) == .tooManyRequests)
    }
}

@Suite struct RouteTests {
    @Test(arguments: StoreKind.all)
    func operatorRegistersAndPaginates(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        try await f.application().test(.router) { client in
            let op = f.tokens["operator"]!
            let created = try await client.call(.post, "/v1/institutions", token: op,
                                                json: #"{"name":"新机构","kind":"training","code":"\#(uscc("52440300MJ0000009"))","province":"44"}"#)
            #expect(created.status == .created)
            let page1 = try await client.call(.get, "/v1/institutions?limit=2", token: op)
            #expect(page1.status == .ok)
            let cursor = try #require(page1.json?["next_cursor"]?.stringValue)
            #expect(page1.json?["items"]?.arrayValue?.count == 2)
            let page2 = try await client.call(.get, "/v1/institutions?limit=2&cursor=\(cursor)", token: op)
            #expect(page2.json?["items"]?.arrayValue?.first?["id"]?.stringValue.map { $0 > cursor } == true)
            #expect(try await client.call(.get, "/v1/institutions?limit=0", token: op).status == .unprocessableContent)
            // Bad input: the code, the JSON path, nothing written.
            let bad = try await client.call(.post, "/v1/institutions", token: op, json: #"{"name":"x","kind":"training","code":"914403001922038217","province":"44"}"#)
            #expect(bad.status == .unprocessableContent && bad.json?["code"] == "institution.uscc-invalid" && bad.json?["field"] == "$.code")
            #expect(bad.headers[.contentType] == "application/problem+json")
            let typo = try await client.call(.post, "/v1/institutions", token: op, json: #"{"name":"x","kind":"training","code":"x","provnce":"44"}"#)
            let paths = Set(typo.json?["invalid_params"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? [])
            #expect(paths == ["$.provnce", "$.code"], "\(paths)")
            let malformed = try await client.call(.post, "/v1/institutions", token: op, json: #"{"name":"#)
            #expect(malformed.status == .badRequest && malformed.json?["code"] == "json.malformed")
            let person = try await client.call(.post, "/v1/people", token: op, json: #"{"name":"赵六","id_type":"resident","id_number":"\#(residentID(9))"}"#)
            #expect(person.status == .created && person.json?["name"] == "赵*")
            #expect(!person.text.contains(residentID(9)))
        }
    }

    @Test(arguments: StoreKind.all)
    func institutionFlowAndIdempotency(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        try await f.application().test(.router) { client in
            let school = f.tokens["school"]!
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "abc-1"]
            let body = #"{"title":"电工进阶","occupation":"6-31-01-03","level":4,"hours":40}"#
            let first = try await client.call(.post, "/v1/courses", token: school, json: body, headers: key)
            #expect(first.status == .created)
            let again = try await client.call(.post, "/v1/courses", token: school, json: body, headers: key)
            #expect(again.status == .created && again.text == first.text && again.headers[HTTPField.Name("Idempotent-Replay")!] == "true")
            let other = try await client.call(.post, "/v1/courses", token: school, json: #"{"title":"另一门","occupation":"6-31-01-03","level":4,"hours":8}"#, headers: key)
            #expect(other.status == .unprocessableContent)
            let courses = try await client.call(.get, "/v1/courses", token: school)
            #expect(courses.json?["items"]?.arrayValue?.count == 2)
            let enrol = try await client.call(.post, "/v1/enrolments", token: school, json: #"{"person":"\#(f.worker1.id)","course":"\#(f.course.id)"}"#)
            #expect(enrol.status == .created)
            let id = try #require(enrol.json?["id"]?.stringValue)
            let done = try await client.call(.post, "/v1/enrolments/\(id)/close", token: school, json: #"{"outcome":"completed"}"#)
            #expect(done.status == .ok && done.json?["credited"] == "8.0")
            let twice = try await client.call(.post, "/v1/enrolments/\(id)/close", token: school, json: #"{"outcome":"completed"}"#)
            #expect(twice.status == .conflict && twice.json?["code"] == "ledger.transition-invalid")
            let newcomer = try f.ledger.registration.registerPerson(name: "新学员", idType: .passport, idNumber: "E77777777")
            let csv = try await client.call(.post, "/v1/imports/enrolments", token: school, raw: "person,course\n\(newcomer.id),\(f.course.id)\n")
            #expect(csv.status == .ok && csv.json?["imported"] == 1)
            let people = try await client.call(.post, "/v1/imports/people", token: school, raw: "name,id_type,id_number\n")
            #expect(people.status == .forbidden)
        }
    }

    @Test(arguments: StoreKind.all)
    func evaluatorIssuesRevokesAndTheWorkerSeesIt(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        try await f.application().test(.router) { client in
            let a = f.tokens["institutionA"]!
            let worker = f.tokens["worker1"]!
            let scheduled = try await client.call(.post, "/v1/assessments", token: a, json: #"{"occupation":"6-31-01-03","level":5}"#)
            #expect(scheduled.status == .created)
            let asm = try #require(scheduled.json?["id"]?.stringValue)
            let enrolled = try await client.call(.post, "/v1/assessments/\(asm)/candidates", token: a, json: #"{"person":"\#(f.worker2.id)"}"#)
            #expect(enrolled.status == .created)  // level 5 has no eligibility rule
            let result = try await client.call(.post, "/v1/assessments/\(asm)/results", token: a, json: #"{"person":"\#(f.worker2.id)","theory":90,"practical":90}"#)
            #expect(result.status == .ok && result.json?["passed"] == true)
            let override = try await client.call(.post, "/v1/assessments/\(f.assessmentA.id)/candidates", token: a, json: #"{"person":"\#(f.worker2.id)","override":"x"}"#)
            #expect(override.status == .forbidden)

            let mine = try await client.call(.get, "/v1/me/certificates", token: worker)
            #expect(mine.json?["items"]?.arrayValue?.count == 1)
            let vc = try await client.call(.get, "/v1/me/certificates/\(f.certificate.id)", token: worker)
            #expect(vc.status == .ok)
            let jwt = try await client.call(.get, "/v1/me/certificates/\(f.certificate.id)?format=jwt", token: worker)
            #expect(jwt.headers[.contentType] == "application/vc+jwt" && jwt.text.split(separator: ".").count == 3)
            let verified = try await client.call(.post, "/v1/verify", json: #"{"credential":\#(vc.text)}"#)
            #expect(verified.json?["verdict"] == "valid")
            let verifiedJWT = try await client.call(.post, "/v1/verify", json: #"{"jwt":"\#(jwt.text)"}"#)
            #expect(verifiedJWT.json?["verdict"] == "valid")
            let obJWT = try await client.call(.get, "/v1/me/certificates/\(f.certificate.id)?format=ob-jwt", token: worker)
            #expect(obJWT.headers[.contentType] == "application/jwt" && obJWT.text.split(separator: ".").count == 3)
            let verifiedOB = try await client.call(.post, "/v1/verify", json: #"{"jwt":"\#(obJWT.text)"}"#)
            #expect(verifiedOB.json?["verdict"] == "valid", "\(verifiedOB.text)")
            // The W3C VC API: the credential, and either JWT enveloped.
            let vcAPI = try await client.call(.post, "/credentials/verify", json: #"{"verifiableCredential":\#(vc.text),"options":{}}"#)
            #expect(vcAPI.status == .ok && vcAPI.json?["verified"] == true && vcAPI.json?["errors"] == [] && vcAPI.json?["warnings"] == [])
            #expect(vcAPI.json?["checks"]?.arrayValue?.contains("proof") == true)
            for token in [jwt.text, obJWT.text] {
                let enveloped = #"{"verifiableCredential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,\#(token)"}}"#
                #expect(try await client.call(.post, "/credentials/verify", json: enveloped).json?["verified"] == true)
            }
            #expect(try await client.call(.post, "/credentials/verify", json: #"{"credential":{}}"#).status == .unprocessableContent)

            let revoked = try await client.call(.post, "/v1/certificates/\(f.certificate.number)/revoke", token: a, json: #"{"reason":"wrong data"}"#)
            #expect(revoked.status == .ok)
            let after = try await client.call(.post, "/v1/verify", json: #"{"credential":\#(vc.text)}"#)
            #expect(after.json?["verdict"] == "invalid" && after.json?["reasons"] == ["revoked"])
            let afterVCAPI = try await client.call(.post, "/credentials/verify", json: #"{"verifiableCredential":\#(vc.text)}"#)
            #expect(afterVCAPI.json?["verified"] == false && afterVCAPI.json?["errors"] == ["revoked"])
            #expect(afterVCAPI.json?["problemDetails"]?.arrayValue?.first?["type"] == "urn:skillbank:verification:revoked")
            let record = try await client.call(.get, "/v1/me/record", token: worker)
            #expect(record.json?["certificates"]?.arrayValue?.first?["status"] == "revoked")
            #expect(!record.text.contains("李明") && !record.text.contains(residentID(1)))
            let statement = try await client.call(.get, "/v1/me/statement", token: worker)
            #expect(statement.json?["type"]?.arrayValue?.contains("SkillBankLearningAccountStatement") == true)
            let pathway = try await client.call(.get, "/v1/me/pathway?occupation=6-31-01-03&level=3", token: worker)
            #expect(pathway.json?["eligible"] == false)
            let preview = try await client.call(.get, "/v1/me/conversions", token: worker)
            #expect(preview.status == .ok)
        }
    }

    @Test(arguments: StoreKind.all)
    func publicRoutesCachingLookupAndRateLimits(_ store: StoreKind) async throws {
        let f = try ServerFixture(rateLimit: 3, store: store)
        try await f.application().test(.router) { client in
            #expect(try await client.call(.get, "/healthz").status == .ok)
            #expect(try await client.call(.post, "/v1/verify", json: #"{"jwt":"a.b.c"}"#).json?["verdict"] == "invalid")
            let trust = try await client.call(.get, "/v1/trust-list")
            #expect(DataIntegrityProof.verify(try #require(trust.json)).isValid)
            let list = try await client.call(.get, "/v1/status-lists/\(f.evaluatorA.id)/revocation")
            let etag = try #require(list.headers[.eTag])
            #expect(list.headers[.cacheControl]?.contains("max-age") == true)
            let cached = try await client.call(.get, "/v1/status-lists/\(f.evaluatorA.id)/revocation", headers: [.ifNoneMatch: etag])
            #expect(cached.status == .notModified)
            #expect(try await client.call(.get, "/v1/status-lists/\(f.evaluatorA.id)/other").status == .notFound)
            let found = try await client.call(.get, "/v1/certificates/lookup?number=\(f.certificate.number)&name=%E6%9D%8E%E6%98%8E")
            #expect(found.status == .ok && found.json?["status"] == "active")
            let wrong = try await client.call(.get, "/v1/certificates/lookup?number=\(f.certificate.number)&name=x")
            #expect(wrong.status == .notFound)
            // Three public calls a minute for this address: the fourth is refused with Retry-After.
            let limited = try await client.call(.get, "/v1/certificates/lookup?number=\(f.certificate.number)&name=x")
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
            // The counters say who registers and issues how much: the operator's, not the public's.
            #expect(try await client.call(.get, "/metrics").status == .unauthorized)
            #expect(try await client.call(.get, "/metrics", token: f.tokens["institutionA"]).status == .forbidden)
            let metrics = try await client.call(.get, "/metrics", token: f.tokens["operator"])
            #expect(metrics.text.contains("hb_requests") && metrics.text.contains("http_server_request_duration"))
            #expect(metrics.text.contains("skillbank_verifications_total"))
        }
    }

    @Test(arguments: StoreKind.all)
    func bodiesAreLimitedBeforeBuffering(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        try await f.application().test(.router) { client in
            let big = String(repeating: "a", count: (1 << 20) + 10)
            let response = try await client.call(.post, "/v1/verify", json: #"{"jwt":"\#(big)"}"#)
            #expect(response.status == .contentTooLarge && response.json?["code"] == "http.body-too-large")
        }
    }
}

@Suite struct VerifyPageTests {
    @Test(arguments: StoreKind.all)
    func pageRendersValidRevokedAndTampered(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        let vc = try f.ledger.certificates.export(f.certificate.id, format: .vc)
        @Sendable func form(_ text: String) -> String { "credential=" + text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        try await f.application().test(.router) { client in
            let page = try await client.call(.get, "/verify")
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<label for=\"credential\">") && page.text.contains("lang=\"zh-CN\""))
            #expect(!page.text.contains("<link") && !page.text.contains("src=\"http"))
            let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let valid = try await client.call(.post, "/verify", raw: form(vc), headers: formHeaders)
            #expect(valid.text.contains("核验通过：证书有效 · VALID"))
            #expect(valid.text.contains("评价机构甲") && valid.text.contains("6-31-01-03 电工"))
            let tampered = try await client.call(.post, "/verify", raw: form(vc.replacingOccurrences(of: "四级/中级工", with: "一级/高级技师")), headers: formHeaders)
            #expect(tampered.text.contains("NOT VALID") && tampered.text.contains("proof-invalid"))
            // A certificate that fails never reads as active: its standing is unknown, and every claim is marked untrusted.
            #expect(!tampered.text.contains("有效 active") && tampered.text.contains("无法确认 unknown"))
            #expect(tampered.text.contains("未证实 not trusted") && tampered.text.contains("These could not be trusted"))
            // Dates in the registry's time zone, UTC in the tooltip.
            let issued = try #require(Timestamp.parse(f.certificate.issuedAt))
            let day = LocalTime().day(CalendarDate(issued))
            #expect(valid.text.contains(day.zh) && valid.text.contains(day.en) && valid.text.contains("datetime=\"\(f.certificate.issuedAt)\""))
            _ = try f.ledger.certificates.changeStatus(of: f.certificate.id, .revoke, reason: "test")
            let revoked = try await client.call(.post, "/verify", raw: form(vc), headers: formHeaders)
            #expect(revoked.text.contains("NOT VALID") && revoked.text.contains("未被撤销，也未被暂停") && revoked.text.contains(">revoked<"))
            #expect(revoked.text.contains("已撤销 revoked") && !revoked.text.contains("有效 active"))
            let lookup = try await client.call(.post, "/verify", raw: "number=\(f.certificateB.number)&name=%E7%8E%8B%E8%8A%B3", headers: formHeaders)
            #expect(lookup.text.contains("评价机构乙"))
            let xss = try await client.call(.post, "/verify", raw: form("<script>alert(1)</script>"), headers: formHeaders)
            #expect(!xss.text.contains("<script>alert(1)</script>"))
        }
    }
}

/// The printable certificate: A4, the QR code of the verification URL, for whoever holds a share.
@Suite struct CertificatePrintTests {
    @Test(arguments: StoreKind.all)
    func aShareOpensThePrintablePageWhoseQRCodeLeadsToVerification(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        let (_, secret) = try f.ledger.certificates.share(f.certificate.id, of: f.worker1.id, days: 7)
        try await f.application().test(.router) { client in
            let page = try await client.call(.get, "/certificates/\(f.certificate.number)/print?share=\(secret)")
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.text.contains("职业技能等级证书") && page.text.contains(f.certificate.number) && page.text.contains("评价机构甲"))
            #expect(page.text.contains("size:A4") && !page.text.contains("<script") && !page.text.contains("李明"))
            // The QR code on the page is the encoding of the verification URL with the number.
            let url = "\(f.ledger.baseURL)/verify?number=\(f.certificate.number)"
            let svg = try QRCode(bytes: Array(url.utf8)).svg(pixels: 150, title: "扫码核验 Scan to verify")
            #expect(page.text.contains(svg) && page.text.contains(url))
            // …and that page opens with the number filled in.
            let verify = try await client.call(.get, "/verify?number=\(f.certificate.number)")
            #expect(verify.text.contains("value=\"\(f.certificate.number)\""))
            // No share, a wrong one, another certificate's: the same 404.
            #expect(try await client.call(.get, "/certificates/\(f.certificate.number)/print").status == .notFound)
            #expect(try await client.call(.get, "/certificates/\(f.certificate.number)/print?share=shr_nope").status == .notFound)
            #expect(try await client.call(.get, "/certificates/\(f.certificateB.number)/print?share=\(secret)").status == .notFound)
            // Revoked: said across the page.
            _ = try f.ledger.certificates.changeStatus(of: f.certificate.id, .revoke, reason: "test")
            let revoked = try await client.call(.get, "/certificates/\(f.certificate.number)/print?share=\(secret)")
            #expect(revoked.text.contains("已撤销 · REVOKED"))
        }
    }
}

/// Baked badges on the verification page: uploaded with a plain multipart form, no script.
@Suite struct BakedBadgeUploadTests {
    static func multipart(_ name: String, _ filename: String, _ bytes: [UInt8]) -> (body: String, type: String) {
        let boundary = "----skillbank\(UUID().uuidString)"
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + String(decoding: bytes, as: UTF8.self) + "\r\n--\(boundary)--\r\n"
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    @Test(arguments: StoreKind.all)
    func aBakedSVGVerifiesAndATamperedOneDoesNot(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        let svg = try f.ledger.certificates.baked(f.certificate.id, png: false)
        let png = try f.ledger.certificates.baked(f.certificate.id, png: true)
        #expect(BakedBadge.extract(png) != nil)
        try await f.application().test(.router) { client in
            let page = try await client.call(.get, "/verify")
            #expect(page.text.contains("enctype=\"multipart/form-data\"") && !page.text.contains("<script"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("unsafe-inline'; form") == true && page.headers[.contentSecurityPolicy]?.contains("script-src") == false)
            let upload = Self.multipart("file", "badge.svg", svg)
            let valid = try await client.call(.post, "/verify", raw: upload.body, headers: [.contentType: upload.type])
            #expect(valid.status == .ok && valid.text.contains("核验通过：证书有效 · VALID"), "\(valid.text.prefix(400))")
            // The level changed inside the baked credential: the signature no longer holds.
            let tampered = String(decoding: svg, as: UTF8.self).replacingOccurrences(of: "四级/中级工", with: "一级/高级技师")
            let bad = Self.multipart("file", "badge.svg", Array(tampered.utf8))
            let invalid = try await client.call(.post, "/verify", raw: bad.body, headers: [.contentType: bad.type])
            #expect(invalid.text.contains("NOT VALID") && invalid.text.contains("proof-invalid") && !invalid.text.contains("有效 active"))
            // A picture with nothing baked in.
            let plain = Self.multipart("file", "photo.svg", Array("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".utf8))
            #expect(try await client.call(.post, "/verify", raw: plain.body, headers: [.contentType: plain.type]).status == .unprocessableContent)
            // A pasted SVG works as well.
            let pasted = "credential=" + String(decoding: svg, as: UTF8.self).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let viaText = try await client.call(.post, "/verify", raw: pasted, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(viaText.text.contains("核验通过：证书有效 · VALID"))
        }
    }
}

@Suite struct UnmatchedRouteTests {
    @Test(arguments: StoreKind.all)
    func wrongMethodIs405WithAllowAndUnknownPathIs404(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        try await f.application().test(.router) { client in
            let wrong = try await client.call(.delete, "/v1/institutions/\(f.evaluatorA.id)", token: f.tokens["operator"])
            #expect(wrong.status == .methodNotAllowed && wrong.headers[.allow] == "GET")
            #expect(wrong.json?["code"] == "http.method-not-allowed" && wrong.headers[.contentType] == "application/problem+json")
            let trace = try await client.call(.init("TRACE")!, "/v1/verify")
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "POST")
            let both = try await client.call(.put, "/verify")
            #expect(both.headers[.allow] == "GET, POST")
            let unknown = try await client.call(.get, "/v1/nothing-here")
            #expect(unknown.status == .notFound && unknown.json?["code"] == "http.not-found")
            // The page's empty form is a 422, a wrong number and name a 404.
            #expect(try await client.call(.post, "/verify").status == .unprocessableContent)
            #expect(try await client.call(.post, "/verify", raw: "number=S000000000000000000000&name=x",
                                          headers: [.contentType: "application/x-www-form-urlencoded"]).status == .notFound)
        }
    }
}

@Suite struct AdmissionTests {
    @Test func slotsAreBoundedAndOverloadIsARetryable503() {
        let admission = Admission(limit: 2)
        #expect(admission.enter() && admission.enter())
        #expect(!admission.enter())
        admission.leave()
        #expect(admission.enter())
        let refused = Problem.response(SkillError(.overloaded, "at capacity"), instance: "/v1/verify")
        #expect(refused.status == .serviceUnavailable && refused.headers[.retryAfter] == "1")
    }
}
