internal import COpenSSL
import SkillCore

/// AES-256-GCM authenticated encryption (NIST SP 800-38D) through OpenSSL EVP.
///
/// A sealed box is `nonce (12) ‖ ciphertext ‖ tag (16)`; the nonce is random per seal.
public enum AESGCM {
    static let nonceLength = 12
    static let tagLength = 16

    /// The cipher fetched from the default provider once, for the reason `SHA256.algorithm`
    /// gives: `EVP_aes_256_gcm()` makes OpenSSL 3 look the implementation up by name on every
    /// init (a `strcmp` walk in the profile of certificate issuance). Never freed.
    nonisolated(unsafe) static let cipher: OpaquePointer = {
        guard let c = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else { preconditionFailure("OpenSSL has no AES-256-GCM in its default provider") }
        return c
    }()

    /// Encrypts `plaintext` bound to `associatedData`.
    /// - Parameters:
    ///   - plaintext: the bytes to protect.
    ///   - key: 32 bytes.
    ///   - associatedData: bytes authenticated but not encrypted (for example the row's id and column).
    /// - Returns: the sealed box.
    /// - Throws: `crypto.failure`.
    public static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(SkillError) -> [UInt8] {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        let nonce = try SecureRandom.bytes(nonceLength)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagLength)
        var written: Int32 = 0
        var total: Int32 = 0
        let ok: Bool = key.withUnsafeBytes { k in
            guard EVP_EncryptInit_ex2(ctx, cipher, nil, nil, nil) == 1,
                skillbank_aead_set_ivlen(ctx, Int32(nonceLength)) == 1,
                EVP_EncryptInit_ex2(ctx, nil, k.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce, nil) == 1
            else { return false }
            if !associatedData.isEmpty {
                guard EVP_EncryptUpdate(ctx, nil, &written, associatedData, Int32(associatedData.count)) == 1 else { return false }
            }
            let updated = out.withUnsafeMutableBufferPointer { o in
                EVP_EncryptUpdate(ctx, o.baseAddress, &written, plaintext, Int32(plaintext.count)) == 1
            }
            guard updated else { return false }
            total = written
            let finished = out.withUnsafeMutableBufferPointer { o in
                EVP_EncryptFinal_ex(ctx, o.baseAddress! + Int(total), &written) == 1
            }
            guard finished else { return false }
            total += written
            return skillbank_aead_get_tag(ctx, &tag, Int32(tagLength)) == 1
        }
        guard ok else { throw .openSSL("AES-256-GCM seal") }
        return nonce + out.prefix(Int(total)) + tag
    }

    /// Decrypts a sealed box made by `seal`.
    /// - Returns: the plaintext.
    /// - Throws: `crypto.decryption-failed` when the box was altered, the key is wrong, or
    ///   the associated data differs.
    public static func open(_ box: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(SkillError) -> [UInt8] {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        guard box.count >= nonceLength + tagLength else {
            throw SkillError(.decryptionFailed, "the encrypted value is truncated")
        }
        let nonce = Array(box.prefix(nonceLength))
        let body = Array(box[nonceLength..<(box.count - tagLength)])
        var tag = Array(box.suffix(tagLength))
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: body.count + 16)
        var written: Int32 = 0
        var total: Int32 = 0
        let ok: Bool = key.withUnsafeBytes { k in
            guard EVP_DecryptInit_ex2(ctx, cipher, nil, nil, nil) == 1,
                skillbank_aead_set_ivlen(ctx, Int32(nonceLength)) == 1,
                EVP_DecryptInit_ex2(ctx, nil, k.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce, nil) == 1
            else { return false }
            if !associatedData.isEmpty {
                guard EVP_DecryptUpdate(ctx, nil, &written, associatedData, Int32(associatedData.count)) == 1 else { return false }
            }
            let updated = out.withUnsafeMutableBufferPointer { o in
                EVP_DecryptUpdate(ctx, o.baseAddress, &written, body, Int32(body.count)) == 1
            }
            guard updated else { return false }
            total = written
            guard skillbank_aead_set_tag(ctx, &tag, Int32(tagLength)) == 1 else { return false }
            let finished = out.withUnsafeMutableBufferPointer { o in
                EVP_DecryptFinal_ex(ctx, o.baseAddress! + Int(total), &written) == 1
            }
            guard finished else { return false }
            total += written
            return true
        }
        guard ok else {
            scrub(&out)
            _ = SkillError.openSSL("AES-256-GCM open")  // drain the queue
            throw SkillError(.decryptionFailed, "the encrypted value could not be authenticated (altered data or wrong key)")
        }
        return Array(out.prefix(Int(total)))
    }
}
