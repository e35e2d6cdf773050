import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto
import Synchronization

/// A key in an owner's key history: who, which did:key, and when it may sign.
public struct KeyRecord: Sendable, Hashable {
    public let id: String
    public let ownerID: String
    public let did: String
    public let publicKey: [UInt8]
    public let validFrom: String
    /// When a rotation retired it; nil for the current key.
    public let validUntil: String?

    public var verificationMethod: String { DIDKey.verificationMethod(publicKey) }

    public var json: JSONValue {
        [
            "id": .string(verificationMethod), "did": .string(did), "publicKeyMultibase": .string(DIDKey.multibase(publicKey)),
            "validFrom": .string(validFrom), "validUntil": .optional(validUntil),
        ]
    }

    init(row: Row) {
        id = row["id"]
        ownerID = row["owner_id"]
        did = row["did"]
        publicKey = Array(row["public_key"] as Data)
        validFrom = row["valid_from"]
        validUntil = row["valid_until"]
    }
}

/// Decrypted private keys kept for the life of the process, so bulk issuance decrypts each
/// key once. Holds only keys this process has already unlocked with the passphrase.
final class PrivateKeyCache: Sendable {
    private let keys = Mutex<[String: Ed25519PrivateKey]>([:])
    func get(_ id: String) -> Ed25519PrivateKey? { keys.withLock { $0[id] } }
    func put(_ id: String, _ key: Ed25519PrivateKey) { keys.withLock { $0[id] = key } }
}

extension Ledger {
    /// The owner id of the registry's own keys.
    public static let registryOwner = "registry"

    /// A key pair made and encrypted before the transaction that stores it.
    struct NewKey {
        let key: Ed25519PrivateKey
        let pem: String
        var did: String { DIDKey.did(key.publicKey.rawRepresentation) }

        init(passphrase: SecretBytes) throws(SkillError) {
            key = try Ed25519PrivateKey()
            pem = try key.encryptedPEM(passphrase: passphrase)
        }
    }

    /// Stores a new key for `owner` inside the caller's transaction (after its event).
    static func insertKey(_ db: Database, _ new: NewKey, owner: String, at date: Date, event: String) throws -> KeyRecord {
        let raw = new.key.publicKey.rawRepresentation
        let id = IdentifierKind.key.make(at: date)
        try db.execute(
            sql: "INSERT INTO keys(id, owner_id, did, public_key, encrypted_pem, valid_from, event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [id, owner, new.did, Data(raw), new.pem, Timestamp.format(date), event])
        return KeyRecord(row: try Row.fetchOne(db, sql: "SELECT * FROM keys WHERE id = ?", arguments: [id])!)
    }

    /// Every key `owner` has had, oldest first.
    public func keys(of owner: String) throws(SkillError) -> [KeyRecord] {
        try read { db in try Ledger.keys(db, owner) }
    }

    static func keys(_ db: Database, _ owner: String) throws -> [KeyRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM keys WHERE owner_id = ? ORDER BY valid_from, id"), arguments: [owner]).map(KeyRecord.init(row:))
    }

    /// The owner's current key and its private half, decrypted with the passphrase (once per process).
    /// - Throws: `ledger.institution-kind-not-allowed` when the owner has no key; `secret.invalid`
    ///   when the passphrase cannot decrypt it.
    func signingKey(_ db: Database, owner: String) throws -> (KeyRecord, Ed25519PrivateKey) {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM keys WHERE owner_id = ? AND valid_until IS NULL ORDER BY valid_from DESC LIMIT 1"),
            arguments: [owner])
        else {
            throw SkillError(.kindNotAllowed, "\(owner) has no signing key (only evaluators, international bodies and the registry sign)")
        }
        let record = KeyRecord(row: row)
        if let cached = keyCache.get(record.id) { return (record, cached) }
        let key = try decrypt(row["encrypted_pem"])
        keyCache.put(record.id, key)
        return (record, key)
    }

    /// A stored private key, decrypted; a passphrase that does not open it is named in the error.
    private func decrypt(_ pem: String) throws(SkillError) -> Ed25519PrivateKey {
        do {
            return try Ed25519PrivateKey(encryptedPEM: pem, passphrase: keyPassphrase)
        } catch where error.code == .secretInvalid {
            throw SkillError(.secretInvalid, "the key passphrase does not open this bank's keys (wrong passphrase, or a damaged key)",
                             field: keyPassphraseSource)
        }
    }

    /// Opens the registry's key, so a wrong passphrase is refused with a clear error before
    /// anything is signed, or a key is made under it that the right passphrase would never
    /// open. One PBKDF2 derivation per process: the key stays cached for signing.
    /// - Throws: `secret.invalid` naming where the passphrase came from.
    func requireKeyPassphrase() throws(SkillError) {
        _ = try read { db in try signingKey(db, owner: Ledger.registryOwner) }
    }

    /// A new key pair encrypted under the passphrase, once the passphrase is known to be right.
    func makeKey() throws(SkillError) -> NewKey {
        try requireKeyPassphrase()
        return try NewKey(passphrase: keyPassphrase)
    }

    /// Adds a new key for an issuing institution; the old one stays in the history with its
    /// validity window closed, so what it signed still verifies. One ledger event.
    /// - Returns: the new key.
    /// - Throws: `ledger.institution-not-found`, `ledger.institution-kind-not-allowed`.
    public func rotateKey(of institutionID: String, actor: Actor = .operatorCLI) throws(SkillError) -> KeyRecord {
        let date = now
        let new = try makeKey()
        return try write { db in
            let institution = try Ledger.requireInstitution(db, institutionID)
            guard institution.kind != .training else {
                throw SkillError(.kindNotAllowed, "training providers do not sign certificates and have no key")
            }
            let old = try Ledger.keys(db, institutionID).filter { $0.validUntil == nil }
            let time = Timestamp.format(date)
            let event = try Ledger.appendEvent(
                db, type: "institution.key-rotated", actor: actor, at: date, subjects: ["institution": .string(institutionID)],
                change: ["new_key": .string(new.did), "retired_keys": .array(old.map { .string($0.did) }), "valid_from": .string(time)])
            try db.execute(sql: "UPDATE keys SET valid_until = ? WHERE owner_id = ? AND valid_until IS NULL",
                           arguments: [time, institutionID])
            return try Ledger.insertKey(db, new, owner: institutionID, at: date, event: event)
        }
    }

    /// Makes the registry's key when the bank has none (new banks, and banks made before keys existed).
    static func ensureRegistryKey(_ database: any DatabaseWriter, passphrase: SecretBytes, at date: Date) throws {
        let hasKey = try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM keys WHERE owner_id = ?", arguments: [registryOwner]) ?? 0 }
        guard hasKey == 0 else { return }
        let new = try NewKey(passphrase: passphrase)
        try database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM keys WHERE owner_id = ?", arguments: [registryOwner]) == 0 else { return }
            let event = try appendEvent(db, type: "registry.key-created", actor: Actor("registry"), at: date,
                                        subjects: ["registry": .string(new.did)], change: ["key": .string(new.did)])
            _ = try insertKey(db, new, owner: registryOwner, at: date, event: event)
        }
    }
}
