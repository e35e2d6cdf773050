import SkillCore

/// A place the registry keeps its ledger: the embedded SQLite file, or a database server.
///
/// All work happens in units of work: `write` runs its body in one transaction that commits
/// whole or not at all, so every change commits together with the event that records it,
/// whichever store holds them. Bodies are synchronous and run on the calling thread (a CLI's
/// main thread, a server's blocking pool), never on an event loop.
public protocol Store: Sendable {
    /// Where the store is, for messages (a file path, or a database URL without its password).
    var location: String { get }

    /// Runs `body` on a consistent read-only view.
    /// - Throws: what `body` throws (a `SkillError` passes through unchanged); `store.busy`
    ///   when the store is locked past its timeout; `store.failure` for any other failure.
    func read<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T

    /// Runs `body` in one write transaction: a thrown error rolls everything back.
    /// - Throws: as `read`.
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T

    /// A value that changes exactly when something was committed since it was taken, by this
    /// process or another: the change feed caches of derived data (the verifier's trust list
    /// and status lists, authenticated tokens) watch.
    /// - Throws: `store.failure`.
    func changeVersion() throws(SkillError) -> ChangeVersion

    /// Writes a consistent copy of the whole store (one snapshot) to a new SQLite file at
    /// `path`, checks it, and reports what it holds. The file must not exist.
    /// - Throws: `backup.target-exists`, `backup.invalid`, `store.failure`.
    func backup(to path: String) throws(SkillError) -> StoreCopy

    /// Makes sure what units of work deleted or overwrote is gone from the store's files too
    /// (no stale copy in free space or a write-ahead log), as far as the store can: after an
    /// erasure.
    /// - Throws: `store.*`.
    func purgeFreedSpace() throws(SkillError)

    /// Checks the store's own structures (pages, indexes, constraints).
    /// - Returns: every problem found; empty when the store is sound.
    /// - Throws: `store.failure` when the check cannot run.
    func integrityProblems() throws(SkillError) -> [String]
}

/// One unit of work's view of the store, an aggregate at a time.
public protocol StoreTransaction {
    var meta: any MetaStore { get }
    var institutions: any InstitutionStore { get }
    var keys: any KeyStore { get }
    var people: any PersonStore { get }
    var training: any TrainingStore { get }
    var credits: any CreditStore { get }
    var assessments: any AssessmentStore { get }
    var certificates: any CertificateStore { get }
    var statusLists: any StatusListStore { get }
    var conversions: any ConversionStore { get }
    var tokens: any TokenStore { get }
    var log: any EventLogStore { get }
    /// The raw rows, for moving a bank between stores.
    var tables: any TableStore { get }
    /// Plain SQL in this unit of work, for the aggregates written once for both stores.
    var statements: any SQLStatements { get }
    var subsidies: any SubsidyStore { get }
    var notices: any NoticeStore { get }
    var webhooks: any WebhookStore { get }
    var talent: any TalentStore { get }
    var sessions: any SessionStore { get }

    /// Runs `body` nested inside the unit of work: if it throws, only its own writes are
    /// undone and the error is rethrown (a bulk import skipping a bad row).
    func nested<T>(_ body: () throws -> T) throws -> T
}

extension StoreTransaction {
    public var subsidies: any SubsidyStore { SQLSubsidies(statements) }
    public var notices: any NoticeStore { SQLNotices(statements) }
    public var webhooks: any WebhookStore { SQLWebhooks(statements) }
    public var talent: any TalentStore { SQLTalent(statements) }
    public var sessions: any SessionStore { SQLSessions(statements) }
}

/// A point in a store's history (see `Store.changeVersion()`). Versions compare meaningfully
/// only when taken from the same store value.
public struct ChangeVersion: Sendable, Hashable {
    public let source: Int
    public let version: Int

    public init(source: Int, version: Int) {
        self.source = source
        self.version = version
    }
}

/// What a backup copy holds.
public struct StoreCopy: Sendable, Hashable {
    public let path: String
    /// The last event in the copy: every write committed before the copy began is at or below it.
    public let lastEvent: Int
    /// Leaves in the copy's transparency log.
    public let logLeaves: Int
    public let bytes: Int

    public init(path: String, lastEvent: Int, logLeaves: Int, bytes: Int) {
        self.path = path
        self.lastEvent = lastEvent
        self.logLeaves = logLeaves
        self.bytes = bytes
    }
}

/// A store kept in one file, which a backup copy can be restored into.
public protocol FileStore: Store {
    /// Opens the store file at `path`, creating and migrating it when it does not exist.
    /// - Throws: `store.*`.
    static func open(path: String) throws(SkillError) -> Self
    /// Writes a checked copy of the backup file `source` to `target` (which must not exist);
    /// anything that fails leaves no file at `target`.
    /// - Throws: `input.file-unreadable`, `backup.target-exists`, `backup.invalid`, `store.*`.
    static func restoreCopy(from source: String, to target: String) throws(SkillError)
    /// Removes a store file and whatever files belong to it.
    static func removeFiles(_ path: String)
}
