import Foundation

/// How the server runs. Built at the edge from flags, then `SKILLBANK_*` variables, then defaults.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest JSON body accepted.
    public var maxBodyBytes: Int
    /// Largest CSV upload accepted.
    public var maxUploadBytes: Int
    /// Public look-ups and verifications allowed per client address per minute.
    public var publicRequestsPerMinute: Int
    /// The registry's name in the trust list and on the page.
    public var registryName: String
    /// API requests handled at once; more get 503 with Retry-After.
    public var maxConcurrentRequests: Int
    /// A connection that sends nothing (not even the rest of its headers) for this long is closed.
    public var idleTimeoutSeconds: Int
    /// A request body must arrive whole within this long, however slowly it trickles (408 after).
    public var bodyTimeoutSeconds: Int
    /// Browser origins allowed to call the routes that take a token (public routes allow any).
    public var corsOrigins: Set<String> = []

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20, maxUploadBytes: Int = 16 << 20,
        publicRequestsPerMinute: Int = 120, registryName: String = "SkillBank Registry", idleTimeoutSeconds: Int = 30, bodyTimeoutSeconds: Int = 30, maxConcurrentRequests: Int = 512
    ) {
        self.maxConcurrentRequests = maxConcurrentRequests
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxUploadBytes = maxUploadBytes
        self.publicRequestsPerMinute = publicRequestsPerMinute
        self.registryName = registryName
    }
}
