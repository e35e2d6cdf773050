import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SkillCore
import SkillCredentials
import SkillLedger
@testable import SkillServer
import SkillTestSupport
import Testing

/// An outsider walking certificate numbers learns nothing: a thousand sequential numbers without
/// a token get no bundle and the same answer whether a number exists or not, and the look-up's
/// rate limit stops the walk.
@Suite struct EnumerationTests {
    @Test(arguments: StoreKind.all)
    func aThousandSequentialNumbersRevealNothing(_ store: StoreKind) async throws {
        let limit = 100
        let f = try ServerFixture(rateLimit: limit, store: store)
        // The fixture's certificates are the first numbers of evaluator A's and B's prefixes.
        let issued = [f.certificate.number, f.certificateB.number]
        let prefixA = String(f.certificate.number.dropLast(6))
        let numbers = (1...1_000).map { prefixA + String(format: "%06d", $0) }
        #expect(numbers.contains(issued[0]))
        try await f.application().test(.router) { client in
            let started = Date()
            var answers: [String: Int] = [:]
            var limited = 0
            for (i, number) in numbers.enumerated() {
                // Half without any holder proof, half with a wrong name.
                let uri = i % 2 == 0 ? "/v1/certificates/\(number)/bundle" : "/v1/certificates/\(number)/bundle?name=%E5%BC%A0%E4%B8%89"
                let r = try await client.call(.get, uri)
                if r.status == .tooManyRequests {
                    #expect(r.headers[.retryAfter] != nil)
                    limited += 1
                    continue
                }
                #expect(!r.text.contains("credential") && !r.text.contains(/per_[0-9A-HJKMNP-TV-Z]{26}/), "\(number): \(r.text.prefix(120))")
                // The answer without its instance (the path) is the same for every number.
                var body = r.json?.objectValue ?? [:]
                body["instance"] = nil
                answers["\(r.status.code) \(try JSONValue.object(body).canonicalString())", default: 0] += 1
            }
            // The allowance is `limit` a minute for this address: the full bucket, and what it
            // refills while the walk runs (more when the machine is busy with other tests).
            let refill = Int(Date().timeIntervalSince(started) * Double(limit) / 60) + 1
            #expect(numbers.count - limited >= limit && numbers.count - limited <= limit + refill, "\(numbers.count - limited) answered, \(refill) refilled")
            // Two answers only: 422 (no holder proof given) and 404 (wrong holder, or no such
            // number): the same for the numbers that exist and the ones that do not.
            #expect(answers.count == 2, "\(answers.keys.sorted())")
            #expect(answers.keys.contains { $0.hasPrefix("404 ") } && answers.keys.contains { $0.hasPrefix("422 ") })
        }
    }

    @Test(arguments: StoreKind.all)
    func theHolderAndTheirShareStillGetTheBundle(_ store: StoreKind) async throws {
        let f = try ServerFixture(store: store)
        try await f.application().test(.router) { client in
            let byName = try await client.call(.get, "/v1/certificates/\(f.certificate.number)/bundle?name=%E6%9D%8E%E6%98%8E")
            #expect(byName.status == .ok && byName.json?["type"] == "SkillBankCertificateBundle")
            let bundle = try #require(byName.json)
            #expect(CertificateBundle.verify(bundle).isValid)
            let share = try await client.call(.post, "/v1/me/certificates/\(f.certificate.id)/shares", token: f.tokens["worker1"], json: #"{"days":7}"#)
            #expect(share.status == .created)
            let secret = try #require(share.json?["share"]?.stringValue)
            let shared = try await client.call(.get, "/v1/certificates/\(f.certificate.number)/bundle?share=\(secret)")
            let sharedBundle = try #require(shared.json)
            #expect(shared.status == .ok && CertificateBundle.verify(sharedBundle).isValid)
            // A share opens only its own certificate; another worker cannot share it.
            #expect(try await client.call(.get, "/v1/certificates/\(f.certificateB.number)/bundle?share=\(secret)").status == .notFound)
            #expect(try await client.call(.post, "/v1/me/certificates/\(f.certificate.id)/shares", token: f.tokens["worker2"], json: "{}").status == .forbidden)
            let mine = try await client.call(.get, "/v1/me/certificates/\(f.certificate.id)?format=bundle", token: f.tokens["worker1"])
            let own = try #require(mine.json)
            #expect(mine.status == .ok && CertificateBundle.verify(own).isValid)
        }
    }
}
