import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SkillCore
import SkillStore
import Synchronization

/// The ledger on a PostgreSQL server (or a Citus cluster's coordinator), shared by any number of
/// processes: every `serve` of a province's registry, its CLI and its jobs.
///
/// Writers are serialised by one row lock, on the change counter's row, taken first in every write
/// unit: the event sequence is then `max(seq) + 1` under the lock, contiguous and in
/// commit order, serials and idempotency keys hold across processes, and each write unit sees
/// every earlier one whole. Readers take a repeatable-read snapshot and never wait for writers.
public final class PostgresStore: Store {
    /// Where the database is, parsed from a `postgres://` URL.
    public struct Address: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// Most connections this process opens (`?pool=N`, default 8).
        public var poolSize: Int

        /// Parses `postgres://user[:password]@host[:port]/database[?pool=N]` (`postgresql://` too).
        /// - Throws: `input.invalid` naming the part that is wrong (the password never appears).
        public init(url text: String, field: String = "--store") throws(SkillError) {
            guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
                throw SkillError(.usage, "a PostgreSQL store is a URL like postgres://user@host:5432/database", field: field)
            }
            guard let host = url.host, !host.isEmpty else { throw SkillError(.usage, "the store URL names no host", field: field) }
            guard let user = url.user, !user.isEmpty else { throw SkillError(.usage, "the store URL names no user (postgres://USER@host/db)", field: field) }
            let database = String(url.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty, !database.contains("/") else {
                throw SkillError(.usage, "the store URL names no database (postgres://user@host/DATABASE)", field: field)
            }
            var pool = 8
            for item in url.queryItems ?? [] {
                switch item.name {
                case "pool":
                    guard let n = item.value.flatMap(Int.init), (1...64).contains(n) else {
                        throw SkillError(.usage, "pool must be a number of connections from 1 to 64", field: field)
                    }
                    pool = n
                case "sslmode" where item.value == "disable":
                    break
                default:
                    throw SkillError(.usage, "the store URL's parameter \(item.name) is not supported (pool=N and sslmode=disable are)", field: field)
                }
            }
            self.host = host
            self.port = url.port ?? 5432
            self.user = user.removingPercentEncoding ?? user
            self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
            self.database = database.removingPercentEncoding ?? database
            self.poolSize = pool
        }

        /// The URL without its password, for messages and logs.
        public var display: String { "postgres://\(user)@\(host):\(port)/\(database)" }

        /// The whole URL, password included (to hand to another process).
        public var url: String {
            let secret = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? $0) } ?? ""
            return "postgres://\(user)\(secret)@\(host):\(port)/\(database)" + (poolSize == 8 ? "" : "?pool=\(poolSize)")
        }
    }

    /// Whether a store location names a PostgreSQL database rather than a file.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    public let address: Address
    public var location: String { address.display }
    /// Whether this open created the ledger's tables (the database was empty).
    public let isNew: Bool
    private let group: any EventLoopGroup
    private let logger: Logger
    private let idle = Mutex<[PostgresSession]>([])
    private let slots: DispatchSemaphore
    private let busyTimeout: TimeInterval
    private static let nextID = Atomic<Int>(0)
    private let sourceID = PostgresStore.nextID.add(1, ordering: .relaxed).newValue

    /// Connects and migrates the database (creating the ledger's tables when it has none).
    /// - Throws: `store.unreachable` when the server cannot be reached or refuses the address or
    ///   credentials, `store.busy` when another process holds the migration lock past the timeout,
    ///   `store.failure` when a migration fails.
    public init(_ address: Address, busyTimeout: TimeInterval = 5) throws(SkillError) {
        self.address = address
        self.busyTimeout = busyTimeout
        group = MultiThreadedEventLoopGroup.singleton
        var logger = Logger(label: "skillbank.postgres")
        // The driver logs connection chatter; a failure reaches the caller as a SkillError instead.
        logger.logLevel = .critical
        self.logger = logger
        slots = DispatchSemaphore(value: address.poolSize)
        let session = try Self.connect(address, group: group, logger: logger, busyTimeout: busyTimeout)
        do {
            isNew = try PostgresSchema.migrate(session)
        } catch {
            session.close()
            throw Self.map(error)
        }
        idle.withLock { $0.append(session) }
    }

    public convenience init(url: String) throws(SkillError) {
        try self.init(try Address(url: url))
    }

    deinit {
        for session in idle.withLock({ $0 }) { session.close() }
    }

    private static func connect(_ a: Address, group: any EventLoopGroup, logger: Logger, busyTimeout: TimeInterval) throws(SkillError) -> PostgresSession {
        var configuration = PostgresConnection.Configuration(
            host: a.host, port: a.port, username: a.user, password: a.password, database: a.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        do {
            let connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: 1, logger: logger).wait()
            let session = PostgresSession(connection: connection, logger: logger)
            // A writer waits this long for the writer lock (or any row lock) before store.busy.
            try session.run("SET lock_timeout = '\(Int(busyTimeout * 1000))ms'")
            return session
        } catch {
            // The server's own words say why (refused, unknown role or database, bad password); they
            // never carry the password.
            throw SkillError(.storeUnreachable, "cannot connect to the PostgreSQL store at \(a.display) (\(Self.describe(error)))", field: "--store",
                             cause: Self.describe(error))
        }
    }

    /// Creates an empty database on the server at `server` (connecting to the database it names),
    /// for a bank to be made or migrated into. The name must be a plain identifier.
    /// - Throws: `input.usage` for a name that is not, `store.unreachable`, `store.failure`.
    public static func createDatabase(_ name: String, on server: Address) throws(SkillError) {
        guard name.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw SkillError(.usage, "a database name is lower-case letters, digits and _", field: name)
        }
        var logger = Logger(label: "skillbank.postgres")
        logger.logLevel = .critical
        let session = try connect(server, group: MultiThreadedEventLoopGroup.singleton, logger: logger, busyTimeout: 5)
        defer { session.close() }
        do { try session.run("CREATE DATABASE \(name)") } catch { throw map(error) }
    }

    /// Runs `body` on a pooled connection, returning the connection unless it broke.
    private func withSession<T>(_ body: (PostgresSession) throws -> T) throws(SkillError) -> T {
        slots.wait()
        defer { slots.signal() }
        let session: PostgresSession
        if let pooled = idle.withLock({ $0.popLast() }), !pooled.isClosed {
            session = pooled
        } else {
            session = try Self.connect(address, group: group, logger: logger, busyTimeout: busyTimeout)
        }
        do {
            let result = try body(session)
            idle.withLock { $0.append(session) }
            return result
        } catch {
            // A session whose transaction could not be ended cleanly is not reused.
            if session.isClosed || (try? session.run("ROLLBACK")) == nil { session.close() } else { idle.withLock { $0.append(session) } }
            throw Self.map(error)
        }
    }

    public func read<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T {
        try withSession { session in
            try session.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let result = try body(PostgresTransaction(session))
            try session.run("COMMIT")
            return result
        }
    }

    public func write<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T {
        try withSession { session in
            try session.run("BEGIN")
            // The writer lock: the change counter's one row, locked until the unit ends. Moving it
            // first also marks the commit for the caches of every process (a unit that rolls back
            // takes its move back with it).
            try session.run("UPDATE store_version SET n = n + 1")
            let result = try body(PostgresTransaction(session))
            try session.run("COMMIT")
            return result
        }
    }

    public func changeVersion() throws(SkillError) -> ChangeVersion {
        try withSession { session in
            ChangeVersion(source: sourceID, version: try session.int("SELECT n FROM store_version") ?? 0)
        }
    }

    public func backup(to path: String) throws(SkillError) -> StoreCopy {
        // The store cannot make a file of another kind: `skillbank backup` copies a bank on a
        // server into a SQLite file through the row copier (`Bank.migrate`) and audits it.
        throw SkillError(.usage, "a PostgreSQL store is backed up through skillbank backup (a checked SQLite copy) or pg_dump", field: path)
    }

    public func purgeFreedSpace() throws(SkillError) {
        // VACUUM cannot run inside a transaction; it marks dead row versions (an erased person's
        // old rows) free and zeroes nothing: PostgreSQL has no secure_delete. The WAL and any
        // base backups keep their copies until they age out (see SECURITY.md).
        try withSession { session in
            for table in ["people", "certificates", "events"] { try session.run("VACUUM \(table)") }
        }
    }

    public func integrityProblems() throws(SkillError) -> [String] {
        try withSession { session in
            try session.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? session.run("COMMIT") }
            return try PostgresSchema.integrityProblems(session)
        }
    }

    /// Maps any error from a unit of work to a `SkillError`, keeping the server's SQLSTATE and
    /// message (never its detail, which can quote a row's values) as the cause.
    static func map(_ error: any Error) -> SkillError {
        if let e = error as? SkillError { return e }
        if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] {
            switch state {
            case "55P03", "40P01", "40001":  // lock_not_available, deadlock_detected, serialization_failure
                return SkillError(.storeBusy, "the database is busy; try again", cause: describe(error))
            default:
                return SkillError(.storeFailure, "the database refused the change", cause: describe(error))
            }
        }
        return SkillError(.storeFailure, "the database failed", cause: describe(error))
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                return "\(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
            }
            return e.underlying.map { "\(e.code): \($0)" } ?? "\(e.code)"
        }
        return "\(error)"
    }
}
