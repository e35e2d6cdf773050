import Foundation

/// RFC 8785 JSON Canonicalization Scheme.
extension JSONValue {
    /// The canonical UTF-8 bytes of this value (RFC 8785 §3.2): members sorted by their
    /// UTF-16 code units, no white space, strings with the minimal escapes of §3.2.2.2 and
    /// numbers serialised as ECMAScript's `Number.prototype.toString` (§3.2.2.3).
    /// - Returns: the canonical bytes.
    /// - Throws: `json.not-canonicalizable` for NaN or an infinity (JCS forbids them).
    public func canonicalBytes() throws(SkillError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_024)
        try Self.write(self, into: &out)
        return out
    }

    /// The canonical form as a string (see `canonicalBytes()`).
    public func canonicalString() throws(SkillError) -> String {
        String(decoding: try canonicalBytes(), as: UTF8.self)
    }

    /// An object's members, each value written canonically once, so that the object with
    /// and without one more member (a document and the same document with its proof) can
    /// both be written without canonicalising the shared members twice.
    public struct CanonicalMembers: Sendable {
        /// Member name and canonical value, in RFC 8785 member order.
        private var members: [(name: String, value: [UInt8])]

        /// - Throws: `input.invalid-field` when `object` is not an object; `json.not-canonicalizable`.
        public init(_ object: JSONValue) throws(SkillError) {
            guard case .object(let dictionary) = object else {
                throw SkillError(.invalidField, "only an object has members")
            }
            members = try memberOrder(dictionary).map { index throws(SkillError) in
                (dictionary[index].key, try dictionary[index].value.canonicalBytes())
            }
        }

        /// The object's canonical bytes, with `extra` members (names it lacks, values already
        /// canonical) placed in order among its own.
        public func bytes(adding extra: [(name: String, value: [UInt8])] = []) -> [UInt8] {
            var all = members
            for member in extra {
                let at = all.firstIndex { JSONValue.precedesInUTF16(member.name, $0.name) } ?? all.count
                all.insert(member, at: at)
            }
            var out: [UInt8] = []
            out.reserveCapacity(all.reduce(2) { $0 + $1.name.utf8.count + $1.value.count + 4 })
            out.append(UInt8(ascii: "{"))
            for (i, member) in all.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.name, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: member.value)
            }
            out.append(UInt8(ascii: "}"))
            return out
        }
    }

    /// Writes an object's members in canonical order.
    private static func writeObject(_ members: [String: JSONValue], into out: inout [UInt8]) throws(SkillError) {
        out.append(UInt8(ascii: "{"))
        for (i, k) in memberOrder(members).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writeString(members[k].key, into: &out)
            out.append(UInt8(ascii: ":"))
            try write(members[k].value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8]) throws(SkillError) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: try JCSNumber.format(n).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members): try writeObject(members, into: &out)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The dictionary's own indices in RFC 8785 member order (moving an index costs nothing,
    /// moving a (String, JSONValue) pair retains and releases both).
    ///
    /// Member names are nearly always ASCII, where UTF-16 order is byte order: each name then
    /// sorts by its first eight bytes as one big-endian integer (zero-padded, so a name sorts
    /// before its extensions), and only names sharing those bytes are compared in full. Any
    /// non-ASCII name sends the whole object to `precedesInUTF16`.
    static func memberOrder(_ members: [String: JSONValue]) -> [Dictionary<String, JSONValue>.Index] {
        var keyed: [(prefix: UInt64, index: Dictionary<String, JSONValue>.Index)] = []
        keyed.reserveCapacity(members.count)
        var ascii = true
        for index in members.indices {
            let prefix = withUTF8(members[index].key) { bytes -> UInt64? in
                var value: UInt64 = 0
                for (n, b) in bytes.enumerated() {
                    if b >= 0x80 { return nil }
                    if n < 8 { value |= UInt64(b) << (56 - 8 * UInt64(n)) }
                }
                return value
            }
            guard let prefix else { ascii = false; break }
            keyed.append((prefix, index))
        }
        guard ascii else {
            var order = Array(members.indices)
            order.sort { precedesInUTF16(members[$0].key, members[$1].key) }
            return order
        }
        keyed.sort { a, b in
            a.prefix != b.prefix ? a.prefix < b.prefix : precedesInUTF16(members[a.index].key, members[b.index].key)
        }
        return keyed.map(\.index)
    }

    /// RFC 8785 §3.2.3 member order: by UTF-16 code units.
    ///
    /// Compared on the UTF-8 bytes, which order like code points. UTF-16 differs from code
    /// point order in one case only: a character above U+FFFF (UTF-8 lead byte F0–F4, a
    /// surrogate pair D800–DFFF in UTF-16) sorts before U+E000–U+FFFF (lead byte EE or EF).
    /// Two valid strings first differ at a character boundary or inside one same-length
    /// character, so that case shows at the first differing byte and is corrected there.
    public static func precedesInUTF16(_ a: String, _ b: String) -> Bool {
        withUTF8(a) { x in
            withUTF8(b) { y in
                let n = Swift.min(x.count, y.count)
                var i = 0
                while i < n && x[i] == y[i] { i += 1 }
                if i == n { return x.count < y.count }
                let p = x[i]
                let q = y[i]
                if p >= 0xF0 && (q == 0xEE || q == 0xEF) { return true }
                if q >= 0xF0 && (p == 0xEE || p == 0xEF) { return false }
                return p < q
            }
        }
    }

    /// The string's UTF-8 bytes in place when they are contiguous (native and small strings
    /// are), without the copy that `String.withUTF8` on a `var` makes; a bridged string is
    /// made contiguous first.
    private static func withUTF8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        return copy.withUTF8(body)
    }

    /// Appends `s` as an RFC 8785 string (quotes and the minimal escapes of §3.2.2.2), for
    /// writers that produce canonical JSON without building a `JSONValue` first.
    public static func appendCanonical(_ s: String, to out: inout [UInt8]) { writeString(s, into: &out) }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(s, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the characters of `s` as they stand inside an RFC 8785 string, without the quotes.
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        // Most strings need no escaping: copy them whole.
        let plain = withUTF8(s) { bytes in
            for b in bytes where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain { return }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
    }
}

/// ECMAScript number serialisation (ECMA-262 `Number::toString`, as RFC 8785 §3.2.2.3 requires).
public enum JCSNumber {
    /// Formats a finite double the way ECMAScript's `Number.prototype.toString()` does.
    /// - Parameter value: a finite double.
    /// - Returns: the shortest round-tripping decimal in ES6 layout.
    /// - Throws: `json.not-canonicalizable` for NaN or an infinity.
    public static func format(_ value: Double) throws(SkillError) -> String {
        guard value.isFinite else {
            throw SkillError(.jsonNotCanonicalizable, "JCS cannot represent NaN or Infinity")
        }
        if value == 0 { return "0" }  // also -0
        // Integers below 2^53 print as themselves in ECMAScript too; skip the digit analysis.
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992, abs(value) < 1e21 { return String(Int64(value)) }
        if value < 0 { return "-" + (try format(-value)) }
        // Swift's description is the shortest decimal that round-trips (closest when tied),
        // which is the digit string ECMA-262 asks for; only the layout differs.
        let (digits, n) = decompose(value.description)
        let k = digits.count
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let cut = digits.index(digits.startIndex, offsetBy: n)
            return String(digits[..<cut]) + "." + String(digits[cut...])
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let exponent = (e >= 0 ? "+" : "-") + String(abs(e))
        if k == 1 { return digits + "e" + exponent }
        return String(digits.first!) + "." + String(digits.dropFirst()) + "e" + exponent
    }

    /// Splits Swift's description ("1.5e-07", "123.0") into significant digits `s` and the
    /// exponent `n` such that the value is 0.s × 10^n.
    private static func decompose(_ text: String) -> (digits: String, n: Int) {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var digits = ""
        var pointPosition = 0
        var seenPoint = false
        for ch in mantissa {
            if ch == "." { seenPoint = true; continue }
            digits.append(ch)
            if !seenPoint { pointPosition += 1 }
        }
        var n = pointPosition + exponent
        while digits.first == "0" { digits.removeFirst(); n -= 1 }
        while digits.last == "0" { digits.removeLast() }
        return (digits, n)
    }
}
