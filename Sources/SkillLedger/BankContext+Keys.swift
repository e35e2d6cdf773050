import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// The owner id of the registry's own keys.
let registryOwner = "registry"

/// A key pair made and encrypted before the unit of work that stores it.
struct NewKey {
    let key: Ed25519PrivateKey
    let pem: String
    var did: String { DIDKey.did(key.publicKey.rawRepresentation) }

    init(passphrase: SecretBytes) throws(SkillError) {
        key = try Ed25519PrivateKey()
        pem = try key.encryptedPEM(passphrase: passphrase)
    }

    /// The stored record of this key for `owner`, valid from `date`.
    func record(owner: String, at date: Date) -> KeyRecord {
        KeyRecord(id: IdentifierKind.key.make(at: date), ownerID: owner, did: did, publicKey: key.publicKey.rawRepresentation,
                  validFrom: Timestamp.format(date), validUntil: nil)
    }
}

extension BankContext {
    /// The owner's current key and its private half, decrypted with the passphrase (once per process).
    /// - Throws: `ledger.institution-kind-not-allowed` when the owner has no key; `secret.invalid`
    ///   when the passphrase cannot decrypt it.
    func signingKey(_ tx: any StoreTransaction, owner: String) throws -> (KeyRecord, Ed25519PrivateKey) {
        guard let (record, pem) = try tx.keys.currentKey(of: owner) else {
            throw SkillError(.kindNotAllowed, "\(owner) has no signing key (only evaluators, international bodies and the registry sign)")
        }
        if let cached = keyCache.get(record.id) { return (record, cached) }
        let key = try decrypt(pem)
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
        _ = try read { tx in try signingKey(tx, owner: registryOwner) }
    }

    /// A new key pair encrypted under the passphrase, once the passphrase is known to be right.
    func makeKey() throws(SkillError) -> NewKey {
        try requireKeyPassphrase()
        return try NewKey(passphrase: keyPassphrase)
    }

    /// Makes the registry's key when the bank has none (new banks, and banks made before keys existed).
    func ensureRegistryKey() throws(SkillError) {
        guard try read({ tx in try tx.keys.keys(of: registryOwner).isEmpty }) else { return }
        let new = try NewKey(passphrase: keyPassphrase)
        let date = now
        try write { tx in
            guard try tx.keys.keys(of: registryOwner).isEmpty else { return }
            let event = try append(tx, "registry.key-created", actor: Actor("registry"), at: date,
                                   subjects: ["registry": .string(new.did)], change: ["key": .string(new.did)])
            try tx.keys.insert(new.record(owner: registryOwner, at: date), encryptedPEM: new.pem, eventID: event)
        }
    }
}
