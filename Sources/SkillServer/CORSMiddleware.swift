import HTTPTypes
import Hummingbird

/// Cross-origin access for browser clients (the Fetch standard's CORS protocol).
///
/// What anyone may read without a token (verification, the trust list, status lists, the log,
/// the catalogue pages, the JSON-LD context) is open to every origin (`*`): a wallet or an
/// employer's web page verifies a certificate from the browser, and nothing there is private.
/// Routes that take a token answer only the origins the operator allow-lists
/// (`serve --cors-origin https://portal.example`, repeatable; env `SKILLBANK_CORS_ORIGINS`,
/// comma-separated): by default none, since a token in a browser is a token any script on that
/// page can read. Tokens travel in `Authorization`, never in cookies, so no origin gets
/// `Access-Control-Allow-Credentials`.
struct CORSMiddleware: RouterMiddleware {
    /// Path patterns (`{name}` matches one segment) with whether they need a token.
    let routes: [(segments: [Substring], needsToken: Bool)]
    let allowed: Set<String>

    static let allowHeaders = "Authorization, Content-Type, Idempotency-Key, If-None-Match"
    static let exposeHeaders = "ETag, Retry-After, Idempotent-Replay, WWW-Authenticate, Location"

    init(endpoints: [Endpoint], publicRoutes: [(HTTPRequest.Method, String)], allowed: Set<String>) {
        var routes = endpoints.map { e -> (segments: [Substring], needsToken: Bool) in
            if case .roles = e.access { return (e.path.split(separator: "/"), true) }
            return (e.path.split(separator: "/"), false)
        }
        routes += publicRoutes.map { ($0.1.split(separator: "/"), false) }
        self.routes = routes
        self.allowed = allowed
    }

    /// The `Access-Control-Allow-Origin` value for `origin` at `path`, or nil for none.
    func allowOrigin(_ origin: String, path: String) -> String? {
        let parts = path.split(separator: "/")
        let matching = routes.filter { r in r.segments.count == parts.count && zip(r.segments, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 } }
        if matching.isEmpty { return nil }
        if matching.contains(where: { !$0.needsToken }) { return "*" }
        return allowed.contains(origin) ? origin : nil
    }

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allow = allowOrigin(origin, path: request.uri.path)
        // A preflight: answered here, whether or not the origin may go on.
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [.vary: "Origin"]
            if let allow {
                headers[.accessControlAllowOrigin] = allow
                headers[.accessControlAllowMethods] = "GET, POST"
                headers[.accessControlAllowHeaders] = Self.allowHeaders
                headers[.accessControlMaxAge] = "600"
            }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.vary] = "Origin"
        if let allow {
            response.headers[.accessControlAllowOrigin] = allow
            response.headers[.accessControlExposeHeaders] = Self.exposeHeaders
        }
        return response
    }
}
