import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import SkillCore
import SkillLedger
@testable import SkillServer
import Testing

/// `POST /v1/verify` taken before the router (event loop → blocking pool → event loop) must be
/// indistinguishable from the router's answer, and must step aside for anything it does not take.
@Suite struct EventLoopVerifyTests {
    /// The whole server as `skillbank serve` builds it, on a free port.
    func served(_ f: ServerFixture) -> some ApplicationProtocol {
        var configuration = f.configuration
        configuration.port = 0
        return SkillServer.application(ledger: f.ledger, configuration: configuration, logger: ServerFixture.quietLogger)
    }

    @Test func answersExactlyAsTheRouterDoes() async throws {
        let f = try ServerFixture()
        let vc = try f.ledger.export(f.certificate.id, format: .vc)
        let bodies = [
            #"{"credential":\#(vc)}"#,
            #"{"credential":\#(vc.replacingOccurrences(of: "四级/中级工", with: "一级/高级技师"))}"#,
            #"{"credential":5}"#,
            #"{"credential":"#,
            #"{"jwt":"a.b.c"}"#,
            "",
        ]
        let expected = try await f.application().test(.router) { client in
            var answers: [(HTTPResponse.Status, String, String?)] = []
            for body in bodies {
                let r = try await client.call(.post, "/v1/verify", json: body)
                answers.append((r.status, r.text, r.headers[.contentType]))
            }
            return answers
        }
        try await served(f).test(.live) { client in
            for (body, want) in zip(bodies, expected) {
                let r = try await client.call(.post, "/v1/verify", json: body)
                #expect(r.status == want.0)
                #expect(r.text == want.1)
                #expect(r.headers[.contentType] == want.2)
                #expect(r.headers[.server] == "SkillBank" && r.headers[.date]?.hasSuffix(" GMT") == true)
            }
            // The verdicts themselves, so that "the same" cannot mean "the same failure".
            #expect(try await client.call(.post, "/v1/verify", json: bodies[0]).json?["verdict"] == "valid")
            #expect(try await client.call(.post, "/v1/verify", json: bodies[1]).json?["reasons"] == ["proof-invalid"])
            // Counted under the router's metric names, and as verifications.
            let metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains(#"hb_requests{http_route="/v1/verify",http_request_method="POST",http_response_status_code="200"}"#))
            #expect(metrics.contains(#"http_response_status_code="422""#) && metrics.contains("skillbank_verifications_total"))
        }
    }

    @Test func sharesTheRouterRateLimitAndItsLimits() async throws {
        let f = try ServerFixture(rateLimit: 3)
        try await served(f).test(.live) { client in
            // Two on the event loop, one through the router (a query string is not taken here):
            // one allowance, so the fourth is refused.
            #expect(try await client.call(.post, "/v1/verify", json: #"{"jwt":"a.b.c"}"#).status == .ok)
            #expect(try await client.call(.post, "/v1/verify?x=1", json: #"{"jwt":"a.b.c"}"#).status == .ok)
            #expect(try await client.call(.post, "/v1/verify", json: #"{"jwt":"a.b.c"}"#).status == .ok)
            let limited = try await client.call(.post, "/v1/verify", json: #"{"jwt":"a.b.c"}"#)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil && limited.json?["code"] == "http.rate-limited")
        }
        let g = try ServerFixture()
        try await served(g).test(.live) { client in
            // Over the body limit: not taken here, refused by the router before it is buffered.
            let big = String(repeating: "a", count: (1 << 20) + 10)
            let response = try await client.call(.post, "/v1/verify", json: #"{"jwt":"\#(big)"}"#)
            #expect(response.status == .contentTooLarge && response.json?["code"] == "http.body-too-large")
        }
    }

    // MARK: The handler on its own, on an embedded channel

    /// The shared part with the work run in place (an embedded loop cannot be completed from
    /// another thread), or by `manual`.
    func shared(_ f: ServerFixture, manual: ManualOffload? = nil, admission: Int = 512) -> EventLoopVerify {
        EventLoopVerify(ledger: f.ledger, configuration: f.configuration, limiter: RateLimiter(perMinute: 10_000),
                        admission: Admission(limit: admission), logger: ServerFixture.quietLogger, serverName: "SkillBank") { loop, work in
            manual?.hold(loop, work) ?? loop.makeSucceededFuture(work())
        }
    }

    func handlerChannel(_ f: ServerFixture, manual: ManualOffload? = nil, admission: Int = 512) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: EventLoopVerifyHandler(shared(f, manual: manual, admission: admission), client: "test"))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }

    func verifyHead(_ length: Int, _ extra: HTTPFields = [:]) -> HTTPRequestPart {
        var fields: HTTPFields = [.contentType: "application/json", .contentLength: String(length)]
        fields.append(contentsOf: extra)
        return .head(HTTPRequest(method: .post, scheme: nil, authority: "localhost", path: "/v1/verify", headerFields: fields))
    }

    func send(_ channel: EmbeddedChannel, _ body: String, _ extra: HTTPFields = [:]) throws {
        try channel.writeInbound(verifyHead(body.utf8.count, extra))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: body)))
        try channel.writeInbound(HTTPRequestPart.end(nil))
    }

    /// The parts the handler passed on to the router.
    func passedOn(_ channel: EmbeddedChannel) throws -> [HTTPRequestPart] {
        var parts: [HTTPRequestPart] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) { parts.append(part) }
        return parts
    }

    /// The reply the handler wrote itself: head and body.
    func replied(_ channel: EmbeddedChannel) throws -> (HTTPResponse, String)? {
        guard case .head(let head)? = try channel.readOutbound(as: HTTPResponsePart.self),
              case .body(let body)? = try channel.readOutbound(as: HTTPResponsePart.self),
              case .end? = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        return (head, String(buffer: body))
    }

    @Test func takesAPlainVerificationAndPassesTheRestOn() throws {
        let f = try ServerFixture()
        let channel = try handlerChannel(f)
        try send(channel, #"{"jwt":"a.b.c"}"#)
        let reply = try #require(try replied(channel))
        #expect(reply.0.status == .ok && reply.0.headerFields[.contentLength] == String(reply.1.utf8.count))
        #expect(reply.1.contains(#""verdict":"invalid""#))
        #expect(try passedOn(channel).isEmpty)

        // Not plain: each goes on to the router whole, and nothing is answered here. The router's
        // reply is written after each, so every case meets a free connection and is refused for
        // what it is, not for what came before it.
        let noLength = [HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "localhost", path: "/v1/verify",
                                                         headerFields: [.contentType: "application/json"])), .end(nil)]
        let tooLong = [verifyHead((1 << 20) + 1), .end(nil)]
        let notPlain: [[HTTPRequestPart]] = [
            [verifyHead(2, [.connection: "close"]), .body(ByteBuffer(string: "{}")), .end(nil)],
            [verifyHead(2, [.expect: "100-continue"]), .body(ByteBuffer(string: "{}")), .end(nil)],
            noLength, tooLong,
        ]
        for parts in notPlain {
            for part in parts { try channel.writeInbound(part) }
            #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
            #expect(try passedOn(channel).count == parts.count)
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
            while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
        }
        // And the connection is still taken for a plain one afterwards.
        try send(channel, #"{"jwt":"a.b.c"}"#)
        #expect(try replied(channel)?.0.status == .ok)
        _ = try channel.finish()
    }

    @Test func keepsPipelinedRepliesInOrder() throws {
        let f = try ServerFixture()
        let channel = try handlerChannel(f)
        // A request for the router arrives first; a verification behind it must wait its turn, so
        // it goes to the router too.
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "localhost", path: "/healthz")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try send(channel, #"{"jwt":"a.b.c"}"#)
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        #expect(try passedOn(channel).count == 5)
        // The router answers both; then the connection is free and the next one is taken here.
        for _ in 0..<2 {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
        try send(channel, #"{"jwt":"a.b.c"}"#)
        #expect(try replied(channel)?.0.status == .ok)
        #expect(try passedOn(channel).isEmpty)
        _ = try channel.finish()
    }

    @Test func whatArrivesWhileAnsweringWaitsItsTurn() throws {
        let f = try ServerFixture()
        let manual = ManualOffload()
        let channel = try handlerChannel(f, manual: manual)
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads, position: .first)
        try send(channel, #"{"jwt":"a.b.c"}"#)
        // Being answered: a second request is held, not passed on and not started, and the
        // connection asks for no more bytes.
        try send(channel, #"{"jwt":"x.y.z"}"#)
        channel.read()
        #expect(manual.waiting == 1 && reads.count == 0)
        #expect(try passedOn(channel).isEmpty && channel.readOutbound(as: HTTPResponsePart.self) == nil)
        // The first reply goes out; the held request is then taken, and the read passes on once
        // it too is answered.
        manual.runAll()
        #expect(try replied(channel)?.0.status == .ok)
        #expect(manual.waiting == 1 && reads.count == 0)
        manual.runAll()
        #expect(try replied(channel)?.0.status == .ok)
        #expect(manual.waiting == 0 && reads.count == 1)
        _ = try channel.finish()
    }

    @Test func countsAgainstTheServersCapacity() throws {
        // One slot: while one verification is in the pool, another connection's is refused with
        // the router's retryable 503; once the first is done the slot is free again.
        let f = try ServerFixture()
        let manual = ManualOffload()
        let shared = shared(f, manual: manual, admission: 1)
        let first = EmbeddedChannel(handler: EventLoopVerifyHandler(shared, client: "a"), loop: EmbeddedEventLoop())
        let second = EmbeddedChannel(handler: EventLoopVerifyHandler(shared, client: "b"), loop: EmbeddedEventLoop())
        for channel in [first, second] { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait() }
        try send(first, #"{"jwt":"a.b.c"}"#)
        try send(second, #"{"jwt":"a.b.c"}"#)
        let refused = try #require(try replied(second))
        #expect(refused.0.status == .serviceUnavailable && refused.0.headerFields[.retryAfter] != nil && refused.1.contains("http.overloaded"))
        manual.runAll()
        #expect(try replied(first)?.0.status == .ok)
        try send(second, #"{"jwt":"a.b.c"}"#)
        manual.runAll()
        #expect(try replied(second)?.0.status == .ok)
        for channel in [first, second] { _ = try channel.finish() }
    }

    @Test func theServersConnectionsTakeVerificationsBeforeTheRouter() throws {
        // The connection pipeline as the server builds it, with nobody consuming what reaches the
        // router: a reply can only have come from the verify handler.
        let f = try ServerFixture()
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        let child = VerifyingHTTP1Channel(http1: HTTP1Channel(responder: { _, _, _ in }), shared: shared(f))
        _ = try child.setup(channel: channel, logger: ServerFixture.quietLogger).wait()
        let body = #"{"jwt":"a.b.c"}"#
        try channel.writeInbound(ByteBuffer(string: "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        var written = ""
        while let chunk = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = chunk { written += String(buffer: buffer) }
        }
        #expect(written.hasPrefix("HTTP/1.1 200 OK\r\n") && written.contains(#""verdict":"invalid""#))
        _ = try? channel.finish()
    }

    @Test func dateHeaderIsIMFFixdate() {
        // RFC 9110 §5.6.7's own example.
        #expect(HTTPDate.format(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(epochSeconds: 1_795_000_000) == "Wed, 18 Nov 2026 11:06:40 GMT")
    }
}

/// Holds offloaded work until the test runs it, on the embedded loop.
final class ManualOffload: @unchecked Sendable {
    private var queue: [(EventLoopPromise<ReplyParts>, @Sendable () -> ReplyParts)] = []

    func hold(_ loop: any EventLoop, _ work: @escaping @Sendable () -> ReplyParts) -> EventLoopFuture<ReplyParts> {
        let promise = loop.makePromise(of: ReplyParts.self)
        queue.append((promise, work))
        return promise.futureResult
    }

    var waiting: Int { queue.count }

    /// Runs what is waiting now (work it starts in turn waits for the next call).
    func runAll() {
        let now = queue
        queue.removeAll()
        for (promise, work) in now { promise.succeed(work()) }
    }
}

/// Counts the reads that reach the head of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
