import Foundation

/// A JSON document as plain values, with object members kept by name.
///
/// The registry parses and writes JSON through this type rather than `JSONSerialization`
/// so that parsing is strict (RFC 8259, no duplicate member names, no lone surrogates,
/// bounded depth) and writing can be canonical (RFC 8785, see `JSONValue+JCS.swift`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member named `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string value, or `nil` for every other kind.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number value, or `nil` for every other kind.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The integer value when the number is integral and fits an `Int`.
    public var intValue: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < 9.007_199_254_740_992e15 else { return nil }
        return Int(n)
    }

    /// The boolean value, or `nil` for every other kind.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The JSON Schema type name of this value (`integer` is reported as `number`).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var members: [String: JSONValue] = [:]
        for (k, v) in elements { members[k] = v }
        self = .object(members)
    }
}

extension JSONValue {
    /// Wraps an optional string, mapping `nil` to JSON `null`.
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// The value with every null object member removed, at any depth: a JSON-LD document says
    /// "unknown" by leaving a member out (expansion drops nulls, so a null is a dropped term).
    public var withoutNullMembers: JSONValue {
        switch self {
        case .object(let members): .object(members.filter { $0.value != .null }.mapValues(\.withoutNullMembers))
        case .array(let items): .array(items.map(\.withoutNullMembers))
        default: self
        }
    }
    /// Wraps an optional integer, mapping `nil` to JSON `null`.
    public static func optional(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
    /// Wraps an integer.
    public static func int(_ value: Int) -> JSONValue { .number(Double(value)) }
}
