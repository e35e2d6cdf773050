import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import SkillCore
import SkillLedger

/// How the server delivers the webhook outbox.
public struct WebhookDeliveryConfiguration: Sendable {
    /// How long to wait when nothing is due.
    public var pollMilliseconds: Int = 500
    /// Messages leased at a time.
    public var batch: Int = 32
    /// How long a leased message is this deliverer's: after that (a crash), another takes it.
    public var leaseMilliseconds: Int = 30_000
    /// A receiver must answer within this long.
    public var timeoutSeconds: Int = 10
    /// Deliveries in flight at once.
    public var concurrency: Int = 8
    public var policy = RetryPolicy()

    public init() {}
}

/// Delivers the webhook outbox from inside `serve`: leases due messages, posts each with the
/// Standard Webhooks headers, and records the outcome (the next attempt after backoff and
/// jitter, or a dead letter). A message's id and body are the same on every attempt; the
/// timestamp and signature are of the attempt. Several `serve` processes may run it at once:
/// a lease gives each message to one of them, and a crash only delays it until the lease ends.
public struct WebhookDeliverer: Sendable {
    let bank: Bank
    let configuration: WebhookDeliveryConfiguration
    let logger: Logger

    static let delivered = SkillServer.metric { Counter(label: "skillbank_webhook_deliveries_total", dimensions: [("outcome", "delivered")]) }
    static let failed = SkillServer.metric { Counter(label: "skillbank_webhook_deliveries_total", dimensions: [("outcome", "failed")]) }
    static let dead = SkillServer.metric { Counter(label: "skillbank_webhook_deliveries_total", dimensions: [("outcome", "dead")]) }

    public init(bank: Bank, configuration: WebhookDeliveryConfiguration, logger: Logger) {
        self.bank = bank
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var clientConfiguration = HTTPClient.Configuration()
        // A webhook goes where it was registered, not where a redirect points.
        clientConfiguration.redirectConfiguration = .disallow
        // The outbox retries with its own backoff: a receiver that refuses connections fails the
        // attempt at once instead of holding a delivery slot until the request's deadline.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(configuration.timeoutSeconds)))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        while !Task.isCancelled {
            let due: [Webhooks.Delivery]
            do {
                due = try bank.webhooks.leaseDue(limit: configuration.batch, leaseMilliseconds: configuration.leaseMilliseconds)
            } catch {
                logger.error("webhook outbox unreadable", metadata: ["code": .string(error.code.rawValue), "cause": .string(error.cause ?? error.message)])
                due = []
            }
            if due.isEmpty {
                try? await Task.sleep(for: .milliseconds(configuration.pollMilliseconds))
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for delivery in due {
                    if running == configuration.concurrency {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await deliver(delivery, with: client) }
                    running += 1
                }
            }
        }
        try? await client.shutdown()
    }

    /// One attempt, and its outcome written.
    func deliver(_ d: Webhooks.Delivery, with client: HTTPClient) async {
        let attempt = await send(d, with: client)
        do {
            let written = try bank.webhooks.record(d.message, attempt, policy: configuration.policy)
            switch written.status {
            case .delivered: Self.delivered.increment()
            case .dead:
                Self.dead.increment()
                logger.warning("webhook dead-lettered", metadata: ["message": .string(d.message.id), "webhook": .string(d.message.webhookID),
                                                                   "attempts": .stringConvertible(written.attempts), "error": .string(written.lastError ?? "")])
            case .pending:
                Self.failed.increment()
                logger.info("webhook attempt failed", metadata: ["message": .string(d.message.id), "webhook": .string(d.message.webhookID),
                                                                 "attempts": .stringConvertible(written.attempts), "error": .string(written.lastError ?? "")])
            }
        } catch {
            // Not recorded: the lease runs out and the message is sent again (at least once).
            logger.error("webhook outcome not recorded", metadata: ["message": .string(d.message.id), "code": .string(error.code.rawValue)])
        }
    }

    func send(_ d: Webhooks.Delivery, with client: HTTPClient) async -> Webhooks.Attempt {
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: d.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "SkillBank-Webhooks/1")
        request.headers.add(name: "webhook-id", value: d.message.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: Webhooks.signature(id: d.message.id, timestamp: timestamp, body: d.message.payload, secret: d.secret))
        request.body = .bytes(ByteBuffer(string: d.message.payload))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(configuration.timeoutSeconds)))
            // Read (and drop) what the receiver said, so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(Int(response.status.code)) ? .delivered : .failed("HTTP \(response.status.code)")
        } catch {
            return .failed(String(describing: error))
        }
    }
}
