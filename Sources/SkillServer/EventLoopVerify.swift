import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import Metrics
import NIOCore
import NIOHTTPTypes
import NIOPosix
import SkillCore
import SkillLedger
import Synchronization

/// `POST /v1/verify` taken from the event loop straight to the blocking pool and back.
///
/// Through the router a verification crosses four thread hand-offs: the event loop reads it, a
/// Swift concurrency thread parses it, the blocking pool checks it, a concurrency thread takes the
/// reply back, and the event loop writes it. Every hand-off is a wake-up and a cache refill, and
/// under load the threads take the two cores from one another: a verification that costs 150 µs
/// alone took 250–300 µs of pool time in the server. A verification is pure CPU against a
/// verifier prepared once per ledger change, so here the event loop collects the body and gives
/// the whole job (parse, check, reply) to the blocking pool, which hands the finished reply back
/// to the event loop to write: two hand-offs instead of four. The pool's one queue keeps both
/// cores busy whichever connection the work came from, and the event loops stay free for I/O and
/// accepting connections. (Answering on the event loop itself was tried: lower p99, but one busy
/// event loop held new connections back by 100–180 ms at the start of every wrk run.)
///
/// The same endpoint, body check, handler, problem documents, rate limit, request log and metrics
/// serve both paths; only the threading differs. A request is taken here only when nothing else is
/// in flight on its connection (so pipelined replies keep their order) and when it is plain: a
/// `Content-Length` within the body limit, no `Expect`, no `Connection: close`. Anything else goes
/// on to the router, which handles every case. While a taken request is being answered the
/// connection reads nothing more, and whatever had already arrived waits its turn.
struct VerifyingHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let shared: EventLoopVerify

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // After Hummingbird's connection state handler, so that idle time and graceful
            // shutdown count the requests answered here like any other.
            let state = try channel.pipeline.syncOperations.handler(type: HTTPConnectionStateHandler.self)
            try channel.pipeline.syncOperations.addHandler(
                EventLoopVerifyHandler(shared, client: channel.remoteAddress?.ipAddress ?? "local"), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// What every connection's handler shares: the endpoint and its collaborators, and the metrics.
final class EventLoopVerify: Sendable {
    let endpoint: Endpoint
    let ledger: Ledger
    let configuration: ServerConfiguration
    let limiter: RateLimiter
    let admission: Admission
    let logger: Logger
    let serverName: String?
    /// Runs a request's work off the event loop and completes on it (the blocking pool; tests run
    /// it in place).
    let offload: @Sendable (any EventLoop, @escaping @Sendable () -> ReplyParts) -> EventLoopFuture<ReplyParts>
    private let metrics = Mutex<[Int: (Counter, Metrics.Timer)]>([:])
    private let active = SkillServer.metric { Meter(label: "http.server.active_requests", dimensions: [("http.request.method", "POST")]) }

    init(
        ledger: Ledger, configuration: ServerConfiguration, limiter: RateLimiter, admission: Admission, logger: Logger, serverName: String?,
        offload: @escaping @Sendable (any EventLoop, @escaping @Sendable () -> ReplyParts) -> EventLoopFuture<ReplyParts> = { loop, work in
            NIOThreadPool.singleton.runIfActive(eventLoop: loop, work)
        }
    ) {
        endpoint = API.endpoints.first { $0.method == .post && $0.path == "/v1/verify" }!
        self.offload = offload
        self.ledger = ledger
        self.configuration = configuration
        self.limiter = limiter
        self.admission = admission
        self.logger = logger
        self.serverName = serverName
    }

    /// The body length of a request head that may be answered here, or nil when it goes to the
    /// router.
    func plainBodyLength(_ head: HTTPRequest) -> Int? {
        guard head.method == .post, head.path == endpoint.path,
              let length = head.headerFields[.contentLength].flatMap(Int.init), length <= configuration.maxBodyBytes,
              head.headerFields[.expect] == nil, head.headerFields[.transferEncoding] == nil,
              head.headerFields[values: .connection].allSatisfy({ !$0.lowercased().contains("close") })
        else { return nil }
        return length
    }

    /// The reply to a whole request, as the router would give it.
    func answer(_ raw: [UInt8], headers: HTTPFields, client: String) -> ReplyParts {
        let instance = endpoint.path
        do {
            if endpoint.limited, let wait = limiter.take(client) { return Dispatcher.rateLimited(retryAfter: wait, instance: instance) }
            switch try Dispatcher.parseBody(of: endpoint, raw, instance: instance) {
            case .invalid(let problem):
                return problem
            case .value(let body):
                let call = Call(ledger: ledger, token: nil, path: [:], query: [:], body: body, raw: raw, headers: headers,
                                client: client, server: configuration)
                return try endpoint.handler(call).parts()
            }
        } catch {
            return Dispatcher.failure(error, instance: instance, logger: logger)
        }
    }

    /// Counts a reply under the same names and dimensions as Hummingbird's metrics middleware.
    func record(_ status: HTTPResponse.Status, nanoseconds: Int64) {
        let (counter, timer) = metrics.withLock { cache in
            if let hit = cache[status.code] { return hit }
            let dimensions = [("http.route", endpoint.path), ("http.request.method", "POST"), ("http.response.status_code", String(status.code))]
            let made = SkillServer.metric {
                (Counter(label: "hb.requests", dimensions: dimensions),
                 Metrics.Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds))
            }
            cache[status.code] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(nanoseconds)
    }

    func started() { active.increment() }
    func finished() { active.decrement() }
}

/// One connection's handler: collects a request it takes, has it answered, and passes everything
/// else on untouched.
final class EventLoopVerifyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private struct Pending {
        let head: HTTPRequest
        let start: ContinuousClock.Instant
        let deadline: ContinuousClock.Instant
        var body: [UInt8]
    }

    private let shared: EventLoopVerify
    private let client: String
    /// A taken request whose body is still arriving.
    private var pending: Pending?
    /// A taken request is being answered: nothing else is read or handled until its reply is out.
    private var answering = false
    /// What arrived while answering, in order.
    private var held: [HTTPRequestPart] = []
    /// A read asked for while answering, to be passed on afterwards.
    private var readDeferred = false
    /// Requests passed on to the router whose reply has not been written whole.
    private var passedOn = 0

    init(_ shared: EventLoopVerify, client: String) {
        self.shared = shared
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if answering { return held.append(part) }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            if passedOn == 0, let length = shared.plainBodyLength(head) {
                let now = ContinuousClock.now
                var body: [UInt8] = []
                body.reserveCapacity(length)
                pending = Pending(head: head, start: now, deadline: now + .seconds(max(1, shared.configuration.bodyTimeoutSeconds)), body: body)
                shared.started()
            } else {
                passedOn += 1
                context.fireChannelRead(wrapInboundOut(part))
            }
        case .body(let chunk):
            guard var request = pending else { return context.fireChannelRead(wrapInboundOut(part)) }
            pending = nil
            request.body += chunk.readableBytesView
            if ContinuousClock.now > request.deadline {
                // As the router does with a body that trickles in: refuse it, and close, since
                // the rest of it would still be on its way.
                let problem = Problem.parts(Dispatcher.bodyTimedOut(after: shared.configuration.bodyTimeoutSeconds), instance: shared.endpoint.path)
                write(problem, for: request, context: context)
                context.close(promise: nil)
                return
            }
            pending = request
        case .end:
            guard let request = pending else { return context.fireChannelRead(wrapInboundOut(part)) }
            pending = nil
            guard shared.admission.enter() else { return write(Dispatcher.overloaded(instance: shared.endpoint.path), for: request, context: context) }
            answering = true
            let shared = shared, client = client, body = request.body, headers = request.head.headerFields
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            shared.offload(context.eventLoop) { shared.answer(body, headers: headers, client: client) }.whenComplete { result in
                shared.admission.leave()
                let (handler, context) = loopBound.value
                let reply: ReplyParts
                switch result {
                case .success(let answer): reply = answer
                case .failure: reply = Problem.parts(SkillError(.overloaded, "the server is shutting down; retry shortly"), instance: shared.endpoint.path)
                }
                handler.finish(reply, for: request, context: context)
            }
        }
    }

    /// Writes the answer, then handles what arrived meanwhile and passes on a deferred read.
    private func finish(_ reply: ReplyParts, for request: Pending, context: ChannelHandlerContext) {
        answering = false
        guard context.channel.isActive else { return }
        write(reply, for: request, context: context)
        while !answering, !held.isEmpty { handle(held.removeFirst(), context: context) }
        if !answering, readDeferred {
            readDeferred = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if answering { readDeferred = true } else { context.read() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn -= 1 }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if pending != nil || answering {
            pending = nil
            shared.finished()
        }
        held.removeAll()
        context.fireChannelInactive()
    }

    private func write(_ reply: ReplyParts, for request: Pending, context: ChannelHandlerContext) {
        var head = HTTPResponse(status: reply.status, headerFields: reply.headers)
        head.headerFields[.contentLength] = String(reply.body.count)
        head.headerFields[.date] = HTTPDate.now()
        if let name = shared.serverName { head.headerFields[.server] = name }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: reply.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let elapsed = ContinuousClock.now - request.start
        shared.record(reply.status, nanoseconds: elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        shared.finished()
        RequestLogMiddleware.log(shared.logger, id: RequestID().description, method: request.head.method, route: shared.endpoint.path,
                                 status: reply.status, elapsed: elapsed)
    }
}

/// The `Date` header's IMF-fixdate form (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String { format(epochSeconds: Int(Date().timeIntervalSince1970)) }

    static func format(epochSeconds: Int) -> String {
        var clock = time_t(epochSeconds)
        var t = tm()
        gmtime_r(&clock, &t)
        let two = { (v: Int32) in v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(Int(t.tm_year) + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
