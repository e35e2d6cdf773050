/// An institution's webhook subscription: where to deliver, and which event types.
public struct Webhook: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let url: String
    /// Event types (`certificate.issued`), family wildcards (`certificate.*`) or `*`.
    public let eventTypes: [String]
    public let createdAt: String
    public var disabledAt: String?

    public init(id: String, institutionID: String, url: String, eventTypes: [String], createdAt: String, disabledAt: String? = nil) {
        self.id = id
        self.institutionID = institutionID
        self.url = url
        self.eventTypes = eventTypes
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    /// Whether an event of `type` about `institution` goes to this subscription.
    public func wants(_ type: String, institution: String?) -> Bool {
        guard disabledAt == nil, institution == institutionID else { return false }
        return eventTypes.contains { $0 == "*" || $0 == type || ($0.hasSuffix(".*") && type.hasPrefix($0.dropLast())) }
    }

    /// What an event-type filter may say: `*`, `family.*` or `family.action`.
    public static let eventTypePattern = "^(\\*|[a-z][a-z-]*\\.(\\*|[a-z][a-z-]*))$"

    public var json: JSONValue {
        ["id": .string(id), "institution": .string(institutionID), "url": .string(url), "event_types": .array(eventTypes.map(JSONValue.string)),
         "created_at": .string(createdAt), "disabled_at": .optional(disabledAt)]
    }
}

/// Where a webhook message stands.
public enum WebhookMessageStatus: String, Sendable, CaseIterable {
    /// Waiting for its next attempt.
    case pending
    /// The receiver answered 2xx.
    case delivered
    /// Every attempt failed: kept as a dead letter until the operator replays it.
    case dead
}

/// One message of the transactional outbox: written in the same unit of work as its event,
/// its payload fixed then and sent byte for byte on every attempt.
public struct WebhookMessage: Sendable, Hashable {
    /// The `webhook-id` (Standard Webhooks): the same on every attempt.
    public let id: String
    public let webhookID: String
    public let eventID: String
    public let eventType: String
    /// The exact body sent (JSON `{"type","timestamp","data"}`).
    public let payload: String
    public let createdAt: String
    public var status: WebhookMessageStatus
    public var attempts: Int
    /// When the next attempt is due, in milliseconds since 1970.
    public var nextAttemptAt: Int
    public var lastError: String?
    public var deliveredAt: String?

    public init(id: String, webhookID: String, eventID: String, eventType: String, payload: String, createdAt: String, status: WebhookMessageStatus,
                attempts: Int, nextAttemptAt: Int, lastError: String? = nil, deliveredAt: String? = nil) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
        self.createdAt = createdAt
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }

    public var json: JSONValue {
        ["id": .string(id), "webhook": .string(webhookID), "event": .string(eventID), "type": .string(eventType), "created_at": .string(createdAt),
         "status": .string(status.rawValue), "attempts": .int(attempts), "next_attempt_at": .string(Timestamp.format(epochMilliseconds: nextAttemptAt)),
         "last_error": .optional(lastError), "delivered_at": .optional(deliveredAt)]
    }
}

/// When to try a failed delivery again: exponential backoff with full jitter, capped, and a
/// dead letter after `maxAttempts`. Pure, so its schedule is tested with plain values.
public struct RetryPolicy: Sendable, Hashable {
    public let baseMilliseconds: Int
    public let capMilliseconds: Int
    public let maxAttempts: Int

    public init(baseMilliseconds: Int = 5_000, capMilliseconds: Int = 3_600_000, maxAttempts: Int = 8) {
        self.baseMilliseconds = baseMilliseconds
        self.capMilliseconds = capMilliseconds
        self.maxAttempts = maxAttempts
    }

    /// After the `attempts`-th failed attempt: the delay before the next one (half fixed, half
    /// random, so many receivers coming back at once are not hit together), or nil for a dead letter.
    public func delay(afterAttempts attempts: Int, random: Double) -> Int? {
        guard attempts < maxAttempts else { return nil }
        let exponential = min(capMilliseconds, baseMilliseconds << min(max(attempts - 1, 0), 30))
        return exponential / 2 + Int(Double(exponential / 2) * min(max(random, 0), 1))
    }
}
