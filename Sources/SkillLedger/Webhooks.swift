import Foundation
import SkillCore
import SkillCrypto
import SkillStore

/// Webhooks (Standard Webhooks): institutions subscribe to the events about them; each event
/// a subscription wants is written to the transactional outbox in the event's own unit of work,
/// with its payload fixed there, and the server delivers the outbox at least once, signed,
/// retrying with backoff until a dead letter the operator can replay.
public struct Webhooks: Sendable {
    let context: BankContext

    /// A message to send now: where, what, and the key to sign it with.
    public struct Delivery: Sendable {
        public let message: WebhookMessage
        public let url: String
        /// `whsec_…`: base64 of the HMAC key after the prefix.
        public let secret: String
    }

    /// Subscribes an institution to events about it.
    /// - Parameters:
    ///   - url: https, or http to a loopback address (a receiver on the same machine).
    ///   - eventTypes: `certificate.issued`, `certificate.*` or `*`.
    /// - Returns: the subscription and its signing secret, shown this once.
    /// - Throws: `input.invalid-field` (url, event_types), `ledger.institution-not-found`.
    public func subscribe(institution: String, url: String, eventTypes: [String], actor: Actor = .operatorCLI) throws(SkillError) -> (webhook: Webhook, secret: String) {
        try Self.checkURL(url)
        guard !eventTypes.isEmpty else { throw SkillError(.invalidField, "name at least one event type (or *)", field: "event_types") }
        for (i, type) in eventTypes.enumerated() where type.wholeMatch(of: try! Regex(Webhook.eventTypePattern)) == nil {
            throw SkillError(.invalidField, "'\(type.prefix(40))' is not an event type: certificate.issued, certificate.* or *", field: "event_types[\(i)]")
        }
        let date = context.now
        let id = IdentifierKind.webhook.make(at: date)
        let secret = "whsec_" + Data(try SecureRandom.bytes(32)).base64EncodedString()
        let sealed = try context.vault.seal(secret, record: id, column: "webhook_secret")
        let webhook = Webhook(id: id, institutionID: institution, url: url, eventTypes: eventTypes, createdAt: Timestamp.format(date))
        try context.write { tx in
            _ = try context.requireInstitution(tx, institution)
            let event = try context.append(tx, "webhook.subscribed", actor: actor, at: date,
                                           subjects: ["institution": .string(institution), "webhook": .string(id)],
                                           change: ["event_types": .array(eventTypes.map(JSONValue.string))])
            try tx.webhooks.insert(webhook, secretCiphertext: sealed, eventID: event)
        }
        return (webhook, secret)
    }

    static func checkURL(_ text: String) throws(SkillError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw SkillError(.invalidField, "the URL must be absolute, like https://hooks.example/skillbank", field: "url")
        }
        let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw SkillError(.invalidField, "webhooks go to https URLs (plain http only to a loopback address)", field: "url")
        }
        guard url.user == nil, url.password == nil, url.fragment == nil else {
            throw SkillError(.invalidField, "the URL may not carry credentials or a fragment", field: "url")
        }
    }

    func requireWebhook(_ tx: any StoreTransaction, _ id: String) throws -> Webhook {
        guard let found = try tx.webhooks.webhook(id) else { throw SkillError(.webhookNotFound, "no webhook \(id.prefix(40))", field: "webhook") }
        return found.webhook
    }

    /// A subscription.
    /// - Throws: `webhook.not-found`.
    public func webhook(_ id: String) throws(SkillError) -> Webhook { try context.read { tx in try requireWebhook(tx, id) } }

    /// Subscriptions, of one institution when given.
    public func webhooks(institution: String? = nil) throws(SkillError) -> [Webhook] {
        try context.read { tx in try tx.webhooks.webhooks(institution: institution) }
    }

    /// Ends a subscription; what was still waiting for it becomes a dead letter.
    /// - Throws: `webhook.not-found`.
    public func disable(_ id: String, actor: Actor = .operatorCLI) throws(SkillError) -> Webhook {
        let date = context.now
        return try context.write { tx in
            var webhook = try requireWebhook(tx, id)
            guard webhook.disabledAt == nil else { return webhook }
            let event = try context.append(tx, "webhook.disabled", actor: actor, at: date,
                                           subjects: ["institution": .string(webhook.institutionID), "webhook": .string(id)], change: [:])
            try tx.webhooks.disable(id, at: Timestamp.format(date), eventID: event)
            webhook.disabledAt = Timestamp.format(date)
            return webhook
        }
    }

    /// A subscription's messages, oldest first.
    public func messages(webhook: String, status: WebhookMessageStatus? = nil, after cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [WebhookMessage] {
        try context.read { tx in
            _ = try requireWebhook(tx, webhook)
            return try tx.webhooks.messages(webhook: webhook, status: status, after: cursor, limit: limit)
        }
    }

    /// How many messages are pending, delivered and dead.
    public func counts() throws(SkillError) -> [WebhookMessageStatus: Int] { try context.read { tx in try tx.webhooks.counts() } }

    /// Sends a dead (or delivered) message again: the same id and payload, a fresh set of attempts.
    /// - Throws: `webhook.not-found` (no such message), `ledger.transition-invalid` (pending already,
    ///   or its subscription was disabled).
    public func replay(message id: String, actor: Actor = .operatorCLI) throws(SkillError) -> WebhookMessage {
        let date = context.now
        return try context.write { tx in
            guard var message = try tx.webhooks.message(id) else { throw SkillError(.webhookNotFound, "no webhook message \(id.prefix(40))", field: "message") }
            let webhook = try requireWebhook(tx, message.webhookID)
            guard message.status != .pending else { throw SkillError(.transitionInvalid, "\(id) is still pending", field: "message") }
            guard webhook.disabledAt == nil else { throw SkillError(.transitionInvalid, "its subscription \(webhook.id) is disabled", field: "message") }
            try context.append(tx, "webhook.replayed", actor: actor, at: date,
                               subjects: ["institution": .string(webhook.institutionID), "webhook": .string(webhook.id), "message": .string(id)],
                               change: ["from": .string(message.status.rawValue)])
            message.status = .pending
            message.attempts = 0
            message.nextAttemptAt = Int(date.timeIntervalSince1970 * 1000)
            message.lastError = nil
            try tx.webhooks.record(message)
            return message
        }
    }

    // MARK: The outbox

    /// Inside the events' unit of work: a message for every subscription that wants each event.
    /// The payload is `{"type","timestamp","data"}` (Standard Webhooks), with the event's id,
    /// subjects (ids) and change, canonical JSON, fixed here for every attempt.
    func enqueue(_ tx: any StoreTransaction, _ events: [LedgerEvent]) throws {
        let interested = events.contains { $0.subjects["institution"] != nil }
        guard interested else { return }
        let subscriptions = try tx.webhooks.webhooks(institution: nil).filter { $0.disabledAt == nil }
        guard !subscriptions.isEmpty else { return }
        var messages: [WebhookMessage] = []
        // The bank's clock, not the events' second-resolution times: message ids then sort in
        // the order they were written.
        let now = context.now
        for event in events {
            let institution = event.subjects["institution"]?.stringValue
            for webhook in subscriptions where webhook.wants(event.type, institution: institution) {
                // An employer never learns the registry's id of a worker it found in the talent
                // pool: talent events reach it without the person.
                var subjects = event.subjects
                if event.type.hasPrefix("talent.") { subjects["person"] = nil }
                let payload: JSONValue = [
                    "type": .string(event.type), "timestamp": .string(event.time),
                    "data": ["event": .string(event.id), "subjects": .object(subjects), "change": event.change],
                ]
                messages.append(WebhookMessage(
                    id: IdentifierKind.message.make(at: now), webhookID: webhook.id, eventID: event.id, eventType: event.type,
                    payload: try payload.canonicalString(), createdAt: event.time, status: .pending, attempts: 0,
                    nextAttemptAt: Int(now.timeIntervalSince1970 * 1000)))
            }
        }
        try tx.webhooks.enqueue(messages)
    }

    // MARK: Delivery (the server's deliverer)

    /// Leases up to `limit` due messages for `leaseMilliseconds` (a deliverer that dies leaves
    /// them to be taken again when the lease runs out: at least once).
    /// - Throws: `store.*`.
    public func leaseDue(limit: Int, leaseMilliseconds: Int) throws(SkillError) -> [Delivery] {
        let now = Int(context.now.timeIntervalSince1970 * 1000)
        // Polling is a read: only when something is due does the deliverer take the writer lock
        // (which on PostgreSQL also moves the change version every cache watches).
        guard try context.read({ tx in try tx.webhooks.anyDue(now: now) }) else { return [] }
        let leased = try context.write { tx in try tx.webhooks.lease(now: now, leaseMilliseconds: leaseMilliseconds, limit: limit) }
        var out: [Delivery] = []
        try context.read { tx in
            var subscriptions: [String: (Webhook, String)] = [:]
            for message in leased {
                if subscriptions[message.webhookID] == nil, let found = try tx.webhooks.webhook(message.webhookID) {
                    subscriptions[message.webhookID] = (found.webhook, try context.vault.open(found.secretCiphertext, record: found.webhook.id, column: "webhook_secret"))
                }
                guard let (webhook, secret) = subscriptions[message.webhookID] else { continue }
                out.append(Delivery(message: message, url: webhook.url, secret: secret))
            }
        }
        return out
    }

    /// What one attempt came to.
    public enum Attempt: Sendable {
        case delivered
        case failed(String)
    }

    /// Writes an attempt's outcome: delivered, due again after the policy's backoff, or dead.
    /// - Parameter random: a number in 0…1 for the jitter.
    /// - Returns: the message as written.
    public func record(_ message: WebhookMessage, _ attempt: Attempt, policy: RetryPolicy, random: Double = Double.random(in: 0...1)) throws(SkillError) -> WebhookMessage {
        let date = context.now
        var m = message
        m.attempts += 1
        switch attempt {
        case .delivered:
            m.status = .delivered
            m.deliveredAt = Timestamp.format(date)
            m.lastError = nil
        case .failed(let why):
            m.lastError = String(why.prefix(200))
            if let delay = policy.delay(afterAttempts: m.attempts, random: random) {
                m.nextAttemptAt = Int(date.timeIntervalSince1970 * 1000) + delay
            } else {
                m.status = .dead
            }
        }
        let written = m
        try context.write { tx in try tx.webhooks.record(written) }
        return written
    }

    /// The `webhook-signature` value for a message: `v1,` and the base64 HMAC-SHA256 of
    /// `id.timestamp.body` under the secret's key (Standard Webhooks).
    public static func signature(id: String, timestamp: Int, body: String, secret: String) -> String {
        let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))).map(Array.init) ?? []
        return "v1," + Data(HMACSHA256.authenticate(Array("\(id).\(timestamp).\(body)".utf8), key: SecretBytes(key))).base64EncodedString()
    }
}
