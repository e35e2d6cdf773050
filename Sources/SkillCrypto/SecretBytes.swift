internal import COpenSSL
import SkillCore

/// Key material that is wiped when the last reference goes away.
///
/// Immutable after creation, which is why `@unchecked Sendable` is safe: no thread can
/// observe a write. The bytes never appear in `description`.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible {
    private var storage: [UInt8]

    /// Takes ownership of `bytes` (the caller's copy should be scrubbed).
    public init(_ bytes: [UInt8]) { storage = bytes }

    deinit { scrub(&storage) }

    public var count: Int { storage.count }

    /// Lends the bytes to `body`; do not let them escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }

    public var description: String { "SecretBytes(\(storage.count) bytes, redacted)" }
}

/// HKDF (RFC 5869) with SHA-256 through OpenSSL's EVP_KDF.
public enum HKDF {
    /// Derives `length` bytes from `secret` for the purpose named by `info`.
    /// - Throws: `crypto.failure` when OpenSSL cannot derive.
    public static func deriveKey(from secret: SecretBytes, salt: String, info: String, length: Int = 32) throws(SkillError) -> SecretBytes {
        try deriveKey(from: secret, salt: Array(salt.utf8), info: Array(info.utf8), length: length)
    }

    /// Derives `length` bytes from `secret` with binary salt and info (RFC 5869 §2).
    /// - Throws: `crypto.failure` when OpenSSL cannot derive.
    public static func deriveKey(from secret: SecretBytes, salt: [UInt8], info: [UInt8], length: Int) throws(SkillError) -> SecretBytes {
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw .openSSL("EVP_KDF_fetch(HKDF)") }
        defer { EVP_KDF_free(kdf) }
        guard let ctx = EVP_KDF_CTX_new(kdf) else { throw .openSSL("EVP_KDF_CTX_new") }
        defer { EVP_KDF_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: length)
        var saltBytes = salt
        var infoBytes = info
        var digest = Array("SHA256".utf8CString)
        let ok: Int32 = secret.withUnsafeBytes { key in
            digest.withUnsafeMutableBufferPointer { d in
                saltBytes.withUnsafeMutableBytes { s in
                    infoBytes.withUnsafeMutableBytes { i in
                        let keyPointer = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        var params = [
                            skillbank_kdf_param_digest(d.baseAddress),
                            skillbank_kdf_param_key(keyPointer, key.count),
                            skillbank_kdf_param_salt(s.baseAddress, s.count),
                            skillbank_kdf_param_info(i.baseAddress, i.count),
                            OSSL_PARAM_construct_end(),
                        ]
                        return out.withUnsafeMutableBytes { o in
                            EVP_KDF_derive(ctx, o.baseAddress?.assumingMemoryBound(to: UInt8.self), length, &params)
                        }
                    }
                }
            }
        }
        guard ok == 1 else {
            scrub(&out)
            throw .openSSL("HKDF derive")
        }
        return SecretBytes(out)
    }
}
