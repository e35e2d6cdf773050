import Foundation
import SkillCore
import SkillLedger
import SkillTestSupport
import Testing

/// The webhook outbox on a bank: messages commit with their events, one per wanting
/// subscription, payload fixed; leases, retries, dead letters and replays.
@Suite struct WebhookTests {
    /// The Standard Webhooks specification's published test vector.
    @Test func signatureMatchesTheStandardWebhooksVector() {
        #expect(Webhooks.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: #"{"test": 2432232314}"#,
                                   secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func retryPolicyBacksOffWithJitterThenDeadLetters() {
        let p = RetryPolicy(baseMilliseconds: 1_000, capMilliseconds: 8_000, maxAttempts: 5)
        #expect((1...4).map { p.delay(afterAttempts: $0, random: 0) } == [500, 1_000, 2_000, 4_000])
        #expect((1...4).map { p.delay(afterAttempts: $0, random: 1) } == [1_000, 2_000, 4_000, 8_000])
        #expect(p.delay(afterAttempts: 5, random: 0.5) == nil)
        // The cap holds however many attempts.
        #expect(RetryPolicy(baseMilliseconds: 1_000, capMilliseconds: 8_000, maxAttempts: 100).delay(afterAttempts: 60, random: 1) == 8_000)
    }

    @Test func subscriptionsAreCheckedAndTheSecretIsSealed() throws {
        let b = try IssuedBank()
        for bad in ["ftp://x.example/h", "http://hooks.example/h", "https://user:pw@hooks.example/h", "hooks.example/h", "https://x.example/h#f"] {
            expectCode(.invalidField) { _ = try b.ledger.webhooks.subscribe(institution: b.evaluator.id, url: bad, eventTypes: ["*"]) }
        }
        let refused = expectCode(.invalidField) { _ = try b.ledger.webhooks.subscribe(institution: b.evaluator.id, url: "https://h.example", eventTypes: ["*", "Cert"]) }
        #expect(refused?.field == "event_types[1]")
        expectCode(.institutionNotFound) { _ = try b.ledger.webhooks.subscribe(institution: "ins_nope", url: "https://h.example", eventTypes: ["*"]) }
        let (webhook, secret) = try b.ledger.webhooks.subscribe(institution: b.evaluator.id, url: "http://127.0.0.1:9/h", eventTypes: ["certificate.*"])
        #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
        #expect(try b.bank.rawString("SELECT count(*) FROM webhooks WHERE CAST(secret_ciphertext AS TEXT) LIKE '%\(secret.dropFirst(6).prefix(12))%'") == "0")
        #expect(try b.ledger.webhooks.webhook(webhook.id) == webhook)
    }

    @Test func theOutboxCommitsWithItsEventsForTheSubscriptionsThatWantThem() throws {
        let b = try IssuedBank()
        let (all, _) = try b.ledger.webhooks.subscribe(institution: b.evaluator.id, url: "https://a.example/h", eventTypes: ["*"])
        let (certs, _) = try b.ledger.webhooks.subscribe(institution: b.evaluator.id, url: "https://b.example/h", eventTypes: ["certificate.revoked"])
        let school = try b.bank.school()
        let (other, _) = try b.ledger.webhooks.subscribe(institution: school.id, url: "https://c.example/h", eventTypes: ["*"])
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .revoke, reason: "webhook test")
        let toAll = try b.ledger.webhooks.messages(webhook: all.id)
        let toCerts = try b.ledger.webhooks.messages(webhook: certs.id)
        // "*" also hears of the second subscription being made: it is an event about the institution too.
        #expect(toAll.map(\.eventType) == ["webhook.subscribed", "certificate.revoked"] && toCerts.map(\.eventType) == ["certificate.revoked"])
        #expect(try b.ledger.webhooks.messages(webhook: other.id).isEmpty)
        // The payload: the event's type, time, id, subjects and change, as the event says; no name, no ID number.
        let payload = try JSONParser().parse(Array(toAll[1].payload.utf8))
        let event = try #require(try b.ledger.log.events(limit: 1_000).last { $0.type == "certificate.revoked" })
        #expect(payload["data"]?["event"]?.stringValue == event.id && payload["type"]?.stringValue == "certificate.revoked")
        #expect(payload["data"]?["subjects"]?["certificate"]?.stringValue == b.certificate.id)
        #expect(!toAll[1].payload.contains("李明") && !toAll[1].payload.contains(TestBank.residentID(7)))
        // A refused change writes no message.
        let before = try b.bank.count("webhook_messages")
        expectCode(.transitionInvalid) { _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .suspend) }
        #expect(try b.bank.count("webhook_messages") == before)
    }

    @Test func leasesRetriesDeadLettersAndReplays() throws {
        let clock = MutableClock(Date())
        let b = try IssuedBank(clock: clock.now)
        let (webhook, _) = try b.ledger.webhooks.subscribe(institution: b.evaluator.id, url: "https://a.example/h", eventTypes: ["certificate.*"])
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .suspend, reason: "x")
        let policy = RetryPolicy(baseMilliseconds: 1_000, capMilliseconds: 60_000, maxAttempts: 3)
        // Polling with nothing due is a read: no change version moves (the caches stay warm).
        clock.advance(seconds: -5)
        let idle = try b.ledger.changeVersion()
        #expect(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).isEmpty)
        #expect(try b.ledger.changeVersion() == idle)
        clock.advance(seconds: 5)
        let first = try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000)
        #expect(first.count == 1 && first[0].url == "https://a.example/h" && first[0].secret.hasPrefix("whsec_"))
        // Leased: no other deliverer gets it until the lease ends.
        #expect(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).isEmpty)
        clock.advance(seconds: 31)
        let again = try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000)
        #expect(again.map(\.message.id) == first.map(\.message.id) && again[0].message.payload == first[0].message.payload)
        // Failures back off, then a dead letter.
        var m = try b.ledger.webhooks.record(again[0].message, .failed("HTTP 503"), policy: policy, random: 0)
        #expect(m.status == .pending && m.attempts == 1 && m.nextAttemptAt == Int(clock.now().timeIntervalSince1970 * 1000) + 500)
        #expect(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).isEmpty)
        clock.advance(seconds: 1)
        m = try b.ledger.webhooks.record(try #require(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).first).message, .failed("x"),
                                         policy: policy, random: 0)
        clock.advance(seconds: 2)
        m = try b.ledger.webhooks.record(try #require(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).first).message, .failed("x"),
                                         policy: policy, random: 0)
        #expect(m.status == .dead && m.attempts == 3)
        clock.advance(seconds: 3_600)
        #expect(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).isEmpty)
        // The operator replays it: same id, same payload, fresh attempts; then it is delivered.
        let replayed = try b.ledger.webhooks.replay(message: m.id)
        #expect(replayed.status == .pending && replayed.attempts == 0)
        expectCode(.transitionInvalid) { _ = try b.ledger.webhooks.replay(message: m.id) }
        let last = try #require(try b.ledger.webhooks.leaseDue(limit: 10, leaseMilliseconds: 30_000).first)
        #expect(last.message.payload == first[0].message.payload)
        #expect(try b.ledger.webhooks.record(last.message, .delivered, policy: policy).status == .delivered)
        #expect(try b.ledger.webhooks.counts() == [.delivered: 1])
        // The payload can never be changed in place.
        #expect(throws: (any Error).self) { try b.bank.rawWrite("UPDATE webhook_messages SET payload = '{}'") }
        // Disabling a subscription dead-letters what waits for it, and refuses replays.
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .reinstate)
        _ = try b.ledger.webhooks.disable(webhook.id)
        #expect(try b.ledger.webhooks.counts()[.dead] == 1)
        let dead = try #require(try b.ledger.webhooks.messages(webhook: webhook.id, status: .dead).first)
        expectCode(.transitionInvalid) { _ = try b.ledger.webhooks.replay(message: dead.id) }
        expectCode(.webhookNotFound) { _ = try b.ledger.webhooks.replay(message: "msg_nope") }
    }
}
