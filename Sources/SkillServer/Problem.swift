import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SkillCore

/// RFC 9457 problem details, and the one table from error codes to HTTP statuses.
enum Problem {
    /// The HTTP status for an error code. Every code maps (a test walks them all).
    static func status(for code: SkillError.Code) -> HTTPResponse.Status {
        switch code {
        // A body that does not parse is 400; a CSV that parses but lacks the columns the route reads is 422.
        case .jsonMalformed, .csvMalformed: return .badRequest
        case .bodyTooLarge: return .contentTooLarge
        case .unsupportedMediaType: return .unsupportedMediaType
        case .institutionExists, .personExists, .enrolmentExists, .candidateExists, .alreadyApplied: return .conflict
        case .courseFull, .courseClosed, .courseNotStarted, .transitionInvalid, .statusListFull, .serialsExhausted, .notApplicable, .notEligible, .keyRetired, .subsidyRefused: return .conflict
        case .rateLimited: return .tooManyRequests
        case .requestTimeout: return .requestTimeout
        case .methodNotAllowed: return .methodNotAllowed
        case .unauthenticated: return .unauthorized
        default: break
        }
        switch code.kind {
        case .usage: return .badRequest
        case .badData: return .unprocessableContent
        case .notFound: return .notFound
        case .notAllowed: return .forbidden
        case .unauthenticated: return .unauthorized
        case .busy: return .serviceUnavailable
        case .config, .internal: return .internalServerError
        }
    }

    /// The problem+json response for an error; internal errors say nothing of their cause.
    static func response(_ error: SkillError, instance: String, invalid: [JSONSchema.Violation] = []) -> Response {
        parts(error, instance: instance, invalid: invalid).response
    }

    /// The same problem as status, headers and body bytes, for a reply written without a `Response`.
    static func parts(_ error: SkillError, instance: String, invalid: [JSONSchema.Violation] = []) -> ReplyParts {
        parts(error, instance: instance, invalidParams: invalid.map { ["path": .string($0.path), "reason": .string($0.message)] })
    }

    /// The problem with `invalid_params` entries of any shape (a JSON body's paths; a CSV file's
    /// lines and columns) and extension members (an import's counts).
    static func parts(_ error: SkillError, instance: String, invalidParams: [JSONValue], extensions: [String: JSONValue] = [:]) -> ReplyParts {
        let status = status(for: error.code)
        let internalError = status.code >= 500 && error.code.kind != .busy
        var body: [String: JSONValue] = [
            "type": .string("https://skillbank.invalid/problems/\(error.code.rawValue)"),
            "title": .string(status.reasonPhrase),
            "status": .int(status.code),
            "detail": .string(internalError ? "the server could not complete the request" : error.message),
            "instance": .string(instance),
            "code": .string(internalError ? "internal" : error.code.rawValue),
        ]
        if let field = error.field, !internalError { body["field"] = .string(field) }
        if !invalidParams.isEmpty { body["invalid_params"] = .array(invalidParams) }
        for (name, value) in extensions where body[name] == nil { body[name] = value }
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .serviceUnavailable || status == .tooManyRequests { headers[.retryAfter] = "1" }
        // RFC 9110 §11.6.1: a 401 names the scheme that would work (RFC 6750 §3 for bearer).
        if status == .unauthorized {
            headers[.wwwAuthenticate] = error.message.contains("required") ? "Bearer realm=\"skillbank\""
                : "Bearer realm=\"skillbank\", error=\"invalid_token\""
        }
        let bytes = (try? JSONValue.object(body).canonicalBytes()) ?? Array("{}".utf8)
        return ReplyParts(status: status, headers: headers, body: bytes)
    }
}

/// A reply as status, headers and body bytes: what both the router and the verify shortcut
/// write.
struct ReplyParts: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
