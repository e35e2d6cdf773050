import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SkillCore
import SkillLedger

/// The printable certificate (职业技能等级证书 as people know it): A4, title, the holder's name
/// only when the worker chooses, occupation, level, number, issuer, the date in 年月日, and a QR
/// code (ISO/IEC 18004, drawn inline as SVG) that opens the verification page with the number
/// filled in. A certificate not in force says so across the page. No external assets, no script.
enum CertificatePrint {
    static let e = VerifyPage.escape

    static func routes(_ router: Router<AppRequestContext>, bank: Bank, configuration: ServerConfiguration, limiter: RateLimiter) {
        // For whoever holds a share the worker made (a secret, not personal data, in the URL).
        router.get("/certificates/{number}/print") { request, context in
            if let wait = limiter.take(context.clientAddress) {
                var refused = CataloguePages.page(("请求过于频繁 · Too many requests", "<p class=\"verdict invalid\" role=\"alert\">请稍后再试。 Please try again shortly.</p>"),
                                                  configuration, status: .tooManyRequests)
                refused.headers[.retryAfter] = String(wait)
                return refused
            }
            let number = context.parameters.get("number") ?? ""
            guard let share = request.uri.queryParameters["share"].map(String.init), !share.isEmpty else {
                return notFound(configuration)
            }
            do {
                let printable = try await Dispatcher.offload { () throws(SkillError) in try bank.certificates.printable(number, proof: .share(share)) }
                return response(render(printable, standards: bank.standards, registryName: configuration.registryName))
            } catch {
                return notFound(configuration)
            }
        }
    }

    static let paths: [(HTTPRequest.Method, String)] = [(.get, "/certificates/{number}/print")]

    static func notFound(_ configuration: ServerConfiguration) -> Response {
        CataloguePages.page(("未找到 · Not found", """
            <p class="verdict invalid" role="alert">没有可打印的证书：请使用持证人分享的链接。 No certificate to print: use the link the holder shared.</p>
            """), configuration, status: .notFound)
    }

    static func response(_ html: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"],
                 body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let style = """
        @page{size:A4;margin:0}
        *{box-sizing:border-box}
        body{margin:0;background:#eee;font-family:"Noto Serif CJK SC","Songti SC",serif;color:#111}
        .sheet{width:210mm;min-height:297mm;margin:0 auto;background:#fff;padding:18mm;position:relative;border:10px double #a8071a}
        h1{text-align:center;font-size:30pt;letter-spacing:.3em;margin:10mm 0 2mm;color:#a8071a}
        .en{font-family:system-ui,sans-serif;font-size:.55em;letter-spacing:0;color:#333;display:block}
        dl{display:grid;grid-template-columns:42mm 1fr;gap:5mm 6mm;font-size:15pt;margin:16mm 8mm}
        dt{font-weight:700}dd{margin:0}
        dt .en,dd .en{font-size:10pt}
        .qr{position:absolute;right:22mm;bottom:26mm;text-align:center;font:9pt system-ui,sans-serif}
        .qr p{margin:1mm 0;max-width:46mm;word-break:break-all}
        .issuer{position:absolute;left:26mm;bottom:30mm;font-size:13pt}
        .void{position:absolute;top:110mm;left:0;right:0;text-align:center;font:900 40pt system-ui,sans-serif;color:#a50e0e;border:6px solid #a50e0e;margin:0 25mm;padding:4mm;transform:rotate(-12deg);background:rgba(255,255,255,.85)}
        @media print{body{background:#fff}.sheet{margin:0;border-width:8px}}
        """

    static func render(_ p: Printable, standards: Standards, registryName: String) -> String {
        let s = p.summary
        let type = standards.credentialTypes.first { $0.id == s.kind }
        let level = s.level.flatMap { standards.level(code: $0) }
        let occupationName = standards.catalogue.occupation(s.occupation)?.name ?? standards.occupation(s.occupation)?.zh ?? s.occupation
        let occupationEN = standards.occupation(s.occupation)?.en
        let day = LocalTime().day(s.issuedAt)
        let qr = (try? QRCode(bytes: Array(p.verifyURL.utf8)))?.svg(pixels: 150, title: "扫码核验 Scan to verify") ?? ""
        let void: String = switch s.status {
        case .active: ""
        case .revoked: "<p class=\"void\" role=\"alert\">已撤销 · REVOKED<span class=\"en\">本证书已失效 This certificate is no longer valid</span></p>"
        case .suspended: "<p class=\"void\" role=\"alert\">已暂停 · SUSPENDED<span class=\"en\">暂停期间核验不通过 It does not verify while suspended</span></p>"
        }
        var rows: [(String, String, String)] = []
        if let name = p.holderName { rows.append(("姓名", "Name", e(name))) }
        rows += [
            ("职业（工种）", "Occupation", "\(e(occupationName)) <span class=\"en\">\(e(occupationEN ?? "")) · \(e(s.occupation))</span>"),
            ("职业技能等级", "Level", level.map { "\(e($0.display)) <span class=\"en\">\(e($0.en))</span>" } ?? "—"),
            ("证书编号", "Number", e(s.number)),
            ("发证日期", "Issued", day.map { "<time datetime=\"\(e(s.issuedAt))\">\(e($0.zh))</time> <span class=\"en\">\(e($0.en))</span>" } ?? e(s.issuedAt)),
        ]
        return """
            <!doctype html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(type?.zh ?? "证书")) \(e(s.number)) — \(e(registryName))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <main class="sheet">
            <h1>\(e(type?.zh ?? "证书"))<span class="en">\(e(type?.en ?? "Certificate"))</span></h1>
            <dl>
            \(rows.map { "<dt>\($0.0)<span class=\"en\">\($0.1)</span></dt><dd>\($0.2)</dd>" }.joined(separator: "\n"))
            </dl>
            \(void)
            <p class="issuer">发证机构 <span class="en">Issued by</span>\(e(p.issuerName))</p>
            <div class="qr">\(qr)<p>扫码核验 · Scan to verify</p><p>\(e(p.verifyURL))</p></div>
            </main>
            </body>
            </html>
            """
    }
}

typealias Printable = Certificates.Printable

/// The printable certificate for the CLI (`skillbank cert print`), the same page the server serves.
public enum PrintedCertificate {
    /// The A4 page of a certificate.
    /// - Throws: `ledger.certificate-not-found`, `ledger.person-not-found` (the name asked for was erased).
    public static func html(_ bank: Bank, certificate: String, withName: Bool, registryName: String) throws(SkillError) -> String {
        CertificatePrint.render(try bank.certificates.printable(certificate, proof: nil, withName: withName), standards: bank.standards, registryName: registryName)
    }
}
