import Foundation

/// A validator for the subset of JSON Schema that `Standards/schema` (draft 2020-12) and the
/// official Open Badges 3.0 schema (draft 2019-09) use: `type`, `properties`, `required`,
/// `additionalProperties`, `items` (one schema, or 2019-09's array of positional schemas with
/// `additionalItems`), `minItems`, `maxItems`, `uniqueItems`, `contains`, `enum`, `const`, `pattern`,
/// `minLength`, `minimum`, `maximum`, `exclusiveMinimum`, `allOf`, `anyOf`, `oneOf`, `format`
/// (`date-time` and `date` of RFC 3339, `uri`, asserted as the OB 3.0 validators do), and
/// local `$ref` into `$defs`. A schema using any other assertion keyword is refused rather than
/// half-checked.
public struct JSONSchema: Sendable {
    let root: JSONValue

    /// `components` holds an OpenAPI document's schemas (`#/components/schemas/Name`), checked like `$defs`.
    static let annotations: Set<String> = ["$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs", "components"]
    static let assertions: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "uniqueItems", "enum", "const",
        "pattern", "minLength", "minimum", "maximum", "exclusiveMinimum", "$ref", "additionalItems", "contains", "allOf", "anyOf", "maxItems",
        "oneOf", "format",
    ]
    /// The `format` values asserted; any other is refused when the schema is read.
    static let formats: Set<String> = ["date-time", "date", "uri"]

    /// Wraps a parsed schema after checking it only uses supported keywords.
    /// - Throws: `standards.schema-violation` naming the unsupported keyword and where it is.
    public init(_ schema: JSONValue) throws(SkillError) {
        root = schema
        try Self.checkKeywords(schema, path: "#")
    }

    private static func checkKeywords(_ s: JSONValue, path: String) throws(SkillError) {
        guard case .object(let members) = s else {
            if case .bool = s { return }
            throw SkillError(.standardsSchema, "a schema must be an object or a boolean", field: path)
        }
        for (key, value) in members {
            guard annotations.contains(key) || assertions.contains(key) else {
                throw SkillError(.standardsSchema, "unsupported schema keyword '\(key)'", field: path)
            }
            switch key {
            case "properties", "$defs":
                for (name, sub) in value.objectValue ?? [:] { try checkKeywords(sub, path: "\(path)/\(key)/\(name)") }
            case "components":
                for (name, sub) in value["schemas"]?.objectValue ?? [:] { try checkKeywords(sub, path: "\(path)/components/schemas/\(name)") }
            case "items" where value.arrayValue != nil, "allOf", "anyOf", "oneOf":
                for (i, sub) in (value.arrayValue ?? []).enumerated() { try checkKeywords(sub, path: "\(path)/\(key)/\(i)") }
            case "items", "additionalProperties", "additionalItems", "contains":
                try checkKeywords(value, path: "\(path)/\(key)")
            case "format":
                guard let f = value.stringValue, formats.contains(f) else {
                    throw SkillError(.standardsSchema, "unsupported format '\(value.stringValue ?? "")'", field: path)
                }
            case "pattern":
                guard let p = value.stringValue, RegexCache.regex(p) != nil else {
                    throw SkillError(.standardsSchema, "pattern is not a valid regular expression", field: path)
                }
            default: break
            }
        }
    }

    /// One place where a document breaks the schema.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// JSONPath of the offending value, e.g. `$.rows[3].code`.
        public let path: String
        /// What is wrong, e.g. `missing required member "source"`.
        public let message: String
        public var description: String { "\(path): \(message)" }

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    /// Validates `document` and returns every violation (empty when it conforms).
    public func validate(_ document: JSONValue) -> [Violation] {
        var out: [Violation] = []
        check(document, against: root, path: "$", into: &out)
        return out
    }

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = node[String(part)] else { return nil }
            node = next
        }
        return node
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: String, into out: inout [Violation]) {
        if case .bool(let allowed) = schema {
            if !allowed { out.append(.init(path: path, message: "no value is allowed here")) }
            return
        }
        guard case .object(let s) = schema else { return }
        if let ref = s["$ref"]?.stringValue {
            guard let target = resolve(ref) else {
                out.append(.init(path: path, message: "schema reference \(ref) does not resolve"))
                return
            }
            check(value, against: target, path: path, into: &out)
        }
        if let type = s["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            guard allowed.contains(where: { Self.has(value, type: $0) }) else {
                out.append(.init(path: path, message: "expected \(allowed.joined(separator: " or ")), found \(value.typeName)"))
                return
            }
        }
        if let options = s["enum"]?.arrayValue, !options.contains(value) {
            let shown = options.compactMap { try? $0.canonicalString() }.joined(separator: ", ")
            out.append(.init(path: path, message: "must be one of \(shown)"))
        }
        if let constant = s["const"], constant != value {
            out.append(.init(path: path, message: "must equal \((try? constant.canonicalString()) ?? "the constant")"))
        }
        for sub in s["allOf"]?.arrayValue ?? [] { check(value, against: sub, path: path, into: &out) }
        if let options = s["anyOf"]?.arrayValue, !options.contains(where: { conforms(value, to: $0, path: path) }) {
            out.append(.init(path: path, message: "matches none of the \(options.count) allowed shapes (anyOf)"))
        }
        if let options = s["oneOf"]?.arrayValue {
            let matching = options.filter { conforms(value, to: $0, path: path) }.count
            if matching != 1 {
                out.append(.init(path: path, message: matching == 0 ? "matches none of the \(options.count) allowed shapes (oneOf)"
                                                                    : "matches \(matching) of the allowed shapes; oneOf allows exactly one"))
            }
        }
        switch value {
        case .string(let text):
            if let min = s["minLength"]?.intValue, text.count < min {
                out.append(.init(path: path, message: "must have at least \(min) character\(min == 1 ? "" : "s")"))
            }
            if let pattern = s["pattern"]?.stringValue, !RegexCache.matches(text, pattern) {
                // The value is not echoed: a misplaced ID number must not come back in an error.
                out.append(.init(path: path, message: "does not match \(pattern)"))
            }
            if let format = s["format"]?.stringValue, !Self.conforms(text, format: format) {
                out.append(.init(path: path, message: "is not a valid \(format)"))
            }
        case .number(let n):
            if let min = s["minimum"]?.numberValue, n < min { out.append(.init(path: path, message: "must be ≥ \(Self.show(min))")) }
            if let max = s["maximum"]?.numberValue, n > max { out.append(.init(path: path, message: "must be ≤ \(Self.show(max))")) }
            if let min = s["exclusiveMinimum"]?.numberValue, n <= min {
                out.append(.init(path: path, message: "must be > \(Self.show(min))"))
            }
        case .array(let elements):
            if let min = s["minItems"]?.intValue, elements.count < min {
                out.append(.init(path: path, message: "must have at least \(min) item\(min == 1 ? "" : "s")"))
            }
            if let max = s["maxItems"]?.intValue, elements.count > max {
                out.append(.init(path: path, message: "must have at most \(max) items"))
            }
            if s["uniqueItems"]?.boolValue == true, Set(elements).count != elements.count {
                out.append(.init(path: path, message: "items must be unique"))
            }
            if let positional = s["items"]?.arrayValue {
                // Draft 2019-09: the first elements each against their own schema, the rest against additionalItems.
                for (i, e) in elements.enumerated() {
                    if i < positional.count {
                        check(e, against: positional[i], path: "\(path)[\(i)]", into: &out)
                    } else if let extra = s["additionalItems"] {
                        check(e, against: extra, path: "\(path)[\(i)]", into: &out)
                    }
                }
            } else if let items = s["items"] {
                for (i, e) in elements.enumerated() { check(e, against: items, path: "\(path)[\(i)]", into: &out) }
            }
            if let contains = s["contains"], !elements.contains(where: { conforms($0, to: contains, path: path) }) {
                out.append(.init(path: path, message: "has no item of the required shape (contains)"))
            }
        case .object(let members):
            for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                out.append(.init(path: path, message: "missing required member \"\(name)\""))
            }
            let properties = s["properties"]?.objectValue ?? [:]
            for name in members.keys.sorted() {
                let child = "\(path).\(name)"
                if let sub = properties[name] {
                    check(members[name]!, against: sub, path: child, into: &out)
                } else if let extra = s["additionalProperties"] {
                    if extra == .bool(false) {
                        out.append(.init(path: child, message: "unknown member \"\(name)\""))
                    } else {
                        check(members[name]!, against: extra, path: child, into: &out)
                    }
                }
            }
        default: break
        }
    }

    /// Whether `value` conforms to `schema` (for `anyOf`, `oneOf`, `contains`).
    private func conforms(_ value: JSONValue, to schema: JSONValue, path: String) -> Bool {
        var found: [Violation] = []
        check(value, against: schema, path: path, into: &found)
        return found.isEmpty
    }

    /// RFC 3339 `date-time` (with a zone) and `date`, checked as dates that exist; `uri` as an
    /// absolute URI with a scheme.
    static func conforms(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time":
            guard RegexCache.matches(text, #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#) else { return false }
            return conforms(String(text.prefix(10)), format: "date") && Int(text.dropFirst(11).prefix(2))! < 24
                && Int(text.dropFirst(14).prefix(2))! < 60 && Int(text.dropFirst(17).prefix(2))! < 61
        case "date":
            guard RegexCache.matches(text, #"^\d{4}-\d{2}-\d{2}$"#) else { return false }
            return CalendarDate(iso: text) != nil
        case "uri": return RegexCache.matches(text, #"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$"#)
        default: return true
        }
    }

    private static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
            ("object", .object):
            true
        case ("integer", .number(let n)): n.rounded() == n
        default: false
        }
    }

    private static func show(_ n: Double) -> String { (try? JCSNumber.format(n)) ?? "\(n)" }
}
