import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SkillCore
import SkillLedger
@testable import SkillServer
import SkillTestSupport
import Testing

/// The worker's pages: a one-time link, a session cookie, CSRF on every form; and every way in
/// that should fail does.
@Suite struct WorkerPageTests {
    /// The `name=value` of a Set-Cookie header for `name`.
    static func setCookie(_ response: TestResponse, _ name: String) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    static func value(_ setCookie: String?) -> String? {
        setCookie.flatMap { $0.split(separator: ";").first.map { String($0.split(separator: "=", maxSplits: 1).last ?? "") } }
    }

    static func field(_ html: String, _ name: String) -> String? {
        guard let marker = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[marker.upperBound...].prefix { $0 != "\"" })
    }

    /// Follows a sign-in link as a browser does: GET shows the button, POST with the state cookie signs in.
    static func signIn(_ client: some TestClientProtocol, _ url: String, session earlier: String? = nil) async throws -> (session: String?, response: TestResponse) {
        let path = String(url[url.range(of: "/me/signin")!.lowerBound...])
        let page = try await client.execute(uri: path, method: .get, headers: [:], body: nil)
        let state = try #require(value(setCookie(page, "sb_signin")))
        let code = try #require(field(page.text, "code"))
        var cookie = "sb_signin=\(state)"
        if let earlier { cookie += "; sb_session=\(earlier)" }
        let form = "code=\(code)&state=\(state)"
        let response = try await client.execute(uri: "/me/signin", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], body: ByteBuffer(string: form))
        return (value(setCookie(response, "sb_session")).flatMap { $0.isEmpty ? nil : $0 }, response)
    }

    static func get(_ client: some TestClientProtocol, _ path: String, _ session: String?) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: session.map { [.cookie: "sb_session=\($0)"] } ?? [:], body: nil)
    }

    @Test(arguments: StoreKind.all)
    func aWorkerSignsInSeesOnlyTheirOwnRecordAndSignsOut(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        let (url, _) = try f.ledger.sessions.issueLink(person: f.worker1.id)
        #expect(url.hasPrefix(f.ledger.baseURL + "/me/signin?code=") && !url.contains(f.worker1.id))
        try await f.application().test(.router) { client in
            // Without a session: the way in, and nothing else.
            #expect(try await Self.get(client, "/me", nil).status == .unauthorized)
            // The link's GET signs nobody in (a mail scanner may follow it).
            let (session, signedIn) = try await Self.signIn(client, url)
            let cookie = try #require(Self.setCookie(signedIn, "sb_session"))
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/me")
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            let me = try await Self.get(client, "/me", session)
            #expect(me.status == .ok && me.text.contains(f.certificate.number) && me.text.contains("李*") && !me.text.contains("李明"))
            #expect(!me.text.contains(f.certificateB.number))
            #expect(me.headers[.cacheControl] == "no-store" && me.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(me.headers[.contentSecurityPolicy]?.contains("script-src") == false && !me.text.contains("<script"))
            // Dates as the worker reads them.
            let day = LocalTime().day(CalendarDate(Timestamp.parse(f.certificate.issuedAt)!))
            #expect(me.text.contains(day.zh))
            // One certificate, its downloads and its printable view.
            let page = try await Self.get(client, "/me/certificates/\(f.certificate.id)", session)
            #expect(page.status == .ok && page.text.contains("download?format=vc"))
            let vc = try await Self.get(client, "/me/certificates/\(f.certificate.id)/download?format=vc", session)
            #expect(vc.headers[.contentDisposition]?.contains("attachment") == true && vc.text.contains("OpenBadgeCredential"))
            let svg = try await Self.get(client, "/me/certificates/\(f.certificate.id)/download?format=svg", session)
            #expect(svg.headers[.contentType] == "image/svg+xml" && svg.text.contains("openbadges:credential"))
            #expect(try await Self.get(client, "/me/certificates/\(f.certificate.id)/print", session).text.contains("size:A4"))
            #expect(try await Self.get(client, "/me/certificates/\(f.certificate.id)/print?name=1", session).text.contains("李明"))
            #expect(try await Self.get(client, "/me/statement", session).text.contains("VerifiableCredential"))
            // Another worker's certificate id in the URL: not found, nothing of it shown.
            for path in ["/me/certificates/\(f.certificateB.id)", "/me/certificates/\(f.certificateB.id)/download?format=vc",
                         "/me/certificates/\(f.certificateB.number)/print"] {
                let other = try await Self.get(client, path, session)
                #expect(other.status == .notFound && !other.text.contains(f.certificateB.number), "\(path)")
            }
            // Forms carry the session's CSRF token; without it (or with another) nothing happens.
            let notices = try await Self.get(client, "/me/notices", session)
            let csrf = try #require(Self.field(notices.text, "csrf"))
            let unreadBefore = try f.ledger.notices.notices(of: f.worker1.id).unread
            #expect(unreadBefore > 0)
            for forged in ["", "csrf=wrong"] {
                let refused = try await client.execute(uri: "/me/notices/read", method: .post,
                                                       headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "sb_session=\(session!)"],
                                                       body: ByteBuffer(string: forged))
                #expect(refused.status == .forbidden)
            }
            #expect(try f.ledger.notices.notices(of: f.worker1.id).unread == unreadBefore)
            let read = try await client.execute(uri: "/me/notices/read", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "sb_session=\(session!)"],
                                                body: ByteBuffer(string: "csrf=\(csrf)"))
            let unreadAfter = try f.ledger.notices.notices(of: f.worker1.id).unread
            #expect(read.status == .seeOther && unreadAfter == 0)
            // Sign out needs the token too, and ends the session.
            let out = try await client.execute(uri: "/me/signout", method: .post,
                                               headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "sb_session=\(session!)"],
                                               body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(out.status == .ok && Self.setCookie(out, "sb_session")?.contains("Max-Age=0") == true)
            #expect(try await Self.get(client, "/me", session).status == .unauthorized)
        }
    }

    @Test func usedExpiredAndForgedLinksAndFixationAreRefused() async throws {
        let clock = MutableClock()
        let f = try ServerFixture()
        let bank = try Bank.open(f.ledger.store, configuration: Bank.Configuration(besideDatabase: f.folder.appendingPathComponent("bank").path,
                                                                                     standardsDirectory: standardsFolder), clock: clock.now).bank
        try await f.application(bank: bank).test(.router) { client in
            // Used once: the second time it is refused.
            let (url, _) = try bank.sessions.issueLink(person: f.worker1.id)
            let first = try await Self.signIn(client, url)
            #expect(first.session != nil)
            let again = try await Self.signIn(client, url)
            #expect(again.session == nil && again.response.status == .unauthorized && again.response.text.contains("used already or has expired"))
            // Expired: refused.
            let (late, _) = try bank.sessions.issueLink(person: f.worker1.id, minutes: 1)
            clock.advance(seconds: 61)
            #expect(try await Self.signIn(client, late).session == nil)
            // A made-up code: refused the same way.
            #expect(try await Self.signIn(client, "/me/signin?code=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").session == nil)
            // Without the state cookie the page set (another site posting the form): refused.
            let (fresh, _) = try bank.sessions.issueLink(person: f.worker1.id)
            let code = String(fresh.split(separator: "=").last!)
            let crossSite = try await client.execute(uri: "/me/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                     body: ByteBuffer(string: "code=\(code)&state=x"))
            #expect(crossSite.status == .unauthorized && Self.setCookie(crossSite, "sb_session") == nil)
            // Session fixation: a session id the browser held before signing in is ended, and a new one is issued.
            let planted = try #require(first.session)
            let (second, _) = try bank.sessions.issueLink(person: f.worker1.id)
            let fixed = try await Self.signIn(client, second, session: planted)
            #expect(fixed.session != nil && fixed.session != planted)
            #expect(try await Self.get(client, "/me", planted).status == .unauthorized)
            #expect(try await Self.get(client, "/me", fixed.session).status == .ok)
            // A session expires.
            clock.advance(seconds: Double(WorkerSessions.sessionHours) * 3_600 + 1)
            #expect(try await Self.get(client, "/me", fixed.session).status == .unauthorized)
        }
    }
}

extension WorkerPageTests {
    /// Every page and form × no session, the owner, another worker: the way in, the page, and
    /// nothing of the other's (the pages' authorization matrix).
    @Test func everyPageEveryWorker() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let mine = try #require(try await Self.signIn(client, try f.ledger.sessions.issueLink(person: f.worker1.id).url).session)
            let theirs = try #require(try await Self.signIn(client, try f.ledger.sessions.issueLink(person: f.worker2.id).url).session)
            var checked = 0
            for p in WorkerPages.pages where p.path != "/me/signin" {
                let path = p.path.replacingOccurrences(of: "{id}", with: f.certificate.id)
                let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                // No session: asked to sign in, nothing done.
                let anonymous = try await client.execute(uri: path, method: p.method, headers: form, body: ByteBuffer(string: "csrf=x"))
                #expect(anonymous.status == .unauthorized, "\(p.method) \(p.path) without a session → \(anonymous.status)")
                if p.method == .post {
                    // A session but no CSRF token: refused (sign-out included).
                    var h = form
                    h[.cookie] = "sb_session=\(mine)"
                    let forged = try await client.execute(uri: path, method: .post, headers: h, body: ByteBuffer(string: "action=opt-out"))
                    #expect(forged.status == .forbidden || (p.path == "/me/signout" && forged.status == .unauthorized), "\(p.path) without CSRF → \(forged.status)")
                } else {
                    #expect(try await Self.get(client, path, mine).status == .ok, "\(p.path) for its owner")
                    if p.path.contains("{id}") {
                        let other = try await Self.get(client, path, theirs)
                        #expect(other.status == .notFound && !other.text.contains(f.certificate.number), "\(p.path) for another worker")
                    }
                }
                checked += 1
            }
            #expect(checked == WorkerPages.pages.count - 2)  // all but the sign-in page and form
        }
    }

    @Test func aWorkerClaimsASubsidyAndGivesAndWithdrawsConsentFromTheirPages() async throws {
        let f = try ServerFixture()
        let insurance = f.folder.appendingPathComponent("insurance.csv")
        try "id_type,id_number,months,as_of,benefit\nresident,\(residentID(1)),20,2026-11-30,no\n".write(to: insurance, atomically: true, encoding: .utf8)
        _ = try f.ledger.subsidies.importInsurance(from: insurance)
        try await f.application().test(.router) { client in
            let session = try #require(try await Self.signIn(client, try f.ledger.sessions.issueLink(person: f.worker1.id).url).session)
            let subsidies = try await Self.get(client, "/me/subsidies", session)
            let csrf = try #require(Self.field(subsidies.text, "csrf"))
            #expect(subsidies.text.contains("申请 · Claim"))
            let h: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "sb_session=\(session)"]
            let claimed = try await client.execute(uri: "/me/subsidies/claims", method: .post, headers: h,
                                                   body: ByteBuffer(string: "csrf=\(csrf)&programme=skill-upgrade&evidence=\(f.certificate.id)"))
            let claims = try f.ledger.subsidies.claims(of: f.worker1.id)
            #expect(claimed.status == .seeOther && claims.count == 1)
            // Twice: the rule that refuses it, on the page.
            let twice = try await client.execute(uri: "/me/subsidies/claims", method: .post, headers: h,
                                                 body: ByteBuffer(string: "csrf=\(csrf)&programme=skill-upgrade&evidence=\(f.certificate.id)"))
            #expect(twice.status == .conflict && twice.text.contains("already claimed"))
            // Another worker's certificate as evidence: refused before any rule.
            let foreign = try await client.execute(uri: "/me/subsidies/claims", method: .post, headers: h,
                                                   body: ByteBuffer(string: "csrf=\(csrf)&programme=skill-upgrade&evidence=\(f.certificateB.id)"))
            #expect(foreign.status == .forbidden)
            // Consent: in, with a certificate shown, then out at once.
            #expect(try await Self.get(client, "/me/talent", session).text.contains("You are not in the pool"))
            let joined = try await client.execute(uri: "/me/talent", method: .post, headers: h,
                                                  body: ByteBuffer(string: "csrf=\(csrf)&action=consent&certificates=\(f.certificate.id)&district=%E5%AE%9D%E5%AE%89%E5%8C%BA&areas=&contact="))
            #expect(joined.status == .seeOther)
            let profile = try #require(try f.ledger.talent.profile(of: f.worker1.id))
            #expect(profile.isActive && profile.certificates == [f.certificate.id] && profile.district == "宝安区")
            #expect(try await Self.get(client, "/me/talent", session).text.contains("You are in the pool"))
            _ = try await client.execute(uri: "/me/talent", method: .post, headers: h, body: ByteBuffer(string: "csrf=\(csrf)&action=opt-out"))
            #expect(try f.ledger.talent.profile(of: f.worker1.id)?.isActive == false)
        }
    }
}
