import SkillCore

/// Base58 with the Bitcoin alphabet, as multibase `z` (base58btc) uses.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let index: [Int8] = {
        var t = [Int8](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        var digits: [UInt8] = []  // base-58 digits, least significant first
        for byte in bytes {
            var carry = Int(byte)
            for i in 0..<digits.count {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        return String(repeating: "1", count: zeros) + String(decoding: digits.reversed().map { alphabet[Int($0)] }, as: UTF8.self)
    }

    /// Decodes a base58btc string, or nil when it holds a character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count <= 1_024 else { return nil }
        let ones = chars.prefix { $0 == UInt8(ascii: "1") }.count
        var bytes: [UInt8] = []  // least significant first
        for c in chars {
            guard c < 128, index[Int(c)] >= 0 else { return nil }
            var carry = Int(index[Int(c)])
            for i in 0..<bytes.count {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
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
