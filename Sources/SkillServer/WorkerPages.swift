import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillLedger

/// The worker's own pages (个人培训电子档案 at `/me`): sign-in by a one-time link, a session in
/// an HTTP-only, SameSite=Strict cookie, a CSRF token in every form, no script, no framing,
/// nothing cached. A worker sees only their own records: another worker's certificate id reads
/// as not found.
enum WorkerPages {
    static let e = VerifyPage.escape
    static let sessionCookie = "sb_session"
    /// A sign-in's own double-submit token, so another site cannot sign a browser into someone's session.
    static let signInCookie = "sb_signin"

    /// The pages and forms, with what each is (for the OpenAPI document).
    static let pages: [(method: HTTPRequest.Method, path: String, summary: String)] = [
        (.get, "/me/signin", "A sign-in link's page (?code=): a button that signs in; following the link signs nobody in"),
        (.post, "/me/signin", "Sign in with a link's code (form: code, state): sets the session cookie"),
        (.post, "/me/signout", "Sign out (form: csrf)"),
        (.get, "/me", "The worker's record: certificates, credits by account, training (session cookie)"),
        (.get, "/me/certificates/{id}", "One of the worker's certificates, with downloads and the printable view"),
        (.get, "/me/certificates/{id}/download", "Download a certificate (?format=vc|jwt|ob-jwt|bundle|svg|png)"),
        (.get, "/me/certificates/{id}/print", "The printable certificate (?name=1 prints the worker's name)"),
        (.get, "/me/pathway", "What the worker holds toward a level and a professional title (?occupation=&level=)"),
        (.get, "/me/notices", "The worker's notices"),
        (.post, "/me/notices/read", "Mark every notice read (form: csrf)"),
        (.get, "/me/statement", "Download the signed learning-account statement"),
        (.get, "/me/subsidies", "What the worker could claim, and their claims"),
        (.post, "/me/subsidies/claims", "Claim a subsidy (form: csrf, programme, evidence)"),
        (.get, "/me/talent", "Talent-pool consent: what is shown, and who saw what (the disclosure log)"),
        (.post, "/me/talent", "Opt in or change what is shown, or opt out (form: csrf, action, district, areas, contact, certificates)"),
    ]

    static let paths: [(HTTPRequest.Method, String)] = pages.map { ($0.method, $0.path) }

    static func cookie(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if kv.count == 2, kv[0] == name { return kv[1] }
            }
        }
        return nil
    }

    static func secureFlag(_ bank: Bank) -> String { bank.baseURL.hasPrefix("https://") ? "; Secure" : "" }

    static func page(_ title: String, _ main: String, _ configuration: ServerConfiguration, status: HTTPResponse.Status = .ok, signedIn: WorkerSessions.Session? = nil)
        -> Response
    {
        var nav = "<p>\(e(configuration.registryName)) · <a href=\"/me\">我的档案 My record</a> · <a href=\"/me/notices\">消息 Notices</a> · <a href=\"/me/subsidies\">补贴 Subsidies</a> · <a href=\"/me/pathway\">晋级路径 Pathway</a> · <a href=\"/me/talent\">人才库 Talent pool</a></p>"
        if let s = signedIn {
            nav += """
                <form method="post" action="/me/signout"><input type="hidden" name="csrf" value="\(e(s.csrf))"><button type="submit">退出登录 · Sign out</button></form>
                """
        }
        let html = HTMLPage.document(title: title, registryName: configuration.registryName, main: main, header: nav)
        return Response(status: status, headers: headers(), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func headers() -> HTTPFields {
        [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
         .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
         HTTPField.Name("Referrer-Policy")!: "no-referrer", HTTPField.Name("X-Frame-Options")!: "DENY"]
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var h: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for c in cookies { h.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: .seeOther, headers: h)
    }

    static func signInFirst(_ configuration: ServerConfiguration) -> Response {
        page("请登录 · Please sign in", """
            <p class="verdict invalid" role="alert">请使用登录链接进入个人档案。 <span class="en">Open your record with the sign-in link you were given.</span></p>
            <p>登录链接由经办机构或培训机构为你生成，有效期很短，只能使用一次。 <span class="en">The registry office or your training institution makes the link for you; it works once, for a short time.</span></p>
            """, configuration, status: .unauthorized)
    }

    static func notFound(_ configuration: ServerConfiguration, _ session: WorkerSessions.Session) -> Response {
        page("未找到 · Not found", "<p class=\"verdict invalid\" role=\"alert\">你的档案中没有这一项。 <span class=\"en\">There is no such item in your record.</span></p>",
             configuration, status: .notFound, signedIn: session)
    }

    /// The session of the request, or nil.
    static func session(_ request: Request, _ bank: Bank) async -> WorkerSessions.Session? {
        guard let secret = cookie(request, sessionCookie), !secret.isEmpty else { return nil }
        return try? await Dispatcher.offload { () throws(SkillError) in try bank.sessions.session(secret) }
    }

    /// The form of a POST, or nil when it is not urlencoded or too big.
    static func form(_ request: Request, _ configuration: ServerConfiguration) async -> [String: String]? {
        guard (try? Dispatcher.requireMediaType(request, for: .form)) != nil,
            let raw = try? await Dispatcher.read(request, limit: 64 << 10, within: configuration.bodyTimeoutSeconds)
        else { return nil }
        return VerifyPage.parseForm(String(decoding: raw, as: UTF8.self))
    }

    static func routes(_ router: Router<AppRequestContext>, bank: Bank, configuration: ServerConfiguration) {
        talentRoutes(router, bank: bank, configuration: configuration)
        // The link's GET changes nothing (a mail scanner may follow it): it shows a button that posts the code.
        router.get("/me/signin") { request, _ in
            let code = request.uri.queryParameters["code"].map(String.init) ?? ""
            guard !code.isEmpty, code.count <= 100 else { return signInFirst(configuration) }
            let state = (try? WorkerSessions.secret()) ?? UUID().uuidString
            var response = page("登录 · Sign in", """
                <h1>登录个人档案 <span class="en">Sign in to your record</span></h1>
                <form method="post" action="/me/signin">
                <input type="hidden" name="code" value="\(e(code))"><input type="hidden" name="state" value="\(e(state))">
                <p>此链接只能使用一次。 <span class="en">This link works once.</span></p>
                <button type="submit">进入我的档案 · Open my record</button>
                </form>
                """, configuration)
            response.headers.append(HTTPField(name: .setCookie, value: "\(signInCookie)=\(state); Path=/me/signin; HttpOnly; SameSite=Strict; Max-Age=900\(secureFlag(bank))"))
            return response
        }
        router.post("/me/signin") { request, _ in
            guard let form = await form(request, configuration), let code = form["code"], let state = form["state"], !state.isEmpty,
                let expected = cookie(request, signInCookie), ConstantTime.equal(Array(state.utf8), Array(expected.utf8))
            else { return signInFirst(configuration) }
            let earlier = cookie(request, sessionCookie)
            do {
                let (secret, _) = try await Dispatcher.offload { () throws(SkillError) in try bank.sessions.redeem(code: code, replacing: earlier) }
                return redirect("/me", cookies: [
                    "\(sessionCookie)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(WorkerSessions.sessionHours * 3_600)\(secureFlag(bank))",
                    "\(signInCookie)=; Path=/me/signin; HttpOnly; SameSite=Strict; Max-Age=0\(secureFlag(bank))",
                ])
            } catch {
                return page("链接无效 · Link not valid", """
                    <p class="verdict invalid" role="alert">此登录链接已使用或已过期。 <span class="en">This sign-in link was used already or has expired: ask for a new one.</span></p>
                    """, configuration, status: .unauthorized)
            }
        }
        router.post("/me/signout") { request, _ in
            guard let s = await session(request, bank), let form = await form(request, configuration), csrfMatches(form, s) else { return signInFirst(configuration) }
            if let secret = cookie(request, sessionCookie) { _ = try? await Dispatcher.offload { () throws(SkillError) in try bank.sessions.signOut(secret) } }
            var response = page("已退出 · Signed out", "<p class=\"verdict valid\" role=\"status\">已退出登录。 <span class=\"en\">You are signed out.</span></p>", configuration)
            response.headers.append(HTTPField(name: .setCookie, value: "\(sessionCookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0\(secureFlag(bank))"))
            return response
        }
        router.get("/me") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let record = try? await Dispatcher.offload({ () throws(SkillError) in try bank.accounts.record(of: s.person) }),
                let unread = try? await Dispatcher.offload({ () throws(SkillError) in try bank.notices.notices(of: s.person, limit: 1).unread })
            else { return signInFirst(configuration) }
            return page("我的档案 · My record", recordHTML(record, unread: unread, standards: bank.standards), configuration, signedIn: s)
        }
        router.get("/me/certificates/{id}") { request, context in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            let id = context.parameters.get("id") ?? ""
            guard let c = try? await own(bank, s, id), let printable = try? await Dispatcher.offload({ () throws(SkillError) in try bank.certificates.printable(c.id, proof: nil) })
            else { return notFound(configuration, s) }
            return page("证书 \(c.number) · Certificate", certificateHTML(printable, standards: bank.standards), configuration, signedIn: s)
        }
        router.get("/me/certificates/{id}/download") { request, context in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let c = try? await own(bank, s, context.parameters.get("id") ?? "") else { return notFound(configuration, s) }
            let format = request.uri.queryParameters["format"].map(String.init) ?? "vc"
            let download: (bytes: [UInt8], type: String, name: String)
            do {
                switch format {
                case "svg", "png":
                    let bytes = try await Dispatcher.offload { () throws(SkillError) in try bank.certificates.baked(c.id, png: format == "png") }
                    download = (bytes, format == "svg" ? "image/svg+xml" : "image/png", "\(c.number).\(format)")
                default:
                    guard let kind = Certificates.ExportFormat(rawValue: format) else { return notFound(configuration, s) }
                    let text = try await Dispatcher.offload { () throws(SkillError) in try bank.certificates.export(c.id, format: kind) }
                    download = (Array(text.utf8), kind == .jwt || kind == .obJWT ? "application/jwt" : "application/json",
                                "\(c.number)\(kind == .bundle ? ".bundle" : "").\(kind == .jwt || kind == .obJWT ? "jwt" : "json")")
                }
            } catch {
                return notFound(configuration, s)
            }
            var h = headers()
            h[.contentType] = download.type
            h[.contentDisposition] = "attachment; filename=\"\(download.name)\""
            return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: download.bytes)))
        }
        router.get("/me/certificates/{id}/print") { request, context in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let c = try? await own(bank, s, context.parameters.get("id") ?? "") else { return notFound(configuration, s) }
            let withName = request.uri.queryParameters["name"] == "1"
            guard let printable = try? await Dispatcher.offload({ () throws(SkillError) in try bank.certificates.printable(c.id, proof: nil, withName: withName) })
            else { return notFound(configuration, s) }
            var response = CertificatePrint.response(CertificatePrint.render(printable, standards: bank.standards, registryName: configuration.registryName))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get("/me/pathway") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            let q = request.uri.queryParameters
            var html = """
                <h1>晋级路径 <span class="en">Pathway to the next level</span></h1>
                <form method="get" action="/me/pathway"><fieldset><legend>目标 · Target</legend>
                <label for="occupation">职业代码 · Occupation code</label><input type="text" id="occupation" name="occupation" value="\(e(q["occupation"].map(String.init) ?? "6-31-01-03"))">
                <label for="level">等级（五级代码）· Level (five-level code, 1–5)</label><input type="text" id="level" name="level" inputmode="numeric" value="\(e(q["level"].map(String.init) ?? "3"))">
                <button type="submit">查看 · Show</button></fieldset></form>
                """
            if let occupation = q["occupation"].map(String.init), let level = q["level"].flatMap({ Int(String($0)) }) {
                do {
                    let (outcomes, _) = try await Dispatcher.offload { () throws(SkillError) in try bank.conversions.pathway(person: s.person, occupation: occupation, level: level) }
                    let titles = try await Dispatcher.offload { () throws(SkillError) in try bank.conversions.preview(person: s.person).filter { $0.rule.family == .titleEligibility } }
                    html += "<section aria-live=\"polite\"><h2>申报条件 <span class=\"en\">To sit the assessment</span></h2>" + outcomesHTML(outcomes)
                        + "<h2>职称贯通 <span class=\"en\">Professional titles</span></h2>" + outcomesHTML(titles) + "</section>"
                } catch let error as SkillError {
                    html += "<p class=\"verdict invalid\" role=\"alert\">\(e(error.message))</p>"
                } catch {}
            }
            return page("晋级路径 · Pathway", html, configuration, signedIn: s)
        }
        router.get("/me/notices") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let (shown, unread) = try? await Dispatcher.offload({ () throws(SkillError) in try bank.notices.notices(of: s.person, limit: 100) }) else {
                return signInFirst(configuration)
            }
            let items = shown.map { n in
                "<li class=\"\(n.notice.readAt == nil ? "unread" : "")\"><p>\(n.notice.readAt == nil ? "<strong>新 New</strong> " : "")\(HTMLPage.time(n.notice.createdAt))</p><p>\(e(n.zh))</p><p class=\"en\">\(e(n.en))</p></li>"
            }.joined()
            return page("消息 · Notices", """
                <h1>消息 <span class="en">Notices</span></h1><p>\(unread) 条未读 <span class="en">unread</span></p>
                <form method="post" action="/me/notices/read"><input type="hidden" name="csrf" value="\(e(s.csrf))"><button type="submit">全部标为已读 · Mark all read</button></form>
                <ul>\(items.isEmpty ? "<li>暂无消息 <span class=\"en\">No notices yet</span></li>" : items)</ul>
                """, configuration, signedIn: s)
        }
        router.post("/me/notices/read") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let form = await form(request, configuration), csrfMatches(form, s) else { return forbidden(configuration, s) }
            _ = try? await Dispatcher.offload { () throws(SkillError) in try bank.notices.markRead(person: s.person, actor: Actor("worker")) }
            return redirect("/me/notices")
        }
        router.get("/me/statement") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let statement = try? await Dispatcher.offload({ () throws(SkillError) in try bank.accounts.statement(of: s.person).prettyString() }) else {
                return notFound(configuration, s)
            }
            var h = headers()
            h[.contentType] = "application/json"
            h[.contentDisposition] = "attachment; filename=\"learning-account-statement.json\""
            return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: statement)))
        }
        router.get("/me/subsidies") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            let options = (try? await Dispatcher.offload { () throws(SkillError) in try bank.subsidies.options(person: s.person) }) ?? []
            let claims = (try? await Dispatcher.offload { () throws(SkillError) in try bank.subsidies.claims(of: s.person) }) ?? []
            let workerPaid = Set(bank.standards.subsidies.filter { $0.payee == .worker }.map(\.id))
            let optionRows = options.filter { workerPaid.contains($0.programme) }.map { d in
                let action = d.applies ? """
                    <form method="post" action="/me/subsidies/claims"><input type="hidden" name="csrf" value="\(e(s.csrf))"><input type="hidden" name="programme" value="\(e(d.programme))"><input type="hidden" name="evidence" value="\(e(d.evidence))"><button type="submit">申请 · Claim</button></form>
                    """ : "不符合 not eligible: " + e(d.refusedBy?.says ?? "")
                return "<tr><td>\(e(d.programme))</td><td>\(e(d.evidence))</td><td>\(d.amountFen.map { SubsidyClaim.yuan($0) } ?? "—")</td><td class=\"\(d.applies ? "ok" : "fail")\">\(action)</td></tr>"
            }.joined()
            let claimRows = claims.map { c in "<tr><td>\(e(c.id))</td><td>\(e(c.programme))</td><td>\(SubsidyClaim.yuan(c.amountFen))</td><td>\(e(c.status.rawValue))</td></tr>" }.joined()
            return page("补贴 · Subsidies", """
                <h1>补贴 <span class="en">Subsidies</span></h1>
                <h2>可申请的补贴 <span class="en">What you could claim</span></h2>
                <table><thead><tr><th scope="col">项目 Programme</th><th scope="col">凭证 Evidence</th><th scope="col">金额（元） Yuan</th><th scope="col">结果 Decision</th></tr></thead><tbody>\(optionRows)</tbody></table>
                <h2>我的申请 <span class="en">Your claims</span></h2>
                <table><thead><tr><th scope="col">申请 Claim</th><th scope="col">项目 Programme</th><th scope="col">金额（元） Yuan</th><th scope="col">状态 Status</th></tr></thead><tbody>\(claimRows)</tbody></table>
                """, configuration, signedIn: s)
        }
    }

    static func talentRoutes(_ router: Router<AppRequestContext>, bank: Bank, configuration: ServerConfiguration) {
        router.post("/me/subsidies/claims") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let form = await form(request, configuration), csrfMatches(form, s) else { return forbidden(configuration, s) }
            let programme = form["programme"] ?? "", evidence = form["evidence"] ?? ""
            guard bank.standards.subsidies.first(where: { $0.id == programme })?.payee == .worker,
                (try? await own(bank, s, evidence)) != nil
            else { return forbidden(configuration, s) }
            do {
                _ = try await Dispatcher.offload { () throws(SkillError) in try bank.subsidies.apply(person: s.person, programme: programme, evidence: evidence, actor: Actor("worker")) }
                return redirect("/me/subsidies")
            } catch let error as SkillError {
                return page("补贴 · Subsidies", "<p class=\"verdict invalid\" role=\"alert\">\(e(error.message))</p><p><a href=\"/me/subsidies\">返回 · Back</a></p>",
                            configuration, status: .conflict, signedIn: s)
            } catch {
                return forbidden(configuration, s)
            }
        }
        router.get("/me/talent") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            let profile: TalentProfile? = (try? await Dispatcher.offload { () throws(SkillError) in try bank.talent.profile(of: s.person) }) ?? nil
            let held = ((try? await Dispatcher.offload { () throws(SkillError) in try bank.certificates.certificates(of: s.person) }) ?? []).filter { $0.status == .active }
            let log = (try? await Dispatcher.offload { () throws(SkillError) in try bank.talent.disclosures(of: s.person) }) ?? []
            let active = profile?.isActive == true
            let boxes = held.enumerated().map { i, c in
                let checked = !active || profile?.certificates.contains(c.id) == true
                return "<p><input type=\"checkbox\" id=\"cert-\(i)\" name=\"certificates\" value=\"\(e(c.id))\"\(checked ? " checked" : "")> <label for=\"cert-\(i)\" style=\"display:inline\">\(e(c.number)) · \(e(bank.standards.catalogue.occupation(c.occupation)?.name ?? c.occupation))</label></p>"
            }.joined()
            let rows = log.map { d, name in "<tr><td>\(HTMLPage.time(d.at))</td><td>\(e(name))</td><td>\(e(d.kind.rawValue))</td></tr>" }.joined()
            return page("人才库 · Talent pool", """
                <h1>人才库 <span class="en">Talent pool</span></h1>
                <p class="verdict \(active ? "valid" : "invalid")" role="status">\(active ? "你在人才库中，用人单位可以找到你。 You are in the pool: employers can find you." : "你不在人才库中，用人单位找不到你。 You are not in the pool: no employer can find you.")</p>
                <form method="post" action="/me/talent"><input type="hidden" name="csrf" value="\(e(s.csrf))"><input type="hidden" name="action" value="consent">
                <fieldset><legend>展示哪些内容 · What employers may see</legend>
                \(boxes.isEmpty ? "<p>没有有效证书。 No active certificate.</p>" : boxes)
                <label for="district">居住区 · District you live in</label><input type="text" id="district" name="district" value="\(e(profile?.district ?? ""))">
                <label for="areas">愿意工作的区（逗号分隔）· Districts you would work in (comma-separated)</label><input type="text" id="areas" name="areas" value="\(e(profile?.areas.joined(separator: ",") ?? ""))">
                <label for="contact">联系方式（仅在你接受联系请求后提供）· Contact, shared only when you accept a request</label><input type="text" id="contact" name="contact" autocomplete="off">
                <button type="submit">\(active ? "更新 · Update" : "加入人才库 · Join the pool")</button></fieldset></form>
                \(active ? "<form method=\"post\" action=\"/me/talent\"><input type=\"hidden\" name=\"csrf\" value=\"\(e(s.csrf))\"><input type=\"hidden\" name=\"action\" value=\"opt-out\"><button type=\"submit\">立即退出人才库 · Leave the pool now</button></form>" : "")
                <h2>谁看过你的信息 <span class="en">Who saw what of you</span></h2>
                <table><thead><tr><th scope="col">时间 When</th><th scope="col">单位 Employer</th><th scope="col">内容 What</th></tr></thead><tbody>\(rows.isEmpty ? "<tr><td colspan=\"3\">暂无 nothing yet</td></tr>" : rows)</tbody></table>
                """, configuration, signedIn: s)
        }
        router.post("/me/talent") { request, _ in
            guard let s = await session(request, bank) else { return signInFirst(configuration) }
            guard let raw = try? await Dispatcher.read(request, limit: 64 << 10, within: configuration.bodyTimeoutSeconds),
                (try? Dispatcher.requireMediaType(request, for: .form)) != nil
            else { return forbidden(configuration, s) }
            let body = String(decoding: raw, as: UTF8.self)
            let form = VerifyPage.parseForm(body)
            guard csrfMatches(form, s) else { return forbidden(configuration, s) }
            // Checkboxes repeat their name: every value counts.
            let certificates = body.split(separator: "&").compactMap { pair -> String? in
                let kv = pair.split(separator: "=", maxSplits: 1)
                return kv.count == 2 && kv[0] == "certificates" ? String(kv[1]).removingPercentEncoding : nil
            }
            do {
                if form["action"] == "opt-out" {
                    _ = try await Dispatcher.offload { () throws(SkillError) in try bank.talent.optOut(person: s.person, actor: Actor("worker")) }
                } else {
                    let choices = TalentPool.Choices(certificates: certificates, district: form["district"],
                                                     areas: (form["areas"] ?? "").split(whereSeparator: { $0 == "," || $0 == "，" }).map { $0.trimmingSpaces },
                                                     contact: (form["contact"] ?? "").trimmingSpaces.isEmpty ? nil : form["contact"], sharesBundles: true)
                    _ = try await Dispatcher.offload { () throws(SkillError) in try bank.talent.optIn(person: s.person, choices, actor: Actor("worker")) }
                }
                return redirect("/me/talent")
            } catch let error as SkillError {
                return page("人才库 · Talent pool", "<p class=\"verdict invalid\" role=\"alert\">\(e(error.message))</p><p><a href=\"/me/talent\">返回 · Back</a></p>",
                            configuration, status: .unprocessableContent, signedIn: s)
            } catch {
                return forbidden(configuration, s)
            }
        }
    }

    static func csrfMatches(_ form: [String: String], _ s: WorkerSessions.Session) -> Bool {
        guard let sent = form["csrf"] else { return false }
        return ConstantTime.equal(Array(sent.utf8), Array(s.csrf.utf8))
    }

    static func forbidden(_ configuration: ServerConfiguration, _ s: WorkerSessions.Session) -> Response {
        page("请求无效 · Not accepted", "<p class=\"verdict invalid\" role=\"alert\">此表单已失效，请返回重试。 <span class=\"en\">This form is no longer valid; go back and try again.</span></p>",
             configuration, status: .forbidden, signedIn: s)
    }

    /// One of the signed-in worker's certificates, by id or number; another's reads as none.
    static func own(_ bank: Bank, _ s: WorkerSessions.Session, _ id: String) async throws -> CertificateSummary {
        try await Dispatcher.offload { () throws(SkillError) in
            guard let c = try bank.certificates.certificates(of: s.person).first(where: { $0.id == id || $0.number == id }) else {
                throw SkillError(.certificateNotFound, "not one of this worker's certificates")
            }
            return c
        }
    }

    static let statusNames: [CertificateStatus: String] = [.active: "有效 active", .revoked: "已撤销 revoked", .suspended: "已暂停 suspended"]

    static func recordHTML(_ r: WorkerRecord, unread: Int, standards: Standards) -> String {
        let certificates = r.certificates.map { c in
            let level = c.level.flatMap { standards.level(code: $0) }
            return "<tr><td><a href=\"/me/certificates/\(e(c.id))\">\(e(c.number))</a></td><td>\(e(standards.catalogue.occupation(c.occupation)?.name ?? c.occupation)) <span class=\"en\">\(e(c.occupation))</span></td><td>\(e(level?.display ?? "—"))</td><td>\(HTMLPage.time(c.issuedAt))</td><td class=\"\(c.status == .active ? "ok" : "fail")\">\(e(statusNames[c.status] ?? c.status.rawValue))</td></tr>"
        }.joined()
        let balances = r.balances.map { b in
            "<tr><td>\(e(b.account.kind))</td><td>\(e(b.account.occupation))</td><td>\(b.account.level)</td><td>\(Credits.format(b.tenths))</td></tr>"
        }.joined()
        let training = r.training.map { t in
            "<tr><td>\(e(t.course.title))</td><td>\(e(t.institutionName))</td><td>\(t.course.hours)</td><td>\(e(t.enrolment.status.rawValue))</td><td>\(Credits.format(t.creditedTenths))</td></tr>"
        }.joined()
        return """
            <h1>我的个人培训电子档案 <span class="en">My training record</span></h1>
            <p>\(e(r.person.maskedName)) · \(unread > 0 ? "<a href=\"/me/notices\">\(unread) 条新消息 new notices</a>" : "没有新消息 no new notices") · <a href="/me/statement">下载学习账户对账单 Download the signed statement</a></p>
            <h2>证书 <span class="en">Certificates</span></h2>
            <table><thead><tr><th scope="col">编号 Number</th><th scope="col">职业 Occupation</th><th scope="col">等级 Level</th><th scope="col">发证 Issued</th><th scope="col">状态 Status</th></tr></thead><tbody>\(certificates.isEmpty ? "<tr><td colspan=\"5\">暂无 none yet</td></tr>" : certificates)</tbody></table>
            <h2>学分账户 <span class="en">Credits by account</span></h2>
            <table><thead><tr><th scope="col">账户 Account</th><th scope="col">职业 Occupation</th><th scope="col">等级 Level</th><th scope="col">学分 Credits</th></tr></thead><tbody>\(balances.isEmpty ? "<tr><td colspan=\"4\">暂无 none yet</td></tr>" : balances)</tbody></table>
            <h2>培训 <span class="en">Training</span></h2>
            <table><thead><tr><th scope="col">课程 Course</th><th scope="col">机构 Institution</th><th scope="col">学时 Hours</th><th scope="col">状态 Status</th><th scope="col">学分 Credits</th></tr></thead><tbody>\(training.isEmpty ? "<tr><td colspan=\"5\">暂无 none yet</td></tr>" : training)</tbody></table>
            """
    }

    static func certificateHTML(_ p: Certificates.Printable, standards: Standards) -> String {
        let c = p.summary
        let level = c.level.flatMap { standards.level(code: $0) }
        let base = "/me/certificates/\(e(c.id))"
        return """
            <h1>证书 <span class="en">Certificate</span> \(e(c.number))</h1>
            <p class="verdict \(c.status == .active ? "valid" : "invalid")" role="status">\(e(statusNames[c.status] ?? c.status.rawValue))</p>
            <table><tbody>
            <tr><th scope="row">职业 <span class="en">Occupation</span></th><td>\(e(standards.catalogue.occupation(c.occupation)?.name ?? c.occupation)) · \(e(c.occupation))</td></tr>
            <tr><th scope="row">等级 <span class="en">Level</span></th><td>\(e(level?.display ?? "—")) <span class="en">\(e(level?.en ?? ""))</span></td></tr>
            <tr><th scope="row">发证机构 <span class="en">Issuer</span></th><td>\(e(p.issuerName))</td></tr>
            <tr><th scope="row">发证日期 <span class="en">Issued</span></th><td>\(HTMLPage.time(c.issuedAt))</td></tr>
            </tbody></table>
            <h2>下载与打印 <span class="en">Download and print</span></h2>
            <ul>
            <li><a href="\(base)/download?format=vc" download>可验证凭证 JSON · Verifiable credential (JSON)</a></li>
            <li><a href="\(base)/download?format=ob-jwt" download>Open Badges JWT</a></li>
            <li><a href="\(base)/download?format=bundle" download>离线核验包 · Bundle for offline checks</a></li>
            <li><a href="\(base)/download?format=svg" download>徽章图片（内嵌证书）· Badge image with the certificate baked in (SVG)</a></li>
            <li><a href="\(base)/print">打印版（不含姓名）· Printable certificate (without your name)</a> · <a href="\(base)/print?name=1">含姓名 · with your name</a></li>
            </ul>
            """
    }

    static func outcomesHTML(_ outcomes: [RuleOutcome]) -> String {
        if outcomes.isEmpty { return "<p>没有适用的规则。 <span class=\"en\">No rule applies to this target.</span></p>" }
        return "<ul>" + outcomes.map { o in
            "<li><p class=\"\(o.applies ? "ok" : "fail")\">\(o.applies ? "✓ 符合 meets" : "✗ 尚不符合 not yet") \(e(o.rule.name))</p>"
                + (o.because.isEmpty ? "" : "<p>依据 <span class=\"en\">because</span>: \(o.because.map(e).joined(separator: "; "))</p>")
                + (o.missing.isEmpty ? "" : "<p>还需要 <span class=\"en\">still missing</span>: \(o.missing.map(e).joined(separator: "; "))</p>") + "</li>"
        }.joined() + "</ul>"
    }
}
