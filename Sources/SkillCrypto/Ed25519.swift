internal import COpenSSL
import SkillCore

/// An OpenSSL `EVP_PKEY` owned by Swift; freed when the last reference goes.
///
/// `@unchecked Sendable` is safe: the key is never mutated after creation, and OpenSSL
/// allows concurrent signing and verification with one `EVP_PKEY`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

/// An Ed25519 public key (RFC 8032), 32 bytes.
public struct Ed25519PublicKey: Sendable, Hashable {
    public let rawRepresentation: [UInt8]
    let key: EVPKey

    /// Imports a raw 32-byte public key.
    /// - Throws: `crypto.failure` when the bytes are not a valid key.
    public init(rawRepresentation raw: [UInt8]) throws(SkillError) {
        guard raw.count == 32 else { throw SkillError(.cryptoFailure, "an Ed25519 public key has 32 bytes, got \(raw.count)") }
        guard let k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw .openSSL("EVP_PKEY_new_raw_public_key")
        }
        rawRepresentation = raw
        key = EVPKey(k)
    }

    /// Checks an Ed25519 signature over `message`.
    /// - Returns: whether the signature is valid; a malformed signature is simply invalid.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        let ok = EVP_DigestVerifyInit(ctx, nil, nil, nil, key.pointer) == 1
            && EVP_DigestVerify(ctx, signature, signature.count, message, message.count) == 1
        // A bad signature leaves an error on the queue; it must not surface in a later call.
        ERR_clear_error()
        return ok
    }

    public static func == (a: Self, b: Self) -> Bool { a.rawRepresentation == b.rawRepresentation }
    public func hash(into h: inout Hasher) { h.combine(rawRepresentation) }
}

/// An Ed25519 private key made by OpenSSL. It never leaves the process in clear: export is
/// only as passphrase-encrypted PKCS#8.
public struct Ed25519PrivateKey: Sendable {
    let key: EVPKey
    public let publicKey: Ed25519PublicKey

    /// Generates a new key pair with OpenSSL's random generator.
    /// - Throws: `crypto.failure`.
    public init() throws(SkillError) {
        guard let k = skillbank_ed25519_keygen() else { throw .openSSL("Ed25519 key generation") }
        try self.init(owning: EVPKey(k))
    }

    /// Imports a 32-byte seed (RFC 8032's secret key). For test vectors and key import.
    /// - Throws: `crypto.failure`.
    public init(seed: [UInt8]) throws(SkillError) {
        guard seed.count == 32 else { throw SkillError(.cryptoFailure, "an Ed25519 seed has 32 bytes") }
        guard let k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw .openSSL("EVP_PKEY_new_raw_private_key")
        }
        try self.init(owning: EVPKey(k))
    }

    init(owning key: EVPKey) throws(SkillError) {
        self.key = key
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1, length == 32 else {
            throw .openSSL("EVP_PKEY_get_raw_public_key")
        }
        publicKey = try Ed25519PublicKey(rawRepresentation: raw)
    }

    /// The 32-byte seed, for the key-safety tests that search files and memory for it. Package
    /// access only: nothing outside this package can take a private key out of OpenSSL.
    package func seedForAudit() throws(SkillError) -> SecretBytes {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_private_key(key.pointer, &raw, &length) == 1, length == 32 else {
            throw .openSSL("EVP_PKEY_get_raw_private_key")
        }
        defer { scrub(&raw) }
        return SecretBytes(raw)
    }

    /// Signs `message` (pure Ed25519, RFC 8032 §5.1.6).
    /// - Returns: the 64-byte signature.
    /// - Throws: `crypto.failure`.
    public func signature(for message: [UInt8]) throws(SkillError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw .openSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, key.pointer) == 1 else { throw .openSSL("EVP_DigestSignInit") }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        guard EVP_DigestSign(ctx, &signature, &length, message, message.count) == 1, length == 64 else { throw .openSSL("EVP_DigestSign") }
        return signature
    }
}
