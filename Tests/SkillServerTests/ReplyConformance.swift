import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SkillCore
@testable import SkillServer
import Testing

/// Checks every reply the HTTP tests receive against what the OpenAPI document declares for its
/// route: a JSON success against the route's reply schema, a problem against the Problem
/// schema. `TestClientProtocol.call` runs it on each reply, so the whole suite is the sample.
enum ReplyConformance {
    static let validators: [String: JSONSchema] = {
        var out: [String: JSONSchema] = [:]
        for (route, shape) in Replies.byRoute { out[route] = try! Replies.validator(shape) }
        return out
    }()
    static let problem = try! JSONSchema(OpenAPI.problem)

    /// The route a request path matches: literal segments before `{name}` ones.
    static func route(_ method: HTTPRequest.Method, _ path: String) -> String? {
        let parts = path.split(separator: "/")
        let matches = API.endpoints.filter { e in
            let segments = e.path.split(separator: "/")
            return e.method == method && segments.count == parts.count && zip(segments, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return matches.max { a, b in a.path.filter { $0 == "{" }.count > b.path.filter { $0 == "{" }.count }.map { "\($0.method.rawValue) \($0.path)" }
    }

    static func check(_ method: HTTPRequest.Method, _ uri: String, _ response: TestResponse) {
        let type = response.headers[.contentType] ?? ""
        guard let value = try? JSONParser().parse(Array(response.body.readableBytesView)) else { return }
        let path = String(uri.prefix { $0 != "?" })
        if type.hasPrefix("application/problem+json") {
            let violations = problem.validate(value)
            if !violations.isEmpty { Issue.record("\(method) \(path) → \(response.status.code): the problem breaks its schema: \(violations)") }
            return
        }
        guard type.hasPrefix("application/json"), (200..<300).contains(Int(response.status.code)), let route = route(method, path) else { return }
        guard let validator = validators[route] else {
            Issue.record("\(route) answers JSON but declares no reply schema")
            return
        }
        let violations = validator.validate(value)
        if !violations.isEmpty { Issue.record("\(route) → \(response.status.code): the reply breaks its declared schema: \(violations.prefix(5))") }
    }
}

@Suite struct ReplySchemaTests {
    /// Each declared example is its type's encoder output and fits its schema.
    @Test func everyExampleFitsItsSchema() throws {
        for (route, shape) in Replies.byRoute {
            let violations = try Replies.validator(shape).validate(shape.example)
            #expect(violations.isEmpty, "\(route) (\(shape.name)): \(violations)")
        }
    }

    /// Every JSON route declares a reply, and the document carries it with its example.
    @Test func everyJSONRouteDeclaresItsReply() throws {
        let document = OpenAPI.document()
        for e in API.endpoints where e.produces.contains("application/json") {
            let route = "\(e.method.rawValue) \(e.path)"
            #expect(Replies.byRoute[route] != nil, "\(route) declares no reply schema")
            let content = document["paths"]?[e.path]?[e.method.rawValue.lowercased()]?["responses"]?[String(e.success.code)]?["content"]?["application/json"]
            #expect(content?["schema"]?["$ref"]?.stringValue?.hasPrefix("#/components/schemas/") == true && content?["example"] != nil, "\(route)")
        }
        // A closed schema refuses a member its encoder does not send (so an encoder change must touch it).
        var course = Replies.courseSample.json.objectValue!
        course["surprise"] = 1
        #expect(try Replies.validator(Replies.course).validate(.object(course)).map(\.message) == ["unknown member \"surprise\""])
    }
}
