internal import COpenSSL
import SkillCore

extension Ed25519PrivateKey {
    /// The key as an encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`): AES-256-CBC
    /// under a key derived from `passphrase` with PBKDF2-HMAC-SHA256 (OpenSSL 3's PKCS#5 v2.0
    /// default), so the private key never touches disk in clear.
    /// - Throws: `crypto.failure`; `secret.invalid` for a passphrase shorter than 8 bytes.
    public func encryptedPEM(passphrase: SecretBytes) throws(SkillError) -> String {
        guard passphrase.count >= 8 else { throw SkillError(.secretInvalid, "the key passphrase must have at least 8 bytes") }
        guard let bio = BIO_new(BIO_s_mem()) else { throw .openSSL("BIO_new") }
        defer { BIO_free(bio) }
        let ok = passphrase.withUnsafeBytes { p in
            PEM_write_bio_PKCS8PrivateKey(
                bio, key.pointer, EVP_aes_256_cbc(), UnsafeMutablePointer(mutating: p.baseAddress?.assumingMemoryBound(to: CChar.self)),
                Int32(p.count), nil, nil)
        }
        guard ok == 1 else { throw .openSSL("PEM_write_bio_PKCS8PrivateKey") }
        var data: UnsafeMutablePointer<CChar>?
        let length = skillbank_bio_mem_data(bio, &data)
        guard length > 0, let data else { throw .openSSL("BIO_get_mem_data") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// Reads a key written by `encryptedPEM(passphrase:)`.
    /// - Throws: `secret.invalid` when the passphrase is wrong or the PEM is damaged;
    ///   `crypto.failure` when it holds a key that is not Ed25519.
    public init(encryptedPEM pem: String, passphrase: SecretBytes) throws(SkillError) {
        var bytes = Array(pem.utf8)
        guard let bio = bytes.withUnsafeMutableBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw .openSSL("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        let key = passphrase.withUnsafeBytes { p -> OpaquePointer? in
            // A NUL-terminated copy: with no callback, OpenSSL reads the passphrase as a C string.
            var terminated = Array(p) + [0]
            defer { scrub(&terminated) }
            return terminated.withUnsafeMutableBytes { t in PEM_read_bio_PrivateKey(bio, nil, nil, t.baseAddress) }
        }
        scrub(&bytes)
        guard let key else {
            throw SkillError.openSSL("reading the encrypted private key (wrong passphrase or damaged key file)", code: .secretInvalid)
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw SkillError(.cryptoFailure, "the key file does not hold an Ed25519 key")
        }
        try self.init(owning: EVPKey(key))
    }
}
