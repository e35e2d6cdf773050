import Foundation
import GRDB
import SkillCore
import SkillStore
import Synchronization

/// The embedded default store: one SQLite file through GRDB (WAL, foreign keys on, versioned
/// migrations), created and migrated on first use.
public final class SQLiteStore: FileStore {
    /// How the file is opened.
    public struct Options: Sendable {
        /// How long a writer waits for the lock before `store.busy`.
        public var busyTimeout: TimeInterval = 5
        /// `PRAGMA synchronous`: NORMAL (default; a process crash loses nothing committed) or
        /// FULL (an fsync per commit: a power loss loses nothing committed either).
        public var synchronousFull = false
        /// One connection instead of a writer and a pool of readers, for a process that does
        /// one thing and exits (a CLI command): a pool costs a reader connection more.
        public var singleConnection = false
        /// Open the file only if it exists (restores and checks of a copy).
        public var mustExist = false

        public init(busyTimeout: TimeInterval = 5, synchronousFull: Bool = false, singleConnection: Bool = false) {
            self.busyTimeout = busyTimeout
            self.synchronousFull = synchronousFull
            self.singleConnection = singleConnection
        }
    }

    /// The database file.
    public let path: String
    /// Whether this open created the file.
    public let isNew: Bool
    package let database: any DatabaseWriter
    private let probe: ChangeProbe

    public var location: String { path }

    /// Opens (creating and migrating when it does not exist) the SQLite file at `path`.
    /// - Throws: `store.failure` when SQLite cannot open or migrate it, `store.busy` when it is locked.
    public init(path: String, options: Options = Options()) throws(SkillError) {
        let existed = FileManager.default.fileExists(atPath: path)
        if options.mustExist, !existed { throw SkillError(.fileUnreadable, "no database at this path", field: path) }
        // Readable by its owner only, like the secret beside it: SQLite gives the WAL and
        // shared-memory files the main file's mode.
        if existed { try Self.requirePrivate(path) } else { try Self.createPrivate(path) }
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeout)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // WAL with NORMAL sync: a process crash loses nothing committed; only a power loss
            // can drop the last transactions (FULL closes that gap at one fsync per commit).
            // A 64 MiB page cache keeps bulk imports from spilling dirty pages. Deleted and
            // overwritten content is zeroed (secure_delete), so an erased person leaves no copy in
            // free space.
            try db.execute(sql: """
                PRAGMA synchronous = \(options.synchronousFull ? "FULL" : "NORMAL"); PRAGMA cache_size = -65536; PRAGMA secure_delete = ON
                """)
        }
        do {
            if options.singleConnection {
                // A pool switches a new file to WAL; one connection has to ask (a no-op on a WAL file).
                let queue = try DatabaseQueue(path: path, configuration: config)
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
                database = queue
            } else {
                database = try DatabasePool(path: path, configuration: config)
            }
            try SQLiteSchema.migrator.migrate(database)
        } catch {
            throw Self.map(error)
        }
        self.path = path
        isNew = !existed
        probe = ChangeProbe(path: path, busyTimeout: options.busyTimeout)
    }

    public static func open(path: String) throws(SkillError) -> SQLiteStore { try SQLiteStore(path: path) }

    public func read<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T {
        do { return try database.read { db in try body(SQLiteTransaction(db)) } } catch { throw Self.map(error) }
    }

    public func write<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T {
        do { return try database.write { db in try body(SQLiteTransaction(db)) } } catch { throw Self.map(error) }
    }

    public func changeVersion() throws(SkillError) -> ChangeVersion {
        do { return ChangeVersion(source: probe.id, version: try probe.version()) } catch { throw Self.map(error) }
    }

    public func purgeFreedSpace() throws(SkillError) {
        // Copy the WAL's pages into the file and empty it, so no older page image survives there.
        do { try database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } } catch { throw Self.map(error) }
    }

    public func integrityProblems() throws(SkillError) -> [String] {
        do {
            return try database.read { db in
                let verdict = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                let foreign = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key of \($0[0] as String) row \($0[1] as Int64? ?? -1)" }
                return (verdict == ["ok"] ? [] : verdict) + foreign
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Creates an empty file of mode 0600 (failing if one appears meanwhile).
    /// - Throws: `store.failure` when it cannot be made.
    static func createPrivate(_ path: String) throws(SkillError) {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw SkillError(.storeFailure, "cannot create the database file", field: path, cause: String(cString: strerror(errno)))
        }
        close(fd)
    }

    /// Refuses a store whose files other users can read or write.
    /// - Throws: `store.permissions` naming the file.
    static func requirePrivate(_ path: String) throws(SkillError) {
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            guard info.st_mode & 0o077 == 0 else {
                throw SkillError(.storePermissions, "the bank's files must be readable by their owner only (chmod 600)", field: file)
            }
        }
    }

    /// Maps any error from a unit of work to a `SkillError`, keeping SQLite's detail as the cause.
    static func map(_ error: any Error) -> SkillError {
        if let e = error as? SkillError { return e }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return SkillError(.storeBusy, "the database is busy; try again", cause: "\(e)")
            default:
                return SkillError(.storeFailure, "the database refused the change", cause: "\(e)")
            }
        }
        return SkillError(.storeFailure, "the database failed", cause: "\(error)")
    }
}

/// Tells whether anything was committed since the last look, by any connection of any process:
/// SQLite's `PRAGMA data_version`, which counts the commits of other connections, read on a
/// connection of its own that never writes (every connection counts for itself, so pooled
/// readers would not compare).
final class ChangeProbe: Sendable {
    private static let nextID = Atomic<Int>(0)
    let id = ChangeProbe.nextID.add(1, ordering: .relaxed).newValue
    private let path: String
    private let busyTimeout: TimeInterval
    private let queue = Mutex<DatabaseQueue?>(nil)

    init(path: String, busyTimeout: TimeInterval) {
        self.path = path
        self.busyTimeout = busyTimeout
    }

    func version() throws -> Int {
        let queue = try self.queue.withLock { queue in
            if let queue { return queue }
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(busyTimeout)
            let made = try DatabaseQueue(path: path, configuration: config)
            queue = made
            return made
        }
        return try queue.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }
}
