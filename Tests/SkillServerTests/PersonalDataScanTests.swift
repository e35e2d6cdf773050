import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SkillCore
import SkillLedger
import SkillTestSupport
@testable import SkillServer
import Synchronization
import Testing

/// Collects every log line (message and metadata) at every level.
struct CapturingLogHandler: LogHandler {
    static let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        Self.lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
    }
}

/// Builds a bank with known names and ID numbers, drives every flow that touches a person over
/// HTTP, and then looks for those values in clear in the database file, its WAL, every response
/// body (credentials, JWTs, bundles, statements, records, errors, the verification page) and
/// every log line. Positive controls prove the scan can see: the opt-in `with_name` export must
/// contain the name, and the encrypted column must be the only place the bank keeps it.
@Suite(.serialized) struct PersonalDataScanTests {
    static let people: [(name: String, type: String, number: String)] = [
        ("欧阳明华", "resident", residentID(517)),
        ("Zhang Weiqiang", "passport", "E77123456"),
        ("司马慧", "resident", residentID(628)),
    ]
    /// A malformed number (wrong check digit) that an error message must not echo either.
    static let badNumber: String = {
        let good = residentID(739)
        return String(good.dropLast()) + (good.last == "1" ? "2" : "1")
    }()

    /// The forms a value could take in clear: raw UTF-8 and JSON's \u escapes.
    static func needles(_ value: String) -> [[UInt8]] {
        let escaped = value.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
        return Set([value, escaped, escaped.uppercased().replacingOccurrences(of: "\\U", with: "\\u")]).map { Array($0.utf8) }
    }

    /// Contact channels workers leave in the talent pool: shared with an employer only when they accept.
    static let contacts = ["+86 13912345670", "+86 13912345671", "+86 13912345672"]

    static var secrets: [String] { people.flatMap { [$0.name, $0.number] } + [badNumber] + contacts }

    /// The secrets found in `bytes`.
    static func hits(_ bytes: [UInt8]) -> [String] {
        secrets.filter { secret in needles(secret).contains { needle in bytes.firstRange(of: needle) != nil } }
    }

    /// Responses anyone gets without a token (and the operator's metrics), but not a bundle a
    /// holder's name unlocked.
    static func isPublic(_ what: String) -> Bool {
        let publicRoutes = ["GET /v1/log/", "GET /v1/trust-list", "GET /v1/status-lists/", "GET /metrics", "POST /v1/verify", "POST /verify",
                            "GET /v1/certificates/lookup", "GET /v1/subsidies/programmes"]
        let wrongHolderBundle = what.hasPrefix("GET /v1/certificates/") && what.hasSuffix("/bundle → 404")
        return publicRoutes.contains { what.hasPrefix($0) } || wrongHolderBundle
    }

    @Test(arguments: StoreKind.all)
    func noPersonalDataInClearAnywhere(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        CapturingLogHandler.lines.withLock { $0.removeAll() }
        let logger = Logger(label: "scan") { _ in CapturingLogHandler() }
        let collected = Mutex<[(what: String, bytes: [UInt8])]>([])
        let optInBytes = Mutex<[UInt8]>([])
        try await f.application(logger: logger).test(.router) { client in
            let op = f.tokens["operator"]!
            @Sendable func pct(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, raw: String? = nil,
                      form: String? = nil) async throws -> TestResponse {
                var headers: HTTPFields = [:]
                if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
                let r = try await client.call(method, uri, token: token, json: json, raw: raw ?? form, headers: headers)
                collected.withLock { $0.append(("\(method) \(uri.split(separator: "?")[0]) → \(r.status.code)", Array(r.body.readableBytesView))) }
                return r
            }
            var ids: [String] = []
            for p in Self.people {
                let r = try await call(.post, "/v1/people", token: op, json: #"{"name":"\#(p.name)","id_type":"\#(p.type)","id_number":"\#(p.number)"}"#)
                #expect(r.status == .created)
                ids.append(try #require(r.json?["id"]?.stringValue))
            }
            // Errors about personal data: a duplicate, a bad check digit, a bad CSV row.
            #expect(try await call(.post, "/v1/people", token: op, json: #"{"name":"\#(Self.people[0].name)","id_type":"resident","id_number":"\#(Self.people[0].number)"}"#).status == .conflict)
            #expect(try await call(.post, "/v1/people", token: op, json: #"{"name":"某人","id_type":"resident","id_number":"\#(Self.badNumber)"}"#).status == .unprocessableContent)
            let csv = "name,id_type,id_number\n\(Self.people[2].name),resident,\(Self.badNumber)\n"
            #expect(try await call(.post, "/v1/imports/people", token: op, raw: csv).status.code >= 400)
            _ = try await call(.post, "/v1/imports/people?skip_bad=true", token: op, raw: csv)
            // Training, credits, an assessment and certificates for each.
            for id in ids {
                let e = try await call(.post, "/v1/enrolments", token: op, json: #"{"person":"\#(id)","course":"\#(f.course.id)"}"#)
                _ = try await call(.post, "/v1/enrolments/\(e.json!["id"]!.stringValue!)/close", token: op, json: #"{"outcome":"completed"}"#)
                _ = try await call(.post, "/v1/assessments/\(f.assessmentA5.id)/candidates", token: op, json: #"{"person":"\#(id)"}"#)
                let r = try await call(.post, "/v1/assessments/\(f.assessmentA5.id)/results", token: op, json: #"{"person":"\#(id)","theory":80,"practical":85}"#)
                #expect(r.status == .ok)
            }
            // Insurance months by ID number (a bad row refuses the file, then is skipped), for subsidies.
            let insurance = "id_type,id_number,months,as_of,benefit\n" + Self.people.map { "\($0.type),\($0.number),20,2026-11-30,no\n" }.joined()
                + "resident,\(Self.badNumber),20,2026-11-30,no\n"
            #expect(try await call(.post, "/v1/insurance/import", token: op, raw: insurance).status.code >= 400)
            #expect(try await call(.post, "/v1/insurance/import?skip_bad=true", token: op, raw: insurance).status == .ok)
            // Every reader of a person's data.
            var cids: [String] = []
            for (i, id) in ids.enumerated() {
                let (_, worker) = try f.ledger.tokens.create(role: .worker, person: id)
                _ = try await call(.get, "/v1/people/\(id)", token: op)
                _ = try await call(.get, "/v1/me/record", token: worker)
                let mine = try await call(.get, "/v1/me/certificates", token: worker)
                let certificate = try #require(mine.json?["items"]?.arrayValue?.first)
                let cid = certificate["id"]!.stringValue!
                cids.append(cid)
                let number = certificate["number"]!.stringValue!
                let vc = try await call(.get, "/v1/me/certificates/\(cid)", token: worker)
                _ = try await call(.get, "/v1/me/certificates/\(cid)?format=jwt", token: worker)
                _ = try await call(.get, "/v1/me/statement", token: worker)
                _ = try await call(.get, "/v1/me/pathway?occupation=6-31-01-03&level=4", token: worker)
                _ = try await call(.get, "/v1/me/conversions", token: worker)
                // What the holder chose to disclose: their bundle, by their own export and by number with their name.
                _ = try await call(.get, "/v1/me/certificates/\(cid)?format=bundle", token: worker)
                _ = try await call(.get, "/v1/certificates/\(number)/bundle?name=\(pct(Self.people[i].name))")
                _ = try await call(.get, "/v1/certificates/\(number)/bundle?name=\(pct(Self.people[(i + 1) % 3].name))")
                _ = try await call(.post, "/v1/verify", json: #"{"credential":\#(vc.text)}"#)
                _ = try await call(.get, "/v1/certificates/lookup?number=\(number)&name=\(pct(Self.people[i].name))")
                _ = try await call(.get, "/v1/certificates/lookup?number=\(number)&id_type=\(Self.people[i].type)&id_number=\(Self.people[i].number)")
                _ = try await call(.get, "/v1/certificates/lookup?number=\(number)&name=\(pct(Self.people[(i + 1) % 3].name))")
                _ = try await call(.get, "/v1/log/proof/inclusion?leaf=\(i)")
                _ = try await call(.post, "/verify", form: "number=\(number)&name=\(pct(Self.people[i].name))")
                _ = try await call(.post, "/verify", form: "credential=\(pct(vc.text))")
                // A subsidy claim, its approval and the worker's inbox.
                _ = try await call(.get, "/v1/me/subsidies", token: worker)
                let claim = try await call(.post, "/v1/me/subsidies/claims", token: worker, json: #"{"programme":"skill-upgrade","evidence":"\#(cid)"}"#)
                #expect(claim.status == .created)
                _ = try await call(.post, "/v1/subsidies/claims/\(claim.json?["id"]?.stringValue ?? "")/approve", token: op, json: "{}")
                _ = try await call(.get, "/v1/me/subsidies/claims", token: worker)
                _ = try await call(.get, "/v1/me/notices", token: worker)
                _ = try await call(.post, "/v1/certificates/\(cid)/suspend", token: op, json: "{}")
                // The worker's own opt-in: the name may appear here and only here.
                let named = try await client.call(.get, "/v1/me/certificates/\(cid)?with_name=true", token: worker)
                optInBytes.withLock { $0 += Array(named.body.readableBytesView) }
            }
            // Webhooks: a subscription whose outbox holds every payload (the receiver does not exist).
            #expect(try await call(.post, "/v1/webhooks", token: op,
                                   json: #"{"institution":"\#(f.evaluatorA.id)","url":"https://hooks.example/skillbank","event_types":["*"]}"#).status == .created)
            for cid in cids { _ = try await call(.post, "/v1/certificates/\(cid)/reinstate", token: op) }
            // The talent pool: each worker opts in with a contact channel; the employer searches,
            // asks, and receives the contact only from the worker who accepts.
            for (i, id) in ids.enumerated() {
                let (_, worker) = try f.ledger.tokens.create(role: .worker, person: id)
                _ = try await call(.post, "/v1/me/talent/consent", token: worker, json: #"{"district":"宝安区","contact":"\#(Self.contacts[i])"}"#)
                _ = try await call(.get, "/v1/me/talent", token: worker)
                _ = try await call(.get, "/v1/me/talent/vacancies", token: worker)
            }
            let employer = f.tokens["institutionB"]!
            _ = try await call(.post, "/v1/vacancies", token: employer, json: #"{"title":"电工","occupation":"6-31-01-03","min_level":5,"district":"宝安区","count":3}"#)
            let found = try await call(.post, "/v1/talent/search", token: employer, json: #"{"occupation":"6-31-01-03","min_level":5}"#)
            let handles = found.json?["items"]?.arrayValue?.compactMap { $0["candidate"]?.stringValue } ?? []
            #expect(handles.count == ids.count)
            for handle in handles { _ = try await call(.post, "/v1/talent/contacts", token: employer, json: #"{"candidate":"\#(handle)"}"#) }
            let (_, first) = try f.ledger.tokens.create(role: .worker, person: ids[0])
            let requests = try await call(.get, "/v1/me/talent/contacts", token: first)
            let request = try #require(requests.json?["items"]?.arrayValue?.first?["id"]?.stringValue)
            _ = try await call(.post, "/v1/me/talent/contacts/\(request)/accept", token: first, json: "{}")
            _ = try await call(.get, "/v1/me/disclosures", token: first)
            _ = try await call(.get, "/v1/me/notices", token: first)
            // What the worker chose to share: their contact, here and only here.
            let shared = try await client.call(.get, "/v1/talent/contacts/\(request)", token: employer)
            optInBytes.withLock { $0 += Array(shared.body.readableBytesView) }
            _ = try await call(.get, "/v1/talent/contacts", token: employer)
            // The worker's own pages, signed in with a link: none shows a name or number, except the
            // printed certificate the worker asks to carry their name.
            for (i, id) in ids.enumerated() {
                let (url, _) = try f.ledger.sessions.issueLink(person: id)
                let (session, signedIn) = try await WorkerPageTests.signIn(client, url)
                collected.withLock { $0.append(("POST /me/signin → \(signedIn.status.code)", Array(signedIn.body.readableBytesView))) }
                let s = try #require(session)
                for path in ["/me", "/me/certificates/\(cids[i])", "/me/certificates/\(cids[i])/download?format=vc", "/me/certificates/\(cids[i])/download?format=svg",
                             "/me/certificates/\(cids[i])/print", "/me/notices", "/me/subsidies", "/me/talent", "/me/pathway?occupation=6-31-01-03&level=4",
                             "/me/statement"] {
                    let r = try await WorkerPageTests.get(client, path, s)
                    #expect(r.status == .ok, "\(path)")
                    collected.withLock { $0.append(("GET \(path.split(separator: "?")[0]) → \(r.status.code)", Array(r.body.readableBytesView))) }
                }
                let named = try await WorkerPageTests.get(client, "/me/certificates/\(cids[i])/print?name=1", s)
                optInBytes.withLock { $0 += Array(named.body.readableBytesView) }
            }
            #expect(try await call(.post, "/v1/subsidies/batches", token: op, json: "{}").status == .created)
            _ = try await call(.get, "/v1/subsidies/claims", token: op)
            _ = try await call(.get, "/v1/subsidies/programmes")
            _ = try await call(.get, "/v1/trust-list")
            _ = try await call(.get, "/v1/status-lists/\(f.evaluatorA.id)/suspension")
            _ = try await call(.get, "/v1/log/entries?start=0&count=1000")
            _ = try await call(.get, "/v1/log/checkpoint")
            _ = try await call(.get, "/metrics", token: op)
        }

        let bodies = collected.withLock { $0 }
        let optIn = optInBytes.withLock { $0 }
        // Positive controls: the scanner sees a name where one is meant to be.
        #expect(Self.hits(optIn).contains(Self.people[0].name), "the opt-in export should carry the name; the scanner is blind")
        #expect(Self.hits(optIn).contains(Self.contacts[0]), "the accepted contact request should carry the contact; the scanner is blind")
        // Every response body.
        for body in bodies {
            #expect(Self.hits(body.bytes).isEmpty, "\(body.what) shows \(Self.hits(body.bytes).count) personal value(s) in clear")
        }
        // What anyone reads without a token, and the metrics, name no person: no `per_` id links
        // anything, except in a bundle the holder's name unlocked (their choice to disclose).
        for body in bodies where Self.isPublic(body.what) {
            // A whole id: `per_` alone turns up in random base64 (the log entries) now and then.
            #expect(!String(decoding: body.bytes, as: UTF8.self).contains(/per_[0-9A-HJKMNP-TV-Z]{26}/), "\(body.what) names a person id")
        }
        #expect(bodies.count > 60)
        // Every log line, at trace level.
        let lines = CapturingLogHandler.lines.withLock { $0 }
        #expect(lines.count >= bodies.count)
        for line in lines where !Self.hits(Array(line.utf8)).isEmpty {
            Issue.record("a log line shows personal data: \(line.prefix(120))")
        }
        // The database file and its WAL byte for byte, or a dump of the whole PostgreSQL
        // database with its bytea values decoded.
        for (what, bytes) in try store.rawContents(of: f.ledger.store) {
            #expect(bytes.count > 0, "\(what) is empty: the scan would see nothing")
            #expect(Self.hits(bytes).isEmpty, "\(what) holds \(Self.hits(bytes)) in clear")
        }
        // The events that the log hashes, as the log would publish them.
        for event in try f.ledger.log.events(limit: 100_000) {
            #expect(Self.hits(event.canonical).isEmpty, "event \(event.seq) \(event.type) shows personal data")
        }
    }
}
