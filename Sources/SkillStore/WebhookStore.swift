import SkillCore

/// Webhook subscriptions and their transactional outbox.
public protocol WebhookStore {
    func insert(_ webhook: Webhook, secretCiphertext: [UInt8], eventID: String) throws
    /// A subscription with its sealed secret, or nil.
    func webhook(_ id: String) throws -> (webhook: Webhook, secretCiphertext: [UInt8])?
    /// Subscriptions (of one institution when given), in id order, disabled ones included.
    func webhooks(institution: String?) throws -> [Webhook]
    func disable(_ id: String, at time: String, eventID: String) throws
    /// Writes outbox messages (inside the unit of work of their events).
    func enqueue(_ messages: [WebhookMessage]) throws
    /// Whether any pending message is due at `now` and not leased: a read, so an idle deliverer
    /// takes no writer lock and moves no change version.
    func anyDue(now: Int) throws -> Bool
    /// Takes up to `limit` pending messages due at `now` whose lease has run out, leasing each
    /// to the caller until `now + leaseMilliseconds` so no other deliverer takes it meanwhile.
    func lease(now: Int, leaseMilliseconds: Int, limit: Int) throws -> [WebhookMessage]
    /// Writes the outcome of an attempt (the payload never changes) and ends the lease.
    func record(_ message: WebhookMessage) throws
    func message(_ id: String) throws -> WebhookMessage?
    /// Messages of one subscription in id order after `cursor`, of one status when given.
    func messages(webhook: String, status: WebhookMessageStatus?, after cursor: String?, limit: Int) throws -> [WebhookMessage]
    /// How many messages are in each status.
    func counts() throws -> [WebhookMessageStatus: Int]
}

/// `WebhookStore` in SQL both stores run.
public struct SQLWebhooks: WebhookStore {
    let db: any SQLStatements

    public init(_ db: any SQLStatements) { self.db = db }

    public func insert(_ w: Webhook, secretCiphertext: [UInt8], eventID: String) throws {
        try db.execute("""
            INSERT INTO webhooks(id, institution_id, url, event_types, secret_ciphertext, created_at, disabled_at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(w.id), .text(w.institutionID), .text(w.url), .text(try JSONValue.array(w.eventTypes.map(JSONValue.string)).canonicalString()),
                  .bytes(secretCiphertext), .text(w.createdAt), .optional(w.disabledAt), .text(eventID)])
    }

    static let webhookColumns = "id, institution_id, url, event_types, created_at, disabled_at, secret_ciphertext"

    static func webhook(_ r: StoreRow) throws -> Webhook {
        guard case .array(let types) = try r.json(3) else { throw SkillError(.storeFailure, "the store holds a damaged row", cause: "webhooks.event_types") }
        return Webhook(id: try r.text(0), institutionID: try r.text(1), url: try r.text(2), eventTypes: types.compactMap(\.stringValue),
                       createdAt: try r.text(4), disabledAt: try r.optionalText(5))
    }

    public func webhook(_ id: String) throws -> (webhook: Webhook, secretCiphertext: [UInt8])? {
        try db.rows("webhooks", "SELECT \(Self.webhookColumns) FROM webhooks WHERE id = ?", [.text(id)]).first.map { (try Self.webhook($0), try $0.bytes(6)) }
    }

    public func webhooks(institution: String?) throws -> [Webhook] {
        let rows = try institution.map { try db.rows("webhooks", "SELECT \(Self.webhookColumns) FROM webhooks WHERE institution_id = ? ORDER BY id", [.text($0)]) }
            ?? db.rows("webhooks", "SELECT \(Self.webhookColumns) FROM webhooks ORDER BY id")
        return try rows.map(Self.webhook)
    }

    public func disable(_ id: String, at time: String, eventID: String) throws {
        try db.execute("UPDATE webhooks SET disabled_at = ?, disabled_event_id = ? WHERE id = ? AND disabled_at IS NULL", [.text(time), .text(eventID), .text(id)])
        // What was waiting for a disabled subscription is not sent.
        try db.execute("UPDATE webhook_messages SET status = 'dead', last_error = 'subscription disabled' WHERE webhook_id = ? AND status = 'pending'", [.text(id)])
    }

    public func enqueue(_ messages: [WebhookMessage]) throws {
        for m in messages {
            try db.execute("""
                INSERT INTO webhook_messages(id, webhook_id, event_id, event_type, payload, created_at, status, attempts, next_attempt_at, last_error, delivered_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(m.id), .text(m.webhookID), .text(m.eventID), .text(m.eventType), .text(m.payload), .text(m.createdAt), .text(m.status.rawValue),
                      .int(m.attempts), .int(m.nextAttemptAt), .optional(m.lastError), .optional(m.deliveredAt)])
        }
    }

    static let messageColumns = "id, webhook_id, event_id, event_type, payload, created_at, status, attempts, next_attempt_at, last_error, delivered_at"

    static func message(_ r: StoreRow) throws -> WebhookMessage {
        WebhookMessage(id: try r.text(0), webhookID: try r.text(1), eventID: try r.text(2), eventType: try r.text(3), payload: try r.text(4),
                       createdAt: try r.text(5), status: try r.choice(6, WebhookMessageStatus.self), attempts: try r.int(7), nextAttemptAt: try r.int(8),
                       lastError: try r.optionalText(9), deliveredAt: try r.optionalText(10))
    }

    public func anyDue(now: Int) throws -> Bool {
        try !db.rows("webhook_messages", """
            SELECT 1 FROM webhook_messages WHERE status = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?) LIMIT 1
            """, [.int(now), .int(now)]).isEmpty
    }

    public func lease(now: Int, leaseMilliseconds: Int, limit: Int) throws -> [WebhookMessage] {
        let due = try db.rows("webhook_messages", """
            SELECT id FROM webhook_messages WHERE status = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
            ORDER BY next_attempt_at, id LIMIT \(max(0, limit))
            """, [.int(now), .int(now)])
        var leased: [WebhookMessage] = []
        for row in due {
            // The condition is checked again as the row is updated: of two deliverers racing for
            // one message, one gets it back and the other gets nothing.
            let taken = try db.rows("webhook_messages", """
                UPDATE webhook_messages SET leased_until = ? WHERE id = ? AND status = 'pending' AND (leased_until IS NULL OR leased_until <= ?)
                RETURNING \(Self.messageColumns)
                """, [.int(now + leaseMilliseconds), .text(try row.text(0)), .int(now)])
            leased += try taken.map(Self.message)
        }
        return leased
    }

    public func record(_ m: WebhookMessage) throws {
        try db.execute("""
            UPDATE webhook_messages SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?, leased_until = NULL WHERE id = ?
            """, [.text(m.status.rawValue), .int(m.attempts), .int(m.nextAttemptAt), .optional(m.lastError), .optional(m.deliveredAt), .text(m.id)])
    }

    public func message(_ id: String) throws -> WebhookMessage? {
        try db.rows("webhook_messages", "SELECT \(Self.messageColumns) FROM webhook_messages WHERE id = ?", [.text(id)]).first.map(Self.message)
    }

    public func messages(webhook: String, status: WebhookMessageStatus?, after cursor: String?, limit: Int) throws -> [WebhookMessage] {
        var sql = "SELECT \(Self.messageColumns) FROM webhook_messages WHERE webhook_id = ? AND id > ?"
        var arguments: [StoreValue] = [.text(webhook), .text(cursor ?? "")]
        if let status {
            sql += " AND status = ?"
            arguments.append(.text(status.rawValue))
        }
        return try db.rows("webhook_messages", sql + " ORDER BY id LIMIT \(max(0, limit))", arguments).map(Self.message)
    }

    public func counts() throws -> [WebhookMessageStatus: Int] {
        var out: [WebhookMessageStatus: Int] = [:]
        for r in try db.rows("webhook_messages", "SELECT status, count(*) FROM webhook_messages GROUP BY status") {
            out[try r.choice(0, WebhookMessageStatus.self)] = try r.int(1)
        }
        return out
    }
}
