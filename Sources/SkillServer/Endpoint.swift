import Foundation
import HTTPTypes
import SkillCore
import SkillLedger

/// Who may call an endpoint.
enum Access: Sendable, Equatable {
    /// Anyone, no token.
    case `public`
    /// A valid token of one of these roles.
    case roles(Set<Role>)

    static let operatorOnly = Access.roles([.operator])
    static let institutions = Access.roles([.operator, .institution])
    static let workers = Access.roles([.worker])
}

/// What an endpoint takes as its body.
enum BodyKind: Sendable {
    case none
    /// JSON validated against this schema (unknown members rejected).
    case json(JSONValue)
    /// RFC 4180 CSV, up to the upload limit.
    case csv
    /// An HTML form (the verification page).
    case form
}

/// A query or path parameter, for the OpenAPI document.
struct Parameter: Sendable {
    let name: String
    let location: String
    let required: Bool
    let description: String
    let schema: JSONValue

    static func path(_ name: String, _ description: String) -> Parameter {
        Parameter(name: name, location: "path", required: true, description: description, schema: ["type": "string"])
    }

    static func query(_ name: String, _ description: String, required: Bool = false, schema: JSONValue = ["type": "string"]) -> Parameter {
        Parameter(name: name, location: "query", required: required, description: description, schema: schema)
    }
}

/// Everything a handler gets: the bank, who is calling, and the parsed request.
struct Call {
    let bank: Bank
    let token: TokenRecord?
    let path: [String: String]
    let query: [String: String]
    let body: JSONValue?
    let raw: [UInt8]
    let headers: HTTPFields
    let client: String
    let server: ServerConfiguration
    /// The request's path, a problem's `instance`.
    let instance: String

    func string(_ member: String) -> String? { body?[member]?.stringValue }
    func int(_ member: String) -> Int? { body?[member]?.intValue }

    /// A boolean query parameter: absent is false; anything but `true` or `false` is refused.
    func flag(_ name: String) throws(SkillError) -> Bool {
        switch query[name] {
        case nil, "false": return false
        case "true": return true
        default: throw SkillError(.invalidField, "\(name) is true or false", field: name)
        }
    }

    /// The institution an institution token acts for (nil for the operator, who may act for any).
    var actingInstitution: String? { token?.role == .institution ? token?.institutionID : nil }

    /// The actor recorded in events: the role, and for an institution which one. Never a token
    /// or its id, and never the worker (an event's subjects already name the person it is about).
    var actor: Actor { token.map(Actor.init(token:)) ?? Actor("public") }

    /// Refuses an institution token acting on another institution's record (or on one that
    /// does not exist: the answer is the same, so it gives no hint about other records).
    func requireOwned(_ id: String) throws(SkillError) {
        guard let mine = actingInstitution else { return }
        guard try bank.owningInstitution(of: id) == mine else {
            throw SkillError(.forbidden, "this token may act only on its own institution's records")
        }
    }

    func requirePath(_ name: String) -> String { path[name] ?? "" }
}

/// What a handler returns.
enum Reply {
    case json(HTTPResponse.Status, JSONValue)
    case raw(HTTPResponse.Status, contentType: String, body: [UInt8], headers: HTTPFields)
    /// A refusal that carries more than one error: problem+json with `invalid_params`.
    case problem(ReplyParts)

    /// The reply as it goes on the wire: JSON in canonical form, a raw body with its type.
    func parts() throws(SkillError) -> ReplyParts {
        switch self {
        case .json(let status, let value):
            return ReplyParts(status: status, headers: [.contentType: "application/json"], body: try value.canonicalBytes())
        case .raw(let status, let contentType, let bytes, var headers):
            if headers[.contentType] == nil { headers[.contentType] = contentType }
            return ReplyParts(status: status, headers: headers, body: bytes)
        case .problem(let parts):
            return parts
        }
    }
}

/// One route: method, path (OpenAPI form, `{id}`), access, documentation and the handler.
struct Endpoint: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let access: Access
    let summary: String
    let body: BodyKind
    let parameters: [Parameter]
    let success: HTTPResponse.Status
    /// Whether a POST creates something (accepts Idempotency-Key).
    let creates: Bool
    /// Whether the route is rate-limited per client address.
    let limited: Bool
    /// The media types a success can have (for the OpenAPI document).
    let produces: [String]
    /// The JSON body's schema, checked once here rather than on every request (nil when the
    /// body is not JSON; a schema our own table got wrong fails each request that needs it).
    let bodySchema: Result<JSONSchema, SkillError>?
    let handler: @Sendable (Call) throws(SkillError) -> Reply

    init(
        _ method: HTTPRequest.Method, _ path: String, _ access: Access, _ summary: String, body: BodyKind = .none, parameters: [Parameter] = [],
        success: HTTPResponse.Status = .ok, creates: Bool = false, limited: Bool = false, produces: [String] = ["application/json"],
        _ handler: @escaping @Sendable (Call) throws(SkillError) -> Reply
    ) {
        self.method = method
        self.path = path
        self.access = access
        self.summary = summary
        self.body = body
        self.parameters = parameters + path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
            .path(String($0.dropFirst().dropLast()), "identifier")
        }
        self.success = success
        self.creates = creates
        self.limited = limited
        self.produces = produces
        if case .json(let schema) = body {
            bodySchema = Result { () throws(SkillError) in try JSONSchema(schema) }
        } else {
            bodySchema = nil
        }
        self.handler = handler
    }

    /// The members of the JSON body's schema.
    var bodyMembers: Set<String> {
        guard case .json(let schema) = body else { return [] }
        let variants = [schema] + (schema["oneOf"]?.arrayValue ?? [])
        return Set(variants.flatMap { $0["properties"]?.objectValue?.keys.map { $0 } ?? [] })
    }

    /// Names callers send by mistake (a CLI flag, a name from before the fields matched the
    /// replies) and the member each means.
    static let misnames = [
        "site": "site_sequence", "from": "valid_from", "until": "valid_until", "starts": "starts_on", "ends": "ends_on", "dual": "dual_mapping",
        "evaluator": "evaluator_code", "id": "person", "type": "id_type", "number": "id_number",
    ]

    /// A schema violation said as what to send: an unknown member that is another name for one
    /// of this body's members names the member.
    func explain(_ violation: JSONSchema.Violation) -> JSONSchema.Violation {
        guard violation.message.hasPrefix("unknown member \""), let name = violation.path.split(separator: ".").last.map(String.init),
            let meant = Self.misnames[name], bodyMembers.contains(meant)
        else { return violation }
        return JSONSchema.Violation(path: violation.path, message: "\(violation.message): send \"\(meant)\"")
    }

    /// The error with its domain field named as an HTTP caller sees it: a body member as a
    /// JSON path (`$.from`), a query or path parameter by its name.
    func locate(_ error: SkillError) -> SkillError {
        guard let field = error.field, bodyMembers.contains(field) else { return error }
        return SkillError(error.code, error.message, field: "$.\(field)", cause: error.cause)
    }

    /// The kind of record each route's `{id}` names (certificates also take a number, so any).
    static let idKinds: [(prefix: String, kind: IdentifierKind, noun: String)] = [
        ("/v1/institutions/{id}", .institution, "an institution"), ("/v1/people/{id}", .person, "a person"), ("/v1/courses/{id}", .course, "a course"),
        ("/v1/enrolments/{id}", .enrolment, "an enrolment"), ("/v1/assessments/{id}", .assessment, "an assessment"), ("/v1/tokens/{id}", .token, "a token"),
        ("/v1/subsidies/claims/{id}", .claim, "a subsidy claim"), ("/v1/webhooks/{id}", .webhook, "a webhook"),
        ("/v1/vacancies/{id}", .vacancy, "a vacancy"), ("/v1/talent/contacts/{id}", .contactRequest, "a contact request"),
    ]

    /// Refuses an `{id}` of another kind of record (a person id where an enrolment's belongs)
    /// as what it is, before any ownership check could make it read as a permission problem.
    /// - Throws: `input.invalid-field` at `id`.
    func requireIDKind(_ path: [String: String]) throws(SkillError) {
        guard let id = path["id"], let expected = Self.idKinds.first(where: { self.path.hasPrefix($0.prefix) }) else { return }
        guard IdentifierKind(prefixOf: id) != expected.kind else { return }
        let given = IdentifierKind(prefixOf: id).map { kind -> String in
            let word = "\(kind)"
            return ("aeiou".contains(word.first!) ? "an " : "a ") + word + " id"
        } ?? "no id of ours"
        throw SkillError(.invalidField, "expected \(expected.noun) id (\(expected.kind.rawValue)_…), got \(given)", field: "id")
    }

    /// The path in Hummingbird's form (`:id`).
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : $0 }
            .joined(separator: "/")
    }
}

/// JSON Schema snippets for request bodies (strict: `additionalProperties: false`).
enum Schemas {
    static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)), "additionalProperties": false]
    }
    static let string: JSONValue = ["type": "string", "minLength": 1]
    static let optionalString: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let score: JSONValue = ["type": "integer", "minimum": 0, "maximum": 100]
    static let level: JSONValue = ["type": "integer", "minimum": 1, "maximum": 5]
    static let date: JSONValue = ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]
    static let positive: JSONValue = ["type": "integer", "minimum": 1]
    static let pageLimit: JSONValue = ["type": "integer", "minimum": 1, "maximum": 500]
    /// 2022 大典 occupation code, D-DD-DD-DD.
    static let occupation: JSONValue = ["type": "string", "pattern": "^[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}$"]
    /// 统一社会信用代码: 18 characters of GB 32100's alphabet (the check character is checked by the handler).
    static let uscc: JSONValue = ["type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"]
    static let province: JSONValue = ["type": "string", "pattern": "^[0-9]{2}$"]
    /// A record id: its kind's prefix and 26 Crockford base-32 characters.
    static func id(_ prefix: String) -> JSONValue { ["type": "string", "pattern": .string("^\(prefix)_[0-9A-HJKMNP-TV-Z]{26}$")] }
}
