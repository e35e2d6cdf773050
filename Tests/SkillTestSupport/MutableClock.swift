import Foundation

/// A clock tests move by hand, for banks opened with `clock: clock.now`.
public final class MutableClock: @unchecked Sendable {
    private var current: Date
    private let lock = NSLock()
    public init(_ start: Date = Date()) { current = start }
    public var now: @Sendable () -> Date { { [self] in lock.withLock { current } } }
    public func advance(days: Double) { lock.withLock { current = current.addingTimeInterval(days * 86_400) } }
    public func advance(seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}
