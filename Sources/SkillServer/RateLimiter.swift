import Foundation
import Synchronization

/// A token bucket per client address: `perMinute` requests, refilled continuously.
final class RateLimiter: Sendable {
    private let perMinute: Double
    private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    init(perMinute: Int) { self.perMinute = Double(max(1, perMinute)) }

    /// Takes one token for `client`; returns the seconds to wait when there is none.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { all in
            var bucket = all[client] ?? (perMinute, now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(perMinute, bucket.tokens + seconds * perMinute / 60)
            bucket.at = now
            if all.count > 100_000 { all.removeAll(keepingCapacity: true) }  // bounded memory under address churn
            guard bucket.tokens >= 1 else {
                all[client] = bucket
                return Int(((1 - bucket.tokens) * 60 / perMinute).rounded(.up))
            }
            bucket.tokens -= 1
            all[client] = bucket
            return nil
        }
    }
}

/// Admission control: at most `limit` API requests at once in the handlers. Past that the
/// server answers 503 with `Retry-After` at once instead of queueing without bound, so overload
/// shows as a clear, retryable refusal rather than as ever-growing latency.
final class Admission: Sendable {
    private let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a slot; false when all are taken.
    func enter() -> Bool {
        if inFlight.wrappingAdd(1, ordering: .relaxed).newValue > limit {
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() { inFlight.wrappingSubtract(1, ordering: .relaxed) }
}
