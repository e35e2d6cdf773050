import Foundation
import HTTPTypes
import SkillCore
import SkillCredentials
import SkillLedger

/// The OpenAPI 3.1 document, generated from the same table the router registers.
enum OpenAPI {
    static let problem: JSONValue = [
        "type": "object", "required": ["type", "title", "status", "code"],
        "properties": [
            "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
            "instance": ["type": "string"], "code": ["type": "string"], "field": ["type": "string"],
            // A JSON body's member (`path`), or an upload's row (`line`, `column`), with the reason and, for rows, the code.
            "invalid_params": ["type": "array", "items": ["type": "object", "required": ["reason"], "properties": [
                "path": ["type": "string"], "line": ["type": "integer"], "column": ["type": "string"], "code": ["type": "string"], "reason": ["type": "string"],
            ]]],
        ],
    ]

    /// A success's content: the route's reply schema (by reference) and example for JSON, text otherwise.
    static func content(_ mediaTypes: [String], reply: ReplyShape?) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: mediaTypes.map { type in
            guard type == "application/json", let reply else { return (type, content([type])[type]!) }
            return (type, ["schema": ["$ref": .string("#/components/schemas/\(reply.name)")], "example": reply.example] as JSONValue)
        }))
    }

    /// What a text reply looks like, by media type, for the document's examples.
    static let textExamples: [String: String] = [
        "text/plain": "skillbank-registry/log\n30\nq2Z…=\n\n— skillbank-registry/log Az3…",
        "text/html": "<!doctype html><html lang=\"zh-CN\">…</html>",
        "application/vc+jwt": "eyJhbGciOiJFZERTQSIsImtpZCI6ImRpZDprZXk6…",
        "application/jwt": "eyJhbGciOiJFZERTQSIsImtpZCI6ImRpZDprZXk6…",
    ]

    /// A response's content: a JSON object for a JSON type, text with an example for anything else.
    static func content(_ mediaTypes: [String]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: mediaTypes.map { type in
            var media: [String: JSONValue] = ["schema": type.hasSuffix("json") ? ["type": "object"] : ["type": "string"]]
            if let example = textExamples[type] { media["example"] = .string(example) }
            return (type, .object(media))
        }))
    }

    /// - Parameter baseURL: the registry's public address, the document's one `servers` entry.
    static func document(baseURL: String = RegistryAddress.trial) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for e in API.endpoints {
            var responses: [String: JSONValue] = [
                String(e.success.code): ["description": "success", "content": content(e.produces, reply: Replies.byRoute["\(e.method.rawValue) \(e.path)"])],
                "default": ["description": "problem (RFC 9457)", "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]],
            ]
            var errorCodes = ["400", "422", "500", "503"]
            if case .roles = e.access { errorCodes += ["401", "403"] }
            if e.limited { errorCodes.append("429") }
            if e.path.contains("{") || e.method == .post { errorCodes += ["404", "409"] }
            if e.body.isUpload || e.body.isJSON { errorCodes += ["408", "413"] }
            if e.path.hasPrefix("/v1/status-lists") { responses["304"] = ["description": "not modified (ETag)"] }
            if e.path.hasPrefix("/v1/imports") { errorCodes.append("422") }
            for code in Set(errorCodes) {
                responses[code] = ["description": "problem", "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]]
            }
            var operation: [String: JSONValue] = [
                "summary": .string(e.summary),
                "operationId": .string(operationID(e)),
                "parameters": .array(e.parameters.map { p in
                    ["name": .string(p.name), "in": .string(p.location), "required": .bool(p.required), "description": .string(p.description), "schema": p.schema]
                }),
                "responses": .object(responses),
            ]
            switch e.body {
            case .none: break
            case .json(let schema):
                // A body whose members are all optional may be left out (it reads as {}).
                let required = schema["oneOf"] != nil || !(schema["required"]?.arrayValue?.isEmpty ?? true)
                operation["requestBody"] = ["required": .bool(required), "content": ["application/json": ["schema": schema]]]
            case .csv:
                // RFC 4180 with a header row of column names first.
                operation["requestBody"] = ["required": true, "content": ["text/csv": ["schema": [
                    "type": "string", "minLength": 1, "pattern": "^[a-z_]+(,[a-z_]+)*\r?\n"]]]]
            case .form: operation["requestBody"] = ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": ["type": "object"]]]]
            }
            if case .roles(let roles) = e.access {
                operation["security"] = [["bearer": []]]
                operation["x-roles"] = .array(roles.map(\.rawValue).sorted().map(JSONValue.string))
            }
            if e.creates {
                var params = operation["parameters"]!.arrayValue!
                params.append(["name": "Idempotency-Key", "in": "header", "required": false, "description": "replays the first answer on retry", "schema": ["type": "string"]])
                operation["parameters"] = .array(params)
            }
            paths[e.path, default: [:]][e.method.rawValue.lowercased()] = .object(operation)
        }
        func plain(_ summary: String, _ type: String) -> JSONValue {
            ["summary": .string(summary), "operationId": .string(summary.lowercased().filter(\.isLetter)),
             "responses": ["200": ["description": "success", "content": content([type])]]]
        }
        paths["/openapi.json", default: [:]]["get"] = plain("This document", "application/json")
        var verifyPage = plain("The verification page (?number= fills in a printed certificate's number)", "text/html").objectValue!
        verifyPage["parameters"] = [["name": "number", "in": "query", "required": false, "schema": ["type": "string"]]]
        paths["/verify", default: [:]]["get"] = .object(verifyPage)
        func page(_ summary: String, _ id: String, parameter: String? = nil, query: [String] = []) -> JSONValue {
            var params: [JSONValue] = parameter.map { [["name": .string($0), "in": "path", "required": true, "schema": ["type": "string"]]] } ?? []
            params += query.map { ["name": .string($0), "in": "query", "required": false, "schema": ["type": "string"]] }
            return ["summary": .string(summary), "operationId": .string(id), "parameters": .array(params),
                    "responses": ["200": ["description": "the page", "content": content(["text/html"])],
                                  "404": ["description": "no such entry", "content": content(["text/html"])]]]
        }
        paths["/occupations", default: [:]]["get"] = page("The 2022 occupation catalogue: search (q) or browse (group)", "occupationsPage", query: ["q", "group"])
        paths["/occupations/{code}", default: [:]]["get"] = page("One occupation: definition, tasks, aliases, levels (an alignment's targetUrl)", "occupationPage", parameter: "code")
        paths["/levels", default: [:]]["get"] = page("The national skill levels, anchors #level-N (an alignment's targetUrl)", "levelsPage")
        paths["/frameworks/{id}", default: [:]]["get"] = page("A qualifications framework's levels, anchors #level-N (an alignment's targetUrl)", "frameworkPage", parameter: "id")
        for p in WorkerPages.pages {
            let id = "worker" + p.path.split(separator: "/").map { $0.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "").capitalized }
                .joined() + p.method.rawValue.capitalized
            var operation = page(p.summary, id, parameter: p.path.contains("{id}") ? "id" : nil).objectValue!
            func html(_ description: String) -> JSONValue { ["description": .string(description), "content": content(["text/html"])] }
            operation["responses"] = [
                "200": ["description": "the page (or a download)", "content": content(["text/html", "application/json", "application/jwt", "image/svg+xml", "image/png"])],
                "303": ["description": "done: on to the next page"],
                "401": html("not signed in (or the link was used or expired): the way in"),
                "403": html("a form without the session's CSRF token"),
                "404": html("not in this worker's record"),
                "409": html("a claim the rules refuse"),
                "415": html("a form sent in another media type"),
                "422": html("a choice that is not valid"),
            ]
            if p.path != "/me/signin" { operation["security"] = [["session": []]] }
            paths[p.path, default: [:]][p.method.rawValue.lowercased()] = .object(operation)
        }
        paths["/certificates/{number}/print", default: [:]]["get"] = page(
            "The printable A4 certificate with a QR code to the verification page, for whoever holds a share the worker made", "certificatePrintPage",
            parameter: "number", query: ["share"])
        paths[SkillBankContext.path, default: [:]]["get"] = plain("The SkillBank JSON-LD context, byte for byte as documents pin it", "application/ld+json")
        paths["/verify", default: [:]]["post"] = [
            "summary": "The verification page's form (a certificate file or a number and a name)",
            "operationId": "verifyForm",
            "requestBody": ["required": true, "content": [
                "application/x-www-form-urlencoded": ["schema": [
                    "type": "object", "properties": ["credential": ["type": "string"], "number": ["type": "string"], "name": ["type": "string"]]]],
                "multipart/form-data": ["schema": [
                    "type": "object", "properties": ["file": ["type": "string", "format": "binary", "description": "a baked badge (SVG or PNG) or a certificate file"]]]],
            ]],
            "responses": .object(Dictionary(uniqueKeysWithValues: [
                ("200", "the verdict as a page"), ("404", "no certificate matches"), ("408", "the upload took too long"), ("413", "too large"),
                ("422", "nothing to check, or the check could not be completed"), ("429", "rate limited"),
            ].map { ($0.0, ["description": .string($0.1), "content": content(["text/html"])] as JSONValue) })),
        ]
        return [
            "openapi": "3.1.0",
            "info": ["title": "SkillBank (技能银行) registry API", "version": "1.0.0",
                     "description": "Institutions, workers and employers. Errors are RFC 9457 problem+json with a stable code."],
            "servers": [["url": .string(baseURL), "description": "this registry"]],
            "paths": .object(paths.mapValues { JSONValue.object($0) }),
            "components": [
                "schemas": .object(Replies.components.mapValues(\.schema).merging(["Problem": problem]) { a, _ in a }),
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "skillbank token create prints one"],
                    "session": ["type": "apiKey", "in": "cookie", "name": .string(WorkerPages.sessionCookie),
                                "description": "a worker's page session, from a one-time sign-in link (skillbank person link)"],
                ],
            ],
        ]
    }

    static func operationID(_ e: Endpoint) -> String {
        let words = e.path.split(separator: "/").map { $0.hasPrefix("{") ? "By" + $0.dropFirst().dropLast().capitalized : $0.capitalized }
        return e.method.rawValue.lowercased() + words.joined().filter { $0.isLetter || $0.isNumber }
    }
}

extension BodyKind {
    var isJSON: Bool { if case .json = self { return true }; return false }
    var isUpload: Bool { if case .csv = self { return true }; return false }
}
