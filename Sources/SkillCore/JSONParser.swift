import Foundation

/// A strict RFC 8259 parser producing `JSONValue`.
///
/// Stricter than `JSONSerialization` where strictness matters for signed and hashed data:
/// duplicate member names, lone surrogate escapes, invalid UTF-8, numbers that overflow a
/// double, and nesting deeper than `maxDepth` are all rejected with the byte offset.
public struct JSONParser: Sendable {
    /// Deepest nesting of arrays and objects accepted.
    public var maxDepth: Int

    /// Makes a parser.
    /// - Parameter maxDepth: deepest nesting accepted (default 128).
    public init(maxDepth: Int = 128) { self.maxDepth = maxDepth }

    /// Parses one JSON text.
    /// - Parameter data: UTF-8 bytes of a JSON text.
    /// - Returns: the value.
    /// - Throws: `SkillError` with code `json.malformed`, naming the byte offset and what was wrong.
    public func parse(_ data: some Collection<UInt8>) throws(SkillError) -> JSONValue {
        var reader = Reader(bytes: Array(data), maxDepth: maxDepth)
        return try reader.document()
    }

    /// Parses one JSON text held in a string.
    public func parse(_ text: String) throws(SkillError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct Reader {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ what: String) -> SkillError {
        SkillError(.jsonMalformed, "invalid JSON: \(what)", field: "byte \(index)")
    }

    mutating func document() throws(SkillError) -> JSONValue {
        // A UTF-8 byte order mark is not JSON (RFC 8259 §8.1 lets parsers ignore it; we refuse it
        // so that two parties never hash different bytes for "the same" document).
        skipWhitespace()
        let value = try value()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the value") }
        return value
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value() throws(SkillError) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(SkillError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for i in 0..<count where bytes[index + i] != expected[i] {
            throw fail("invalid literal")
        }
        index += count
    }

    mutating func enter() throws(SkillError) {
        depth += 1
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
    }

    mutating func object() throws(SkillError) -> JSONValue {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        // Room for a typical object at once: growing 1 → 2 → 3 → 6 → 12 rehashes every member each time.
        var members = [String: JSONValue](minimumCapacity: 8)
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let keyOffset = index
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            let v = try value()
            guard members.updateValue(v, forKey: key) == nil else {
                index = keyOffset
                throw fail("duplicate member name \"\(key)\"")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw fail("expected ',' or '}'")
        }
        depth -= 1
        return .object(members)
    }

    mutating func array() throws(SkillError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw fail("expected ',' or ']'")
        }
        depth -= 1
        return .array(elements)
    }

    mutating func number() throws(SkillError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("digit expected after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("digit expected in exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        guard index - start <= 1_000 else { throw fail("number literal longer than 1000 characters") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            index = start
            throw fail("number out of range for an IEEE 754 double")
        }
        return value
    }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    mutating func hex4() throws(SkillError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt16
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt16(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt16(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt16(b - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// The string the bytes spell, or nil when they are not valid UTF-8 (we refuse, never
    /// repair). `String(decoding:)` is specialised for bytes and fast, but it repairs: an invalid
    /// sequence becomes U+FFFD. So the decoded string is the input exactly when the input was
    /// valid (a valid EF BF BD is kept as it is, an invalid sequence never decodes to itself).
    /// Pure ASCII needs no comparison. (The generic `String(validating:as:)` was 58% of string
    /// parsing under HTTP verify load in perf.)
    static func strictUTF8(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        let s = String(decoding: bytes, as: UTF8.self)
        if ascii { return s }
        return s.utf8.elementsEqual(bytes) ? s : nil
    }

    mutating func string() throws(SkillError) -> String {
        index += 1  // opening quote
        // Most strings hold no escape: find the closing quote and validate the bytes in place.
        let start = index
        var end = start
        var high: UInt8 = 0
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
            high |= b
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            guard let s = bytes.withUnsafeBufferPointer({ Self.strictUTF8(UnsafeBufferPointer(rebasing: $0[start..<end]), ascii: high < 0x80) }) else {
                throw fail("invalid UTF-8 in string")
            }
            index = end + 1
            return s
        }
        var out: [UInt8] = Array(bytes[start..<end])
        index = end
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                // Strictly: strictUTF8 refuses what String(decoding:) alone would repair.
                guard let s = out.withUnsafeBufferPointer({ Self.strictUTF8($0, ascii: false) }) else { throw fail("invalid UTF-8 in string") }
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try hex4()
                    var scalar: Unicode.Scalar
                    if UTF16.isLeadSurrogate(unit) {
                        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("lone high surrogate in \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard UTF16.isTrailSurrogate(low) else { throw fail("high surrogate not followed by a low surrogate") }
                        let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        scalar = Unicode.Scalar(value)!
                    } else if UTF16.isTrailSurrogate(unit) {
                        throw fail("lone low surrogate in \\u escape")
                    } else {
                        scalar = Unicode.Scalar(unit)!
                    }
                    out.append(contentsOf: Array(String(scalar).utf8))
                default:
                    throw fail("invalid escape character")
                }
            case 0x00..<0x20:
                throw fail("unescaped control character in string")
            default:
                out.append(b)
                index += 1
            }
        }
    }
}
