import SkillCore

/// Keeps personal data out of the clear: a blind index (HMAC-SHA256) for look-up and
/// duplicate detection, and AES-256-GCM ciphertext for the operator's display.
///
/// Both keys are derived with HKDF from the registry secret, each for its own purpose,
/// so the index key cannot decrypt and the encryption key cannot forge index entries.
public struct PersonalDataVault: Sendable {
    let indexKey: SecretBytes
    let encryptionKey: SecretBytes

    /// Derives the vault's keys from the registry secret.
    /// - Parameter secret: at least 32 bytes of random key material.
    /// - Throws: `secret.invalid` when the secret is too short; `crypto.failure`.
    public init(secret: SecretBytes) throws(SkillError) {
        guard secret.count >= 32 else { throw SkillError(.secretInvalid, "the registry secret must hold at least 32 bytes") }
        indexKey = try HKDF.deriveKey(from: secret, salt: "skillbank", info: "personal-data/blind-index/v1")
        encryptionKey = try HKDF.deriveKey(from: secret, salt: "skillbank", info: "personal-data/aes-256-gcm/v1")
    }

    /// The blind index of an identity document: HMAC over its type and normalised number.
    public func index(of id: PersonalID) -> [UInt8] {
        HMACSHA256.authenticate(Array("id:\(id.type.rawValue):\(id.number)".utf8), key: indexKey)
    }

    /// The blind index of a name (normalised: NFC, case-folded, white space collapsed).
    public func index(of name: PersonName) -> [UInt8] {
        HMACSHA256.authenticate(Array("name:\(name.normalized)".utf8), key: indexKey)
    }

    /// Encrypts a personal-data field, bound to the record and column it belongs to.
    /// - Throws: `crypto.failure`.
    public func seal(_ value: String, record: String, column: String) throws(SkillError) -> [UInt8] {
        try AESGCM.seal(Array(value.utf8), key: encryptionKey, associatedData: Array("\(record)/\(column)".utf8))
    }

    /// Decrypts a field sealed by `seal` for the same record and column.
    /// - Throws: `crypto.decryption-failed`.
    public func open(_ box: [UInt8], record: String, column: String) throws(SkillError) -> String {
        var plain = try AESGCM.open(box, key: encryptionKey, associatedData: Array("\(record)/\(column)".utf8))
        defer { scrub(&plain) }
        return String(decoding: plain, as: UTF8.self)
    }

    /// A fingerprint of the secret that a database stores, so that a wrong secret file is
    /// refused instead of silently producing blind indexes that match nothing.
    public func fingerprint() -> [UInt8] {
        HMACSHA256.authenticate(Array("skillbank/secret-fingerprint/v1".utf8), key: indexKey)
    }
}
