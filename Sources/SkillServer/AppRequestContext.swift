import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage plus the client's address (for rate limits).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, or "local" when there is none (router tests).
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "local"
    }

    /// Bodies are read by the API with its own limits.
    public var maxUploadSize: Int { 16 << 20 }
}
