internal import COpenSSL
import SkillCore

/// SHA-256 (FIPS 180-4) through OpenSSL EVP.
public enum SHA256 {
    /// The algorithm fetched from the default provider once. With `EVP_sha256()` OpenSSL 3 looks
    /// the implementation up again on every digest (its "implicit fetch", `EVP_MD_fetch` in the
    /// profile of a verification); crypto(7) recommends fetching explicitly. Never freed: it
    /// lives as long as the process, and OpenSSL allows one fetched method in many threads.
    nonisolated(unsafe) static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { preconditionFailure("OpenSSL has no SHA256 in its default provider") }
        return md
    }()

    /// The digest of `data`.
    /// - Returns: 32 bytes.
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, algorithm, nil)
            }
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) cannot fail on valid input")
        return out
    }

    /// The digest of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }
}

/// HMAC-SHA256 (RFC 2104) through OpenSSL.
public enum HMACSHA256 {
    /// The authentication code of `data` under `key`.
    /// - Returns: 32 bytes.
    public static func authenticate(_ data: [UInt8], key: SecretBytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    let r = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                 d.count, o.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
                    precondition(r != nil && length == 32, "HMAC-SHA256 cannot fail on valid input")
                }
            }
        }
        return out
    }
}

/// Cryptographically secure random bytes (RAND_bytes).
public enum SecureRandom {
    /// `count` random bytes.
    /// - Throws: `crypto.failure` if the generator is not seeded.
    public static func bytes(_ count: Int) throws(SkillError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        guard ok == 1 else { throw .openSSL("RAND_bytes") }
        return out
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// The lowercase hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String { encode(Array(bytes)) }

    /// The lowercase hex of `bytes`. Arrays come here directly: the generic form, compiled once
    /// for any sequence, fetched each byte through a protocol call (40,000 instructions per certificate issued).
    public static func encode(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = digits[Int(b >> 4)]
                out[2 * i + 1] = digits[Int(b & 0xF)]
            }
            return bytes.count * 2
        }
    }

    /// The bytes of a hex string, or nil if it is not hex of even length.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let h = value(chars[i]), let l = value(chars[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}

/// Comparison whose time does not depend on where two byte strings differ (CRYPTO_memcmp).
public enum ConstantTime {
    /// Whether `a` and `b` are equal; unequal lengths are unequal at once (lengths are not secret).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}
