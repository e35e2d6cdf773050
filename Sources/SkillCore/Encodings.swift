/// Base58 with the Bitcoin alphabet, as multibase `z` (base58btc) uses.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let index: [Int8] = {
        var t = [Int8](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    /// 58⁵, the largest power of 58 below 2³²: arithmetic runs on limbs of five base-58
    /// digits, so a 34-byte did:key or a 64-byte signature takes a few hundred limb steps
    /// instead of thousands of digit steps.
    static let limbBase: UInt64 = 656_356_768

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        var limbs: [UInt32] = []  // base 58⁵, least significant first
        limbs.reserveCapacity(bytes.count / 3 + 1)
        var i = zeros
        while i < bytes.count {
            // Take up to three bytes at once: limb·2²⁴ + carry stays below 2⁶⁴.
            let take = Swift.min(3, bytes.count - i)
            var chunk: UInt64 = 0
            for k in 0..<take { chunk = chunk << 8 | UInt64(bytes[i + k]) }
            let shift = UInt64(8 * take)
            var carry = chunk
            for j in 0..<limbs.count {
                carry += UInt64(limbs[j]) << shift
                limbs[j] = UInt32(carry % limbBase)
                carry /= limbBase
            }
            while carry > 0 {
                limbs.append(UInt32(carry % limbBase))
                carry /= limbBase
            }
            i += take
        }
        var digits: [UInt8] = []  // most significant first
        digits.reserveCapacity(limbs.count * 5)
        for limb in limbs.reversed() {
            var v = limb
            let at = digits.count
            digits.append(contentsOf: repeatElement(0, count: 5))
            for k in stride(from: 4, through: 0, by: -1) {
                digits[at + k] = UInt8(v % 58)
                v /= 58
            }
        }
        let significant = digits.drop { $0 == 0 }
        return String(repeating: "1", count: zeros) + String(decoding: significant.map { alphabet[Int($0)] }, as: UTF8.self)
    }

    /// Decodes a base58btc string, or nil when it holds a character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count <= 1_024 else { return nil }
        let ones = chars.prefix { $0 == UInt8(ascii: "1") }.count
        var limbs: [UInt32] = []  // base 2³², least significant first
        limbs.reserveCapacity(chars.count / 5 + 1)
        var i = ones
        while i < chars.count {
            // Up to five digits at once: limb·58⁵ + carry stays below 2⁶⁴.
            let take = Swift.min(5, chars.count - i)
            var chunk: UInt64 = 0
            var scale: UInt64 = 1
            for k in 0..<take {
                let c = chars[i + k]
                guard c < 128, index[Int(c)] >= 0 else { return nil }
                chunk = chunk * 58 + UInt64(index[Int(c)])
                scale *= 58
            }
            var carry = chunk
            for j in 0..<limbs.count {
                carry += UInt64(limbs[j]) * scale
                limbs[j] = UInt32(truncatingIfNeeded: carry)
                carry >>= 32
            }
            while carry > 0 {
                limbs.append(UInt32(truncatingIfNeeded: carry))
                carry >>= 32
            }
            i += take
        }
        var bytes: [UInt8] = []  // most significant first
        bytes.reserveCapacity(limbs.count * 4)
        for limb in limbs.reversed() {
            for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: limb >> UInt32(shift))) }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.drop { $0 == 0 }
    }
}

/// Base64url without padding (RFC 4648 §5), as JOSE and multibase `u` use.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        if bytes.count - i == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if bytes.count - i == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base64url; nil on any other character or an impossible length.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for c in text.utf8 {
            switch c {
            case 65...90: values.append(c - 65)
            case 97...122: values.append(c - 71)
            case 48...57: values.append(c + 4)
            case 45: values.append(62)
            case 95: values.append(63)
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (k, v) in chunk.enumerated() { n |= UInt32(v) << (18 - 6 * k) }
            out.append(UInt8(n >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}

/// `did:key` identifiers for Ed25519 keys (W3C CCG did:key v0.7): the multicodec prefix
/// 0xed 0x01 and the 32-byte key, base58btc with the multibase prefix `z`.
public enum DIDKey {
    static let ed25519Prefix: [UInt8] = [0xED, 0x01]

    /// The `z6Mk…` multibase form of a public key (also `publicKeyMultibase`).
    public static func multibase(_ publicKey: [UInt8]) -> String { "z" + Base58.encode(ed25519Prefix + publicKey) }

    /// `did:key:z6Mk…`.
    public static func did(_ publicKey: [UInt8]) -> String { "did:key:" + multibase(publicKey) }

    /// The verification method id: the DID, `#`, and the same multibase string.
    public static func verificationMethod(_ publicKey: [UInt8]) -> String { did(publicKey) + "#" + multibase(publicKey) }

    /// The 32-byte Ed25519 key named by a `did:key` DID or verification method id.
    /// - Returns: nil when the text is not an Ed25519 did:key (or the fragment names another key).
    public static func publicKey(from text: String) -> [UInt8]? {
        let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0].hasPrefix("did:key:z") else { return nil }
        let encoded = String(parts[0].dropFirst("did:key:".count))
        if parts.count == 2, String(parts[1]) != encoded { return nil }
        guard let bytes = Base58.decode(String(encoded.dropFirst())), bytes.count == 34, Array(bytes.prefix(2)) == ed25519Prefix else {
            return nil
        }
        return Array(bytes.suffix(32))
    }
}
