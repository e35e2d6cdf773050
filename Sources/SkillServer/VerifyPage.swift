import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SkillCore
import SkillCredentials
import SkillLedger

/// The employer's verification page: server-rendered HTML, no external assets, no script (a file
/// or a baked badge image is uploaded with an ordinary multipart form), in Chinese and English,
/// printable, never framed.
enum VerifyPage {
    /// What the page shows below the forms.
    enum Result {
        case report(VerificationReport)
        case lookup(JSONValue)
        case problem(String)
    }

    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8",
                                           .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func handle(_ request: Request, _ context: AppRequestContext, bank: Bank, configuration: ServerConfiguration, limiter: RateLimiter) async -> Response {
        if let wait = limiter.take(context.clientAddress) {
            var refused = response(render(configuration: configuration, result: .problem("请求过于频繁，请稍后再试。 Too many requests; please try again shortly.")),
                                   status: .tooManyRequests)
            refused.headers[.retryAfter] = String(wait)
            return refused
        }
        // The forms post application/x-www-form-urlencoded, or multipart/form-data for a file;
        // anything else is answered 415, as the API does.
        let boundary = Multipart.boundary(request.headers[.contentType])
        if boundary == nil {
            do { try Dispatcher.requireMediaType(request, for: .form) } catch {
                return response(render(configuration: configuration, result: .problem("请以表单提交。 \(error.message)")), status: .unsupportedMediaType)
            }
        }
        let raw: [UInt8]
        do {
            raw = try await Dispatcher.read(request, limit: configuration.maxBodyBytes, within: configuration.bodyTimeoutSeconds)
        } catch let error as SkillError where error.code == .requestTimeout {
            return response(render(configuration: configuration, result: .problem("上传超时。 The upload took too long; please try again.")), status: .requestTimeout)
        } catch {
            return response(render(configuration: configuration, result: .problem("文件过大。 The file is too large (1 MiB at most).")), status: .contentTooLarge)
        }
        var form: [String: String]
        if let boundary {
            let parts = Multipart.parts(raw, boundary: boundary)
            form = parts.compactMapValues { $0.filename == nil ? String(decoding: $0.body, as: UTF8.self) : nil }
            // An uploaded file: a baked badge (SVG or PNG) gives up its credential; a JSON or JWT file is the credential.
            if let file = parts["file"], !file.body.isEmpty {
                guard let text = BakedBadge.extract(file.body) ?? Self.credentialText(file.body) else {
                    return response(render(configuration: configuration, result: .problem("文件中没有证书：请上传内嵌证书的徽章图片（SVG、PNG）或证书文件。 This file carries no certificate: upload a baked badge (SVG, PNG) or a certificate file.")),
                                    status: .unprocessableContent)
                }
                form["credential"] = text
            }
        } else {
            form = parseForm(String(decoding: raw, as: UTF8.self))
        }
        // A pasted SVG badge gives up its credential too.
        if let pasted = form["credential"], pasted.trimmingSpaces.hasPrefix("<"), let text = BakedBadge.extract(Array(pasted.utf8)) { form["credential"] = text }
        // What the form asks for is decided here: an empty form never reaches the thread pool.
        let check: @Sendable () throws(SkillError) -> Result
        if let text = form["credential"], !text.trimmingSpaces.isEmpty {
            check = { () throws(SkillError) in .report(try Verification.verify(bank, registryName: configuration.registryName) { $0.verify(text: text) }) }
        } else if let number = form["number"], !number.isEmpty, let name = form["name"], !name.isEmpty {
            check = { () throws(SkillError) in .lookup(try bank.certificates.lookup(number: number, name: name, idNumber: nil)) }
        } else {
            return response(render(configuration: configuration, result: .problem("请粘贴证书文件，或输入证书编号和姓名。 Paste a certificate file, or enter a certificate number and a name.")),
                            status: .unprocessableContent)
        }
        let result: Result
        var status: HTTPResponse.Status = .ok
        do {
            result = try await Dispatcher.offload(check)
        } catch let error as SkillError where error.code == .certificateNotFound {
            result = .problem("未找到与该编号和姓名相符的证书。 No certificate matches this number and name.")
            status = .notFound
        } catch {
            result = .problem("无法完成核验。 The check could not be completed.")
            status = .unprocessableContent
        }
        return response(render(configuration: configuration, result: result, standards: bank.standards), status: status)
    }

    /// A certificate file's text (VC JSON or a JWT), or nil for anything else (a picture without a credential).
    static func credentialText(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.hasPrefix("{") || text.split(separator: ".").count == 3 && !text.contains(" ") ? text : nil
    }

    static func parseForm(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    /// Plain-language explanations of each check, in Chinese and English.
    static let explanations: [String: (String, String)] = [
        "well-formed": ("文件格式正确", "The file is a well-formed certificate"),
        "proof": ("数字签名有效，内容未被篡改", "The digital signature is valid: nothing was changed"),
        "trust-list": ("登记机构的可信名单有效", "The registry's trust list is authentic"),
        "issuer": ("发证机构已在登记机构备案", "The issuer is registered with the registry"),
        "issuer-name": ("证书上的发证机构名称和代码与备案一致", "The certificate names its issuer as the registry records it"),
        "key-window": ("签名密钥在发证时有效", "The signing key was valid when the certificate was issued"),
        "accreditation": ("发证机构在发证时具有该职业和等级的评价资质", "The issuer was accredited for this occupation and level on that date"),
        "status:revocation": ("证书未被撤销", "The certificate has not been revoked"),
        "status:suspension": ("证书未被暂停", "The certificate is not suspended"),
        "status": ("证书有效：未被撤销，也未被暂停", "The certificate is in good standing: neither revoked nor suspended"),
        "not-before": ("证书已生效", "The certificate is in force"),
        "not-after": ("证书未过期", "The certificate has not expired"),
    ]

    static func render(configuration: ServerConfiguration, result: Result?, standards: Standards? = nil, number: String? = nil) -> String {
        var out = """
            <!doctype html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>职业技能等级证书核验 · Certificate verification — \(escape(configuration.registryName))</title>
            <style>
            \(HTMLPage.style)
            </style>
            </head>
            <body>
            <header><h1>职业技能等级证书核验 <span class="en">Certificate verification</span></h1>
            <p>\(escape(configuration.registryName)) · 离线可验证的电子证书 <span class="en">Signed certificates anyone can check</span></p></header>
            <main>
            """
        if let result { out += renderResult(result, standards: standards) }
        out += """
            <form method="post" action="/verify" enctype="multipart/form-data">
            <fieldset><legend>核验证书文件或徽章图片 · Check a certificate file or badge image</legend>
            <label for="file">选择文件 · Choose the file (a badge image SVG or PNG with the certificate baked in, or the certificate JSON or JWT)</label>
            <input type="file" id="file" name="file" accept=".svg,.png,.json,.jwt,.txt,image/svg+xml,image/png,application/json" aria-describedby="file-help">
            <p id="file-help" class="en">文件由持证人提供，不含身份证号。 The holder gives you this file; it holds no ID number.</p>
            <button type="submit">核验文件 · Verify the file</button>
            </fieldset>
            </form>
            <form method="post" action="/verify">
            <fieldset><legend>粘贴证书内容 · Paste a certificate</legend>
            <label for="credential">证书内容（JSON、JWT 或徽章 SVG） · The certificate's text (JSON, JWT or a badge SVG)</label>
            <textarea id="credential" name="credential"></textarea>
            <button type="submit">核验 · Verify</button>
            </fieldset>
            </form>
            <form method="post" action="/verify">
            <fieldset><legend>按编号查询 · Look up by number</legend>
            <label for="number">证书编号 · Certificate number</label>
            <input type="text" id="number" name="number" autocomplete="off" inputmode="text" required\(number.map { " value=\"\(escape(String($0.prefix(40))))\"" } ?? "")>
            <label for="name">持证人姓名 · Holder's name</label>
            <input type="text" id="name" name="name" autocomplete="off" required>
            <button type="submit">查询 · Look up</button>
            </fieldset>
            </form>
            </main>
            <footer>核验依据登记机构签名的可信名单与证书状态列表。 Checks use the registry's signed trust list and the issuer's status lists.
            <a href="/v1/trust-list">可信名单 · Trust list</a> · <a href="/openapi.json">API</a></footer>
            </body>
            </html>
            """
        return out
    }

    static let statusNames = ["active": "有效 active", "revoked": "已撤销 revoked", "suspended": "已暂停 suspended", "unknown": "无法确认 unknown"]

    static func renderResult(_ result: Result, standards: Standards?) -> String {
        switch result {
        case .problem(let message):
            return "<section aria-live=\"polite\"><p class=\"verdict invalid\" role=\"alert\">\(escape(message))</p></section>"
        case .lookup(let found):
            let rows: [(String, String, String)] = [
                ("证书编号", "Number", found["number"]?.stringValue ?? ""), ("发证机构", "Issuer", found["issuer"]?.stringValue ?? ""),
                ("职业", "Occupation", found["occupation"]?.stringValue ?? ""),
                ("等级", "Level", found["level_name"].flatMap { n in n["zh"]?.stringValue.map { "\($0) \(n["en"]?.stringValue ?? "")" } } ?? "--"),
                ("发证日期", "Issued", found["issued_at"]?.stringValue ?? ""), ("状态", "Status", found["status"]?.stringValue.map { statusNames[$0] ?? $0 } ?? ""),
            ]
            let active = found["status"]?.stringValue == "active"
            return """
                <section aria-live="polite"><p class="verdict \(active ? "valid" : "invalid")" role="status">\(active ? "证书有效 · Certificate found and active" : "证书不在有效状态 · Certificate found, but not active")</p>
                <table><tbody>\(rows.map { "<tr><th scope=\"row\">\($0.0) <span class=\"en\">\($0.1)</span></th><td>\($0.1 == "Issued" ? HTMLPage.time($0.2) : escape($0.2))</td></tr>" }.joined())</tbody></table></section>
                """
        case .report(let report):
            let s = report.summary
            // What each failed check leaves untrusted. A certificate that fails is never shown as
            // active: its standing is what the status check found, or unknown.
            let failed = Set(report.checks.filter { !$0.passed }.map(\.name))
            let everything = !failed.isDisjoint(with: ["well-formed", "proof", "trust-list"])
            func untrusted(_ checks: Set<String>) -> Bool { everything || !failed.isDisjoint(with: checks) }
            let status: String
            if report.isValid {
                status = s["status"].map { statusNames[$0] ?? $0 } ?? ""
            } else if let revoked = s["status"], revoked == "revoked" || revoked == "suspended", !everything {
                status = statusNames[revoked] ?? revoked
            } else {
                status = statusNames["unknown"]!
            }
            let rows: [(String, String, String, Bool)] = [
                ("证书", "Certificate", escape(s["name"] ?? ""), everything),
                ("发证机构", "Issuer", escape(s["issuer"] ?? ""), untrusted(["issuer", "issuer-name", "key-window"])),
                ("职业", "Occupation", escape(s["occupation"] ?? ""), untrusted(["accreditation"])),
                ("等级", "Level", escape(s["level"].flatMap { l in Int(l).flatMap { standards?.level(code: $0).map { "\($0.display) \($0.en)" } } ?? l } ?? "--"),
                 untrusted(["accreditation"])),
                ("生效", "Valid from", HTMLPage.time(s["valid_from"]), untrusted(["not-before", "key-window"])),
                ("失效", "Valid until", s["valid_until"].map { HTMLPage.time($0) } ?? "—", untrusted(["not-after"])),
                ("状态", "Status", escape(status), false),
            ]
            let doubtful = rows.filter(\.3).map { "\($0.0) <span class=\"en\">\($0.1)</span>" }
            let doubt = report.isValid || doubtful.isEmpty ? "" : """
                <p class="doubt" role="note">以下内容未能证实，仅为文件所写：\(doubtful.joined(separator: "、"))。 <span class="en">These could not be trusted and are shown only as the file states them.</span></p>
                """
            let rowHTML = rows.map { r in
                "<tr><th scope=\"row\">\(r.0) <span class=\"en\">\(r.1)</span></th><td\(r.3 ? " class=\"untrusted\"" : "")>\(r.2)\(r.3 ? " <span class=\"tag fail\">未证实 not trusted</span>" : "")</td></tr>"
            }.joined()
            let checks = report.checks.map { c -> String in
                let (zh, en) = explanations[c.name] ?? (c.name, c.name)
                return "<tr><td class=\"\(c.passed ? "ok" : "fail")\">\(c.passed ? "✓ 通过 pass" : "✗ 未通过 fail")</td><td>\(escape(zh))<br><span class=\"en\">\(escape(en))</span></td><td>\(escape(c.reason?.rawValue ?? ""))<br><span class=\"en\">\(escape(c.detail))</span></td></tr>"
            }.joined()
            return """
                <section aria-live="polite"><p class="verdict \(report.isValid ? "valid" : "invalid")" role="status">\(report.isValid ? "核验通过：证书有效 · VALID" : "核验未通过：证书无效 · NOT VALID")</p>
                \(doubt)<table><tbody>\(rowHTML)</tbody></table>
                <h2>逐项检查 <span class="en">Each check</span></h2>
                <table><thead><tr><th scope="col">结果 Result</th><th scope="col">检查 Check</th><th scope="col">说明 Detail</th></tr></thead><tbody>\(checks)</tbody></table></section>
                """
        }
    }
}

/// multipart/form-data (RFC 7578), as a browser sends a file from a form: enough to read the
/// verification page's fields.
enum Multipart {
    struct Part {
        let filename: String?
        let body: [UInt8]
    }

    /// The boundary when `contentType` is multipart/form-data, else nil.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// The parts by field name (the first of a repeated name); malformed parts are skipped.
    static func parts(_ body: [UInt8], boundary: String) -> [String: Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var out: [String: Part] = [:]
        var sections: [ArraySlice<UInt8>] = []
        var rest = body[...]
        while let r = rest.firstRange(of: delimiter) {
            sections.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        for section in sections.dropFirst() {
            var s = section
            if s.starts(with: [13, 10]) { s = s.dropFirst(2) }
            guard let split = s.firstRange(of: [13, 10, 13, 10]) else { continue }
            let headers = String(decoding: s[..<split.lowerBound], as: UTF8.self)
            var content = s[split.upperBound...]
            if content.hasSuffix([13, 10]) { content = content.dropLast(2) }
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                let name = disposition.firstMatch(of: /name="([^"]*)"/)?.1
            else { continue }
            let filename = disposition.firstMatch(of: /filename="([^"]*)"/).map { String($0.1) }
            if out[String(name)] == nil { out[String(name)] = Part(filename: filename, body: Array(content)) }
        }
        return out
    }
}

extension ArraySlice where Element == UInt8 {
    func hasSuffix(_ suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self.suffix(suffix.count)) == suffix }
}
