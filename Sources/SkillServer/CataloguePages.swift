import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SkillCore
import SkillCredentials
import SkillLedger

/// The public pages credentials point at: the 2022 occupation catalogue (`/occupations`,
/// `/occupations/{code}`), the national skill-level ladder (`/levels`) and each qualifications
/// framework (`/frameworks/{id}`), whose `#level-N` anchors are the alignments' `targetUrl`s;
/// and the SkillBank JSON-LD context, byte for byte as pinned. Server-rendered, no external
/// assets, no script, Chinese and English. Nothing here names a person.
enum CataloguePages {
    static func routes(_ router: Router<AppRequestContext>, bank: Bank, configuration: ServerConfiguration) {
        let standards = bank.standards
        router.get("/occupations") { request, _ in
            let query = request.uri.queryParameters
            return page(occupations(standards, query: query["q"].map(String.init), group: query["group"].map(String.init)), configuration)
        }
        router.get("/occupations/{code}") { _, context in
            let code = context.parameters.get("code") ?? ""
            guard let html = occupation(standards, code: code) else { return notFound(configuration) }
            return page(html, configuration)
        }
        router.get("/levels") { _, _ in page(levels(standards), configuration) }
        router.get("/frameworks/{id}") { _, context in
            guard let html = framework(standards, id: context.parameters.get("id") ?? "") else { return notFound(configuration) }
            return page(html, configuration)
        }
        router.get(RouterPath(SkillBankContext.path)) { _, _ in
            // The bytes every document pins by digest: immutable, a new version gets a new URL.
            Response(status: .ok, headers: [.contentType: "application/ld+json", .cacheControl: "public, max-age=31536000, immutable"],
                     body: .init(byteBuffer: ByteBuffer(bytes: SkillBankContext.bytes)))
        }
    }

    /// The routes, for the OpenAPI consistency test and the 404/405 middleware.
    static let paths: [(HTTPRequest.Method, String)] = [
        (.get, "/occupations"), (.get, "/occupations/{code}"), (.get, "/levels"), (.get, "/frameworks/{id}"), (.get, SkillBankContext.path),
    ]

    static func page(_ body: (title: String, html: String), _ configuration: ServerConfiguration, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8",
                      .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"],
            body: .init(byteBuffer: ByteBuffer(string: HTMLPage.document(title: body.title, registryName: configuration.registryName, main: body.html))))
    }

    static func notFound(_ configuration: ServerConfiguration) -> Response {
        page(("未找到 · Not found", "<p class=\"verdict invalid\" role=\"alert\">没有这个条目。 There is no such entry. <a href=\"/occupations\">职业分类 · Occupations</a></p>"),
             configuration, status: .notFound)
    }

    static let e = VerifyPage.escape

    static func flagNames(_ flags: [String]?) -> String {
        (flags ?? []).map { $0 == "digital" ? "数字职业 digital" : $0 == "green" ? "绿色职业 green" : $0 }.map { "<span class=\"tag\">\(e($0))</span>" }.joined(separator: " ")
    }

    static func row(_ o: CatalogueOccupation) -> String {
        "<tr><td><a href=\"/occupations/\(e(o.code))\">\(e(o.code))</a></td><td>\(e(o.name)) \(flagNames(o.flags))</td></tr>"
    }

    /// `/occupations`: search by name, alias or code, or browse by group.
    static func occupations(_ standards: Standards, query: String?, group: String?) -> (title: String, html: String) {
        let catalogue = standards.catalogue
        var html = """
            <h1>职业分类大典（2022） <span class="en">The 2022 occupation catalogue</span></h1>
            <form method="get" action="/occupations" role="search"><label for="q">按名称、别名或代码查找 · Find by name, alias or code</label>
            <input type="text" id="q" name="q" value="\(e(query ?? ""))"><button type="submit">查找 · Search</button></form>
            """
        guard !catalogue.isEmpty else {
            return ("职业分类 · Occupations", html + "<p>本登记机构尚未载入职业分类。 This registry has not loaded the catalogue.</p>")
        }
        if let query, !query.trimmingSpaces.isEmpty {
            let found = catalogue.search(query, limit: 200)
            html += "<p>\(found.count) 个结果 · \(found.count) found</p>"
            html += found.isEmpty ? "" : "<table><thead><tr><th scope=\"col\">代码 Code</th><th scope=\"col\">职业 Occupation</th></tr></thead><tbody>\(found.map(row).joined())</tbody></table>"
        } else if let group, let g = catalogue.group(group) {
            let prefix = String(g.code.prefix(g.level == 1 ? 1 : g.level == 2 ? 4 : 7))
            let subgroups = catalogue.groups.filter { $0.level == g.level + 1 && $0.code.hasPrefix(prefix) }
            let members = catalogue.occupations.filter { $0.code.hasPrefix(prefix) }
            html += "<h2>\(e(g.code)) \(e(g.name))</h2>"
            if g.level < 3 {
                html += "<ul>" + subgroups.map { "<li><a href=\"/occupations?group=\(e($0.code))\">\(e($0.code)) \(e($0.name))</a></li>" }.joined() + "</ul>"
            }
            html += "<table><thead><tr><th scope=\"col\">代码 Code</th><th scope=\"col\">职业 Occupation</th></tr></thead><tbody>\(members.map(row).joined())</tbody></table>"
        } else {
            html += "<p>\(catalogue.occupations.count) 个职业，8 个大类。 \(catalogue.occupations.count) occupations in 8 major groups.</p><ul>"
            for major in catalogue.groups where major.level == 1 {
                let count = catalogue.occupations.filter { $0.code.hasPrefix(String(major.code.prefix(1))) }.count
                html += "<li><a href=\"/occupations?group=\(e(major.code))\">\(e(String(major.code.prefix(1)))) \(e(major.name))</a> (\(count))</li>"
            }
            html += "</ul>"
        }
        html += sourceNote(catalogue)
        return ("职业分类 · Occupations", html)
    }

    static func sourceNote(_ catalogue: OccupationCatalogue) -> String {
        catalogue.sources.map { "<footer>来源 Source: \(e($0.title)) (\(e($0.licence))) — <a href=\"\(e($0.url))\">\(e($0.url))</a></footer>" }.joined()
    }

    /// `/occupations/{code}`: definition, tasks, aliases, its groups, and the levels the registry assesses.
    static func occupation(_ standards: Standards, code: String) -> (title: String, html: String)? {
        let catalogue = standards.catalogue
        let assessed = standards.occupation(code)
        // A bank without the catalogue still describes the occupations it assesses.
        let o = catalogue.occupation(code)
        guard let name = o?.name ?? assessed?.zh else { return nil }
        let groups = (o?.groupCodes ?? []).compactMap(catalogue.group).map { "<a href=\"/occupations?group=\(e($0.code))\">\(e($0.name))</a>" }
        var html = """
            <nav aria-label="breadcrumb"><a href="/occupations">职业分类 Occupations</a> › \(groups.joined(separator: " › "))</nav>
            <h1>\(e(name)) <span class="en">\(e(assessed?.en ?? ""))</span></h1>
            <p><strong>\(e(code))</strong> \(flagNames(o?.flags))</p>
            """
        if let o, let definition = o.definition { html += "<h2>职业定义 <span class=\"en\">Definition</span></h2><p>\(e(definition))</p>" }
        if let tasks = o?.tasks, !tasks.isEmpty {
            html += "<h2>主要工作任务 <span class=\"en\">Main tasks</span></h2><ol>" + tasks.map { "<li>\(e($0))</li>" }.joined() + "</ol>"
        }
        if let aliases = o?.aliases, !aliases.isEmpty { html += "<h2>常见名称 <span class=\"en\">Also known as</span></h2><p>\(aliases.map(e).joined(separator: "、"))</p>" }
        html += "<h2>等级 <span class=\"en\">Levels</span></h2>"
        if let assessed {
            html += "<p>本登记机构评价的等级 · Levels this registry assesses:</p><ul>"
            for code in assessed.levels.sorted(by: >) {
                guard let level = standards.level(code: code) else { continue }
                html += "<li id=\"level-\(code)\"><a href=\"/levels#level-\(code)\">\(e(level.display)) · \(e(level.en))</a></li>"
            }
            html += "</ul>"
            if !assessed.workTypes.isEmpty { html += "<p>工种 Work types: \(assessed.workTypes.map { e($0.zh) }.joined(separator: "、"))</p>" }
        } else {
            html += "<p>本登记机构尚未评价该职业。 This registry does not assess this occupation yet.</p>"
        }
        html += sourceNote(catalogue)
        return ("\(code) \(name)", html)
    }

    /// `/levels`: the national skill-level ladder (新八级工), five-level codes as anchors.
    static func levels(_ standards: Standards) -> (title: String, html: String) {
        let rows = standards.levels.map { l in
            "<tr\(l.fiveLevelCode.map { " id=\"level-\($0)\"" } ?? "")><td>\(l.rank)</td><td>\(l.fiveLevelCode.map(String.init) ?? "—")</td><td>\(e(l.display))</td><td>\(e(l.en))</td><td>\(e(l.status.rawValue))</td></tr>"
        }.joined()
        let frameworks = standards.frameworks.map { "<li><a href=\"/frameworks/\(e($0.id))\">\(e($0.zh)) · \(e($0.en))</a></li>" }.joined()
        return ("职业技能等级 · Skill levels", """
            <h1>职业技能等级 <span class="en">National skill levels</span></h1>
            <table><thead><tr><th scope="col">序 Rank</th><th scope="col">等级代码 Level code</th><th scope="col">名称</th><th scope="col">Name</th><th scope="col">依据 Status</th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>资历框架 <span class="en">Qualifications frameworks</span></h2><ul>\(frameworks)</ul>
            """)
    }

    /// `/frameworks/{id}`: a framework's levels (anchors `level-N`) and its credit rule.
    static func framework(_ standards: Standards, id: String) -> (title: String, html: String)? {
        guard let f = standards.framework(id) else { return nil }
        let rows = f.levels.map { "<tr id=\"level-\($0.level)\"><td>\($0.level)</td><td>\(e($0.typicalAward ?? ""))</td></tr>" }.joined()
        let credit = f.hoursPerCredit.map { "<p>\(Int($0.value)) 学时 = 1 学分 · \(Int($0.value)) hours per credit (\(e($0.status.rawValue)))</p>" } ?? ""
        let crosswalk = standards.crosswalk.compactMap { row in
            row.levels[f.id].map { "<li>\(e(standards.level(code: row.skillLevel)?.display ?? String(row.skillLevel))) → \(e(f.id.uppercased())) \($0.map(String.init).joined(separator: "/")) (\(e(row.status.rawValue)))</li>" }
        }.joined()
        return ("\(f.en)", """
            <nav><a href="/levels">职业技能等级 Skill levels</a></nav>
            <h1>\(e(f.zh)) <span class="en">\(e(f.en))</span></h1>
            <table><thead><tr><th scope="col">级 Level</th><th scope="col">典型资历 Typical award</th></tr></thead><tbody>\(rows)</tbody></table>
            \(credit)
            \(crosswalk.isEmpty ? "" : "<h2>与国家职业技能等级对照 <span class=\"en\">Crosswalk from national skill levels</span></h2><ul>\(crosswalk)</ul>")
            <footer>来源 Source: \(e(f.source)) (\(e(f.status.rawValue)))</footer>
            """)
    }
}

/// The shell every public page shares: one stylesheet, no external assets.
enum HTMLPage {
    static let style = """
        body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:52rem;margin:0 auto;padding:1.5rem;color:#111;background:#fff;line-height:1.55}
        header{border-bottom:4px solid #a8071a;margin-bottom:1.5rem}
        h1{font-size:1.6rem;margin:.2rem 0}
        .en{color:#333;font-size:.95em}
        fieldset{border:1px solid #888;border-radius:6px;padding:1rem;margin:0 0 1.2rem}
        legend{font-weight:700;padding:0 .4rem}
        label{display:block;font-weight:600;margin:.6rem 0 .2rem}
        textarea,input[type=text]{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #555;border-radius:4px}
        textarea{min-height:9rem;font-family:ui-monospace,monospace;font-size:.85rem}
        button{font:inherit;font-weight:700;background:#a8071a;color:#fff;border:0;border-radius:4px;padding:.55rem 1.2rem;margin-top:.8rem;cursor:pointer}
        button:focus,textarea:focus,input:focus,a:focus{outline:3px solid #1d4ed8;outline-offset:2px}
        .verdict{font-size:1.4rem;font-weight:800;padding:.8rem 1rem;border-radius:6px;margin:1rem 0}
        .valid{background:#e7f6ec;border:2px solid #137333;color:#0b4d22}
        .invalid{background:#fdecec;border:2px solid #a50e0e;color:#6b0808}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;border-bottom:1px solid #ccc;padding:.4rem .5rem;vertical-align:top}
        .ok{color:#137333;font-weight:700}.fail{color:#a50e0e;font-weight:700}
        .tag{font-size:.8em;border:1px solid #137333;color:#0b4d22;border-radius:3px;padding:0 .3rem}
        .tag.fail{border-color:#a50e0e;color:#6b0808}.untrusted{color:#555;text-decoration:line-through dotted}
        .doubt{border-left:4px solid #a50e0e;padding:.4rem .8rem;background:#fff5f5}
        :target{background:#fff7d6}
        footer{margin-top:2rem;font-size:.85rem;color:#444}
        @media print{form,fieldset,button{display:none}body{max-width:none}}
        """

    /// A date as people read it, in the registry's time zone, Chinese and English, with the UTC
    /// instant in the tooltip and in `datetime`: `<time datetime="2026-12-06T18:53:00Z" …>2026年12月7日 · 7 Dec 2026</time>`.
    static func time(_ timestamp: String?) -> String {
        guard let timestamp, let day = LocalTime().day(timestamp) else { return VerifyPage.escape(timestamp ?? "—") }
        let t = VerifyPage.escape(timestamp)
        return "<time datetime=\"\(t)\" title=\"UTC \(t)\">\(day.zh) <span class=\"en\">· \(day.en)</span></time>"
    }

    /// - Parameter header: the header's content, in place of the catalogue's links.
    static func document(title: String, registryName: String, main: String, header: String? = nil) -> String {
        """
        <!doctype html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(VerifyPage.escape(title)) — \(VerifyPage.escape(registryName))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <header>\(header ?? "<p>\(VerifyPage.escape(registryName)) · <a href=\"/occupations\">职业分类 Occupations</a> · <a href=\"/levels\">等级 Levels</a> · <a href=\"/verify\">证书核验 Verify</a></p>")</header>
        <main>
        \(main)
        </main>
        </body>
        </html>
        """
    }
}
