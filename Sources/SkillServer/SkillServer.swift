import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import SkillCore
import SkillCrypto
import SkillLedger
import SkillStore
import Synchronization

/// The HTTP application: the API table, the verification page, OpenAPI, health and metrics.
public enum SkillServer {
    /// The Prometheus registry behind `/metrics`; swift-metrics is bootstrapped once per process.
    static let metricsRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Makes a metric after the metrics system is bootstrapped, whichever code path needs one
    /// first: a metric made before the bootstrap would count into nothing.
    static func metric<M>(_ make: () -> M) -> M {
        _ = metricsRegistry
        return make()
    }

    /// Builds the router.
    /// - Parameters:
    ///   - bank: the bank.
    ///   - configuration: limits and names.
    ///   - logger: request logs go here (method, route, status, time, request id; never a token,
    ///     a query string, a body or an ID number).
    public static func router(bank: Bank, configuration: ServerConfiguration, logger: Logger) -> Router<AppRequestContext> {
        router(bank: bank, configuration: configuration, logger: logger, limiter: RateLimiter(perMinute: configuration.publicRequestsPerMinute),
               admission: Admission(limit: configuration.maxConcurrentRequests))
    }

    /// The router with a given rate limiter and admission.
    static func router(
        bank: Bank, configuration: ServerConfiguration, logger: Logger, limiter: RateLimiter, admission: Admission
    ) -> Router<AppRequestContext> {
        _ = metricsRegistry
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: logger))
        router.add(middleware: CORSMiddleware(endpoints: API.endpoints, publicRoutes: extraRoutes, allowed: configuration.corsOrigins))
        router.add(middleware: UnmatchedRouteMiddleware(routes: API.endpoints.map { ($0.method, $0.path) } + extraRoutes))
        router.add(middleware: MetricsMiddleware())
        for endpoint in API.endpoints {
            router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { request, context in
                guard admission.enter() else { return Dispatcher.overloaded(instance: request.uri.path).response }
                defer { admission.leave() }
                return await Dispatcher.handle(endpoint, request, context, bank: bank, configuration: configuration, limiter: limiter, logger: logger)
            }
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: (try? OpenAPI.document(baseURL: bank.baseURL).canonicalBytes()) ?? [])))
        }

        // A printed certificate's QR code opens the page with its number filled in.
        router.get("/verify") { request, _ in
            VerifyPage.response(VerifyPage.render(configuration: configuration, result: nil, number: request.uri.queryParameters["number"].map(String.init)))
        }
        router.post("/verify") { request, context in
            await VerifyPage.handle(request, context, bank: bank, configuration: configuration, limiter: limiter)
        }
        CataloguePages.routes(router, bank: bank, configuration: configuration)
        CertificatePrint.routes(router, bank: bank, configuration: configuration, limiter: limiter)
        WorkerPages.routes(router, bank: bank, configuration: configuration)
        return router
    }

    /// The application, listening on the configured address.
    public static func application(bank: Bank, configuration: ServerConfiguration, logger: Logger) -> some ApplicationProtocol {
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [MalformedRequestHandler()], idleTimeout: .seconds(Int64(max(1, configuration.idleTimeoutSeconds))))
        return Application(
            router: router(bank: bank, configuration: configuration, logger: logger),
            server: .http1(configuration: http1),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "SkillBank"),
            logger: logger)
    }

    /// The routes outside the API table (for the OpenAPI consistency test).
    static let extraRoutes: [(HTTPRequest.Method, String)] = [(.get, "/openapi.json"), (.get, "/verify"), (.post, "/verify")] + CataloguePages.paths + CertificatePrint.paths + WorkerPages.paths
}

/// Reads and validates the body, then authenticates, authorises, replays idempotent POSTs and
/// runs the handler in one trip to the blocking pool (the store and signatures never run on an
/// event loop), and renders the reply or a problem.
enum Dispatcher {
    /// What the blocking part of a request ends in.
    enum Outcome {
        case reply(ReplyParts)
        /// The first answer to a create retried with the same Idempotency-Key.
        case replay(status: Int, body: [UInt8])
    }

    static func handle(
        _ endpoint: Endpoint, _ request: Request, _ context: AppRequestContext, bank: Bank, configuration: ServerConfiguration,
        limiter: RateLimiter, logger: Logger
    ) async -> Response {
        let instance = request.uri.path
        do {
            if endpoint.limited, let wait = limiter.take(context.clientAddress) {
                return rateLimited(retryAfter: wait, instance: instance).response
            }
            // Who is calling: a request without a bearer token is refused before its body is read;
            // the token itself is looked up with the rest of the work.
            let secret = try bearerSecret(request, for: endpoint)
            let raw: [UInt8]
            let body: JSONValue?
            switch try await readBody(request, for: endpoint, configuration: configuration, instance: instance) {
            case .read(let bytes, let value): (raw, body) = (bytes, value)
            case .invalid(let problem): return problem.response
            }
            let query = try queryParameters(request)
            let path = Dictionary(context.parameters.map { (String($0.0), String($0.1)) }, uniquingKeysWith: { $1 })
            try endpoint.requireIDKind(path)
            // A retried create with the same Idempotency-Key gets the first answer.
            let key = endpoint.creates ? request.headers[HTTPField.Name("Idempotency-Key")!] : nil
            // What a replay must match (only computed when a replay is possible).
            let requestKey = key == nil ? "" : "\(endpoint.method.rawValue) \(instance) \(Hex.encode(SkillCrypto.SHA256.hash(raw)))"
            let headers = request.headers
            let client = context.clientAddress
            let outcome = try await offload { () throws(SkillError) -> Outcome in
                var token: TokenRecord?
                if let secret, case .roles(let roles) = endpoint.access {
                    guard let found = try bank.tokens.authenticate(secret) else {
                        throw SkillError(.unauthenticated, "the token is unknown, revoked or expired")
                    }
                    guard roles.contains(found.role) else { throw SkillError(.forbidden, "a \(found.role.rawValue) token may not use this route") }
                    token = found
                }
                if let key, let token, let stored = try bank.tokens.idempotentResponse(token: token.id, key: key, request: requestKey) {
                    return .replay(status: stored.status, body: stored.body)
                }
                let call = Call(bank: bank, token: token, path: path, query: query, body: body, raw: raw, headers: headers, client: client,
                                server: configuration, instance: instance)
                let reply = try endpoint.handler(call)
                let parts = try reply.parts()
                if case .json = reply, let key, let token, parts.status.code < 300 {
                    try bank.tokens.keepIdempotentResponse(token: token.id, key: key, request: requestKey, status: parts.status.code, body: parts.body)
                }
                return .reply(parts)
            }
            switch outcome {
            case .reply(let parts):
                return parts.response
            case .replay(let status, let body):
                return Response(status: .init(code: status), headers: [.contentType: "application/json", HTTPField.Name("Idempotent-Replay")!: "true"],
                                body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
        } catch let error as SkillError {
            return failure(endpoint.locate(error), instance: instance, logger: logger).response
        } catch {
            logger.error("request failed", metadata: ["cause": .string("\(error)")])
            return Problem.response(SkillError(.storeFailure, "internal error"), instance: instance)
        }
    }

    /// The bearer token's secret for a route that needs one.
    /// - Throws: `auth.unauthenticated` when the request carries none.
    static func bearerSecret(_ request: Request, for endpoint: Endpoint) throws(SkillError) -> String? {
        guard case .roles = endpoint.access else { return nil }
        // RFC 9110 §11.1: the scheme name is case-insensitive (`bearer`, `BEARER`).
        guard let header = request.headers[.authorization], let space = header.firstIndex(of: " "),
            header[..<space].lowercased() == "bearer", !header[space...].trimmingSpaces.isEmpty
        else {
            throw SkillError(.unauthenticated, "a bearer token is required: send Authorization: Bearer sb_…")
        }
        return String(header[space...]).trimmingSpaces
    }

    /// A request body as the endpoint takes it.
    enum Body {
        case read([UInt8], JSONValue?)
        case invalid(ReplyParts)
    }

    /// Reads the body within the endpoint's limit and, for JSON, checks it against its schema.
    static func readBody(_ request: Request, for endpoint: Endpoint, configuration: ServerConfiguration, instance: String) async throws -> Body {
        try requireMediaType(request, for: endpoint.body)
        switch endpoint.body {
        case .none:
            return .read([], nil)
        case .json:
            let raw = try await read(request, limit: configuration.maxBodyBytes, within: configuration.bodyTimeoutSeconds)
            switch try parseBody(of: endpoint, raw, instance: instance) {
            case .value(let value): return .read(raw, value)
            case .invalid(let problem): return .invalid(problem)
            }
        case .csv, .form:
            return .read(try await read(request, limit: configuration.maxUploadBytes, within: configuration.bodyTimeoutSeconds), nil)
        }
    }

    /// The media types each body kind takes. A body in another type is refused before it is read
    /// (RFC 9110 §15.5.16): JSON sent as `text/plain` is a client bug to surface, not to guess past.
    static func requireMediaType(_ request: Request, for body: BodyKind) throws(SkillError) {
        let declared = request.headers[.contentType].map { String($0.prefix { $0 != ";" }).trimmingSpaces.lowercased() }
        let accepted: [String]
        switch body {
        case .none: return
        case .json: accepted = ["application/json"]
        case .csv: accepted = ["text/csv", "application/csv", "text/plain"]
        case .form: accepted = ["application/x-www-form-urlencoded"]
        }
        guard let declared else {
            // Nothing sent is nothing mistyped (an empty JSON body reads as {}); any other body must say what it is.
            if (request.headers[.contentLength].flatMap(Int.init) ?? 0) == 0 { return }
            throw SkillError(.unsupportedMediaType, "send Content-Type: \(accepted[0])", field: "Content-Type")
        }
        let json = declared == "application/json" || (declared.hasPrefix("application/") && declared.hasSuffix("+json"))
        if case .json = body, json { return }
        guard accepted.contains(declared) else {
            throw SkillError(.unsupportedMediaType, "this route takes \(accepted.joined(separator: " or ")), not \(declared.prefix(60))", field: "Content-Type")
        }
    }

    /// The query parameters; a repeated one is ambiguous (which one counts?), so it is refused.
    static func queryParameters(_ request: Request) throws(SkillError) -> [String: String] {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            guard query.updateValue(String(value), forKey: String(name)) == nil else {
                throw SkillError(.invalidField, "\(name) is given more than once", field: String(name))
            }
        }
        return query
    }

    /// A request past the server's capacity (`--max-in-flight`).
    static func overloaded(instance: String) -> ReplyParts {
        Problem.parts(SkillError(.overloaded, "the server is at capacity; retry shortly"), instance: instance)
    }

    /// A body that has not arrived whole within its deadline.
    static func bodyTimedOut(after seconds: Int) -> SkillError {
        SkillError(.requestTimeout, "the body did not arrive within \(seconds) s")
    }

    /// A public request over its address's allowance.
    static func rateLimited(retryAfter seconds: Int, instance: String) -> ReplyParts {
        var parts = Problem.parts(SkillError(.rateLimited, "too many requests from this address; retry later"), instance: instance)
        parts.headers[.retryAfter] = String(seconds)
        return parts
    }

    /// A JSON body parsed and checked against the endpoint's schema (an empty body reads as `{}`).
    enum CheckedBody {
        case value(JSONValue)
        case invalid(ReplyParts)
    }

    static func parseBody(of endpoint: Endpoint, _ raw: [UInt8], instance: String) throws(SkillError) -> CheckedBody {
        let value = try JSONParser().parse(raw.isEmpty ? Array("{}".utf8) : raw)
        let violations = try endpoint.bodySchema!.get().validate(value).map(endpoint.explain)
        guard violations.isEmpty else {
            return .invalid(Problem.parts(SkillError(.invalidField, "the body does not match the schema: \(violations[0])", field: violations[0].path),
                                          instance: instance, invalid: violations))
        }
        return .value(value)
    }

    /// The problem for a failed request; a server-side failure is logged with its cause (which
    /// the client never sees).
    static func failure(_ error: SkillError, instance: String, logger: Logger) -> ReplyParts {
        if Problem.status(for: error.code).code >= 500 {
            logger.error("request failed", metadata: ["code": .string(error.code.rawValue), "cause": .string(error.cause ?? "")])
        }
        return Problem.parts(error, instance: instance)
    }

    /// Reads the body, refusing it as soon as it passes `limit` (before buffering more) or when
    /// it has not arrived whole within `seconds` (a client trickling bytes to hold a
    /// connection). A client that stops sending altogether is closed by the idle timeout, so the
    /// deadline is checked as chunks arrive, with no timer task per request.
    static func read(_ request: Request, limit: Int, within seconds: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw SkillError(.bodyTooLarge, "the body is larger than \(limit) bytes")
        }
        let deadline = ContinuousClock.now + .seconds(max(1, seconds))
        var bytes: [UInt8] = []
        do {
            for try await chunk in request.body {
                guard bytes.count + chunk.readableBytes <= limit else {
                    throw SkillError(.bodyTooLarge, "the body is larger than \(limit) bytes")
                }
                bytes += chunk.readableBytesView
                if ContinuousClock.now > deadline {
                    throw bodyTimedOut(after: seconds)
                }
            }
        } catch let error as SkillError {
            throw error
        } catch {
            throw SkillError(.bodyTooLarge, "the body could not be read whole", cause: "\(error)")
        }
        return bytes
    }

    /// Runs blocking ledger work on NIO's thread pool, off the cooperative executor.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(SkillError) -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive {
            do { return try work() } catch { throw error }
        }
    }
}

/// One log line per request: request id, method, route pattern (never the raw query, which may
/// hold a name or ID number), status and duration.
struct RequestLogMiddleware: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        Self.log(logger, id: context.id, method: request.method, route: context.endpointPath ?? "unmatched", status: response.status,
                 elapsed: ContinuousClock.now - start)
        return response
    }

    /// The one request line, for requests answered through the router and on the event loop alike.
    static func log(_ logger: Logger, id: String, method: HTTPRequest.Method, route: String, status: HTTPResponse.Status, elapsed: Duration) {
        logger.info("request", metadata: [
            "request_id": .string(id), "method": .string(method.rawValue), "route": .string(route), "status": .stringConvertible(status.code),
            "ms": .string(DecimalText.twoDecimals(Int(elapsed.components.seconds) * 100_000 + Int(elapsed.components.attoseconds / 10_000_000_000_000))),
        ])
    }
}

/// A request no route matched: 405 with `Allow` when the path exists under other methods,
/// otherwise 404 — both as problem+json like every other error.
struct UnmatchedRouteMiddleware: RouterMiddleware {
    let routes: [(method: HTTPRequest.Method, segments: [Substring])]

    init(routes: [(HTTPRequest.Method, String)]) {
        self.routes = routes.map { ($0.0, $0.1.split(separator: "/")) }
    }

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let allowed = allowedMethods(path)
            guard !allowed.isEmpty else {
                return Problem.response(SkillError(.routeNotFound, "no such route"), instance: path)
            }
            var response = Problem.response(
                SkillError(.methodNotAllowed, "\(request.method.rawValue) is not served here; use \(allowed.joined(separator: ", "))"), instance: path)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }

    /// The methods served at `path`, matching `{name}` segments to any one segment; where a
    /// literal route and a `{name}` one both match (`/v1/people/search`, `/v1/people/{id}`), the
    /// most literal ones are the resource.
    func allowedMethods(_ path: String) -> [String] {
        let parts = path.split(separator: "/")
        let matching = routes.filter { route in
            route.segments.count == parts.count && zip(route.segments, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        let fewest = matching.map { $0.segments.filter { $0.hasPrefix("{") }.count }.min()
        let methods = matching.filter { $0.segments.filter { $0.hasPrefix("{") }.count == fewest }.map(\.method.rawValue)
        return Array(Set(methods)).sorted()
    }
}

