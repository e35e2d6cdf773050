import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore
import Synchronization

/// What every use case shares: the store, the Standards, the personal-data vault, the key
/// passphrase and what the process has cached. Immutable after opening.
final class BankContext: Sendable {
    let store: any Store
    let standards: Standards
    let vault: PersonalDataVault
    let keyPassphrase: SecretBytes
    /// Where the passphrase came from, for errors: its file, or `SKILLBANK_KEY_PASSPHRASE`.
    let keyPassphraseSource: String
    let keyCache = PrivateKeyCache()
    let tokenCache = TokenCache()
    let baseURL: String
    let logOrigin: String
    let clock: @Sendable () -> Date

    init(
        store: any Store, standards: Standards, vault: PersonalDataVault, keyPassphrase: SecretBytes, keyPassphraseSource: String,
        baseURL: String, logOrigin: String, clock: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.standards = standards
        self.vault = vault
        self.keyPassphrase = keyPassphrase
        self.keyPassphraseSource = keyPassphraseSource
        self.baseURL = baseURL
        self.logOrigin = logOrigin
        self.clock = clock
    }

    /// The current time from the bank's clock.
    var now: Date { clock() }
    /// Today in the registry's time zone.
    var today: CalendarDate { CalendarDate(now) }

    func read<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T { try store.read(body) }
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T { try store.write(body) }

    /// Appends an event and its log leaf, a commitment to it (`EventLeaf`), inside the caller's
    /// unit of work.
    /// - Returns: the event id.
    @discardableResult
    func append(
        _ tx: any StoreTransaction, _ type: String, actor: Actor, at date: Date, subjects: [String: JSONValue], change: JSONValue
    ) throws -> String {
        let event = LedgerEvent(type: type, actor: actor, at: date, subjects: subjects, change: change)
        try append(tx, [event])
        return event.id
    }

    /// Appends events, in order, each with its salted commitment as its log leaf, in one write
    /// of the events and one of the tree's nodes.
    func append(_ tx: any StoreTransaction, _ events: [LedgerEvent]) throws {
        guard !events.isEmpty else { return }
        let entries = try events.map { event in
            let canonical = try event.canonicalBytes()
            let salt = try SecureRandom.bytes(EventLeaf.saltLength)
            return NewEvent(event, canonical: canonical, salt: salt, commitment: EventLeaf.commitment(canonical: canonical, salt: salt))
        }
        let first = try tx.log.append(entries)
        try TransparencyLog.appendLeaves(tx, from: first - 1, data: entries.map { EventLeaf.data(commitment: $0.commitment!) })
        // The transactional outbox: the webhook messages of these events commit with them.
        try Webhooks(context: self).enqueue(tx, events)
    }

    /// The stable URL of an issuer's status list credential.
    func statusListURL(_ institutionID: String, _ purpose: StatusPurpose) -> String {
        "\(baseURL)/v1/status-lists/\(institutionID)/\(purpose.rawValue)"
    }
}

/// Decrypted private keys kept for the life of the process, so bulk issuance decrypts each
/// key once. Holds only keys this process has already unlocked with the passphrase.
final class PrivateKeyCache: Sendable {
    private let keys = Mutex<[String: Ed25519PrivateKey]>([:])
    func get(_ id: String) -> Ed25519PrivateKey? { keys.withLock { $0[id] } }
    func put(_ id: String, _ key: Ed25519PrivateKey) { keys.withLock { $0[id] = key } }
}

/// Tokens read since the last commit, by the SHA-256 of their secret. All of them are dropped
/// as soon as the change version moves, so a revocation or a new token is never answered from
/// an older read. Unknown secrets are not kept: guessing cannot fill it.
final class TokenCache: Sendable {
    private struct State {
        var version: ChangeVersion?
        var tokens: [String: TokenRecord] = [:]
    }
    /// Beyond this many live tokens the cache starts again (each entry is a few hundred bytes).
    static let capacity = 10_000
    private let state = Mutex(State())

    func token(_ hash: String, at version: ChangeVersion) -> TokenRecord? {
        state.withLock { $0.version == version ? $0.tokens[hash] : nil }
    }

    /// Keeps `token`, read at `version` (taken before the read, so a commit racing with the
    /// read makes the next look-up miss rather than see a stale record).
    func remember(_ token: TokenRecord, hash: String, at version: ChangeVersion) {
        state.withLock { state in
            if state.version != version || state.tokens.count >= TokenCache.capacity {
                state = State(version: version)
            }
            state.tokens[hash] = token
        }
    }
}
