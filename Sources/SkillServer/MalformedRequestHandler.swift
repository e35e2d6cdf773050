import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SkillCore

/// Answers bytes that are not an HTTP request (a raw space or a non-ASCII character in the
/// request line, say an unencoded name in a query) with problem+json saying what to send, instead
/// of the bare 400 with no body the HTTP parser's default gives. The connection then closes: after
/// a parse error nothing more on it can be trusted to be where a request starts.
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let problem = Problem.parts(
            SkillError(.malformedRequest, "the request could not be read as HTTP: percent-encode the path and query (RFC 3986): a space as %20, 电工 as %E7%94%B5%E5%B7%A5"),
            instance: "")
        var head = HTTPResponse(status: problem.status)
        head.headerFields = problem.headers
        head.headerFields[.contentLength] = String(problem.body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: problem.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
