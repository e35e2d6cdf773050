import SkillCore
import SkillCrypto

/// W3C Bitstring Status List v1.0: a bitstring of at least 131,072 entries, GZIP-compressed
/// and multibase base64url encoded (`u…`); index 0 is the most significant bit of byte 0. An
/// entry is `statusSize` bits (1 for revocation or suspension, more for `message`), the first
/// the most significant.
public struct BitstringStatusList: Sendable, Equatable {
    /// The spec's minimum length, which gives herd privacy.
    public static let minimumLength = 131_072

    public private(set) var bits: [UInt8]
    public var count: Int { bits.count * 8 }

    /// An empty list of `length` entries of `statusSize` bits (at least the minimum number of
    /// entries, rounded up to whole bytes).
    public init(length: Int = minimumLength, statusSize: Int = 1) {
        bits = [UInt8](repeating: 0, count: (max(length, Self.minimumLength) * max(statusSize, 1) + 7) / 8)
    }

    /// How many entries of `statusSize` bits the list holds.
    public func entries(statusSize: Int) -> Int { statusSize > 0 ? count / statusSize : 0 }

    /// The value of entry `index` when entries are `statusSize` bits, or nil when out of range.
    public func value(at index: Int, statusSize: Int) -> Int? {
        guard statusSize > 0, index >= 0, index < entries(statusSize: statusSize) else { return nil }
        var v = 0
        for bit in index * statusSize..<(index + 1) * statusSize { v = v << 1 | (self[bit] ? 1 : 0) }
        return v
    }

    /// Sets entry `index` of `statusSize` bits to `value`.
    public mutating func setValue(_ value: Int, at index: Int, statusSize: Int) {
        precondition(statusSize > 0 && value >= 0 && value < 1 << statusSize, "status value out of range")
        for (k, bit) in (index * statusSize..<(index + 1) * statusSize).enumerated() {
            self[bit] = value >> (statusSize - 1 - k) & 1 == 1
        }
    }

    /// Whether entry `index` is set.
    public subscript(index: Int) -> Bool {
        get { index >= 0 && index < count && bits[index / 8] & (0x80 >> (index % 8)) != 0 }
        set {
            precondition(index >= 0 && index < count, "status index out of range")
            if newValue { bits[index / 8] |= 0x80 >> (index % 8) } else { bits[index / 8] &= ~(0x80 >> (index % 8)) }
        }
    }

    /// The `encodedList` value (§3.2 Bitstring Encoding).
    /// - Throws: `crypto.failure` if compression fails.
    public func encoded() throws(SkillError) -> String { "u" + Base64URL.encode(try Gzip.compress(bits)) }

    /// Decodes an `encodedList`.
    /// - Parameters:
    ///   - text: the encoded list.
    ///   - minimumLength: entries required (the spec's 131,072 unless testing).
    ///   - requireMultibase: refuse lists without the `u` prefix (pre-Recommendation encodings).
    /// - Throws: `json.malformed` when it is not base64url GZIP or is shorter than the minimum.
    public init(encoded text: String, minimumLength: Int = minimumLength, requireMultibase: Bool = true) throws(SkillError) {
        var body = Substring(text)
        if body.hasPrefix("u") { body = body.dropFirst() } else if requireMultibase {
            throw SkillError(.jsonMalformed, "encodedList is not multibase base64url ('u…')", field: "encodedList")
        }
        guard let compressed = Base64URL.decode(String(body)) else {
            throw SkillError(.jsonMalformed, "encodedList is not base64url", field: "encodedList")
        }
        bits = try Gzip.decompress(compressed)
        guard bits.count * 8 >= minimumLength else {
            throw SkillError(.jsonMalformed, "the status list has \(bits.count * 8) entries, fewer than \(minimumLength)", field: "encodedList")
        }
    }
}
