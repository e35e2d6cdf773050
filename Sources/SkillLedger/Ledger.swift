import Foundation
import GRDB
import SkillCore
import SkillCrypto

/// The registry's ledger: one SQLite file (WAL, foreign keys on, versioned migrations) and
/// the use cases that change it. Every change commits in one transaction together with the
/// event that records it.
public struct Ledger: Sendable {
    /// Where the ledger lives and how to reach its secret.
    public struct Configuration: Sendable {
        public var databasePath: String
        public var secretPath: String
        /// The file holding the private-key passphrase (used when `keyPassphrase` is not given).
        public var keyPassphrasePath: String
        /// The private-key passphrase itself (from `SKILLBANK_KEY_PASSPHRASE`), if given.
        public var keyPassphrase: SecretBytes?
        /// The base of the stable URLs put into credentials (status lists); fixed when the bank is created.
        public var baseURL: String
        /// The registry's name, from which the log's origin line is derived.
        public var registryName: String
        /// The transparency log's origin line (default: derived from `registryName`); fixed at creation.
        public var logOrigin: String?
        /// Folder to load Standards from when the database is created.
        public var standardsDirectory: URL?
        /// How long a writer waits for the lock before `store.busy`.
        public var busyTimeout: TimeInterval
        /// `PRAGMA synchronous`: NORMAL (default; a process crash loses nothing committed) or
        /// FULL (an fsync per commit: a power loss loses nothing committed either).
        public var synchronousFull: Bool = false
        /// Open the registry's key while opening the bank, so a wrong passphrase is refused before
        /// any work. Commands that only read turn this off and never decrypt a private key (one
        /// PBKDF2 derivation, ~2 ms of a CLI start); making a key or signing checks it anyway.
        public var checksKeyPassphrase = true
        /// One connection instead of a writer and a pool of readers, for a process that does one
        /// thing and exits (a CLI command). Opening a pool costs a reader connection and, as the
        /// last process to close removed the WAL file, a table made and dropped to re-create it.
        public var singleConnection = false

        /// Makes a configuration; the secret defaults to `<database>.secret` beside the database.
        public init(
            databasePath: String, secretPath: String? = nil, standardsDirectory: URL? = nil, busyTimeout: TimeInterval = 5,
            keyPassphrasePath: String? = nil, keyPassphrase: SecretBytes? = nil, baseURL: String = "http://127.0.0.1:8080",
            registryName: String = "SkillBank Registry", logOrigin: String? = nil
        ) {
            self.registryName = registryName
            self.logOrigin = logOrigin
            self.databasePath = databasePath
            self.secretPath = secretPath ?? databasePath + ".secret"
            self.keyPassphrasePath = keyPassphrasePath ?? databasePath + ".keypass"
            self.keyPassphrase = keyPassphrase
            self.baseURL = baseURL
            self.standardsDirectory = standardsDirectory
            self.busyTimeout = busyTimeout
        }
    }

    let database: any DatabaseWriter
    /// The Standards this bank was initialised with (kept in the database).
    public let standards: Standards
    let vault: PersonalDataVault
    let keyPassphrase: SecretBytes
    /// Where the passphrase came from, for errors: its file, or `SKILLBANK_KEY_PASSPHRASE`.
    let keyPassphraseSource: String
    let keyCache = PrivateKeyCache()
    let tokenCache = TokenCache()
    let changeProbe: ChangeProbe
    /// The base of the stable URLs in credentials, fixed at creation.
    public let baseURL: String
    let clock: @Sendable () -> Date
    /// The database file.
    public let path: String

    /// Opens a ledger, creating, migrating and initialising it (Standards, secret) when the
    /// file does not exist yet.
    /// - Parameters:
    ///   - configuration: paths and limits.
    ///   - clock: the time source (tests pass a fixed clock).
    /// - Returns: the ledger and whether it was created by this call.
    /// - Throws: `standards.*` when the Standards directory is broken, `secret.*` when the
    ///   secret is missing, has loose permissions or does not match the database,
    ///   `store.failure` when SQLite fails.
    public static func open(_ configuration: Configuration, clock: @escaping @Sendable () -> Date = { Date() }) throws(SkillError) -> (ledger: Ledger, created: Bool) {
        let fm = FileManager.default
        let existed = fm.fileExists(atPath: configuration.databasePath)
        var standardsToLoad: Standards?
        if !existed {
            guard let dir = configuration.standardsDirectory ?? StandardsLocator.find() else {
                throw SkillError(.standardsMissing, "no Standards directory found to initialise a new bank; pass --standards DIR or set SKILLBANK_STANDARDS")
            }
            standardsToLoad = try Standards.load(directory: dir)
        }
        let secret = try SecretFile.loadOrCreate(at: configuration.secretPath, create: !existed)
        let passphrase: SecretBytes
        if let given = configuration.keyPassphrase {
            passphrase = given
        } else {
            passphrase = try SecretFile.loadOrCreate(at: configuration.keyPassphrasePath, create: !existed, what: "key passphrase", asText: true)
        }
        let vault = try PersonalDataVault(secret: secret)
        let database: any DatabaseWriter
        do {
            var config = GRDB.Configuration()
            config.busyMode = .timeout(configuration.busyTimeout)
            config.foreignKeysEnabled = true
            config.prepareDatabase { db in
                // WAL with NORMAL sync: a process crash loses nothing committed; only a power
                // loss can drop the last transactions (FULL closes that gap at one fsync per
                // commit). A 64 MiB page cache keeps bulk imports from spilling dirty pages.
                try db.execute(sql: "PRAGMA synchronous = \(configuration.synchronousFull ? "FULL" : "NORMAL"); PRAGMA cache_size = -65536")
            }
            if configuration.singleConnection {
                // A pool switches a new file to WAL; one connection has to ask (on a WAL file
                // this is a no-op).
                let queue = try DatabaseQueue(path: configuration.databasePath, configuration: config)
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
                database = queue
            } else {
                database = try DatabasePool(path: configuration.databasePath, configuration: config)
            }
            try Schema.migrator.migrate(database)
        } catch {
            throw Ledger.map(error)
        }
        let check = Hex.encode(vault.fingerprint())
        let standards: Standards
        do {
            standards = try database.write { db throws -> Standards in
                let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'secret_check'")
                if let stored, stored != check {
                    throw SkillError(.secretInvalid, "the registry secret does not belong to this database", field: configuration.secretPath)
                }
                if stored == nil {
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('secret_check', ?)", arguments: [check])
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('created_at', ?)", arguments: [Timestamp.format(clock())])
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('base_url', ?)", arguments: [configuration.baseURL])
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('log_origin', ?)", arguments: [configuration.effectiveLogOrigin])
                }
                if let fresh = standardsToLoad, try Int.fetchOne(db, sql: "SELECT count(*) FROM standards_files") == 0 {
                    for file in fresh.files {
                        try db.execute(
                            sql: "INSERT INTO standards_files(name, data, schema, sha256) VALUES (?, ?, ?, ?)",
                            arguments: [file.name, Data(file.data), Data(file.schema), Hex.encode(SHA256.hash(file.data))])
                    }
                    return fresh
                }
                let rows = try Row.fetchAll(db, sql: "SELECT name, data, schema FROM standards_files")
                guard !rows.isEmpty else {
                    throw SkillError(.notInitialised, "this database has no Standards loaded; remove it and run skillbank init")
                }
                return try Standards.load(stored: rows.map {
                    StandardsFile(name: $0["name"], data: Array($0["data"] as Data), schema: Array($0["schema"] as Data))
                })
            }
        } catch {
            throw Ledger.map(error)
        }
        let baseURL: String
        do {
            try ensureRegistryKey(database, passphrase: passphrase, at: clock())
            baseURL = try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'base_url'") } ?? configuration.baseURL
        } catch {
            throw Ledger.map(error)
        }
        let ledger = Ledger(
            database: database, standards: standards, vault: vault, keyPassphrase: passphrase,
            keyPassphraseSource: configuration.keyPassphrase == nil ? configuration.keyPassphrasePath : "SKILLBANK_KEY_PASSPHRASE",
            changeProbe: ChangeProbe(path: configuration.databasePath), baseURL: baseURL, clock: clock,
            path: configuration.databasePath)
        if configuration.checksKeyPassphrase { try ledger.requireKeyPassphrase() }
        return (ledger, !existed)
    }

    /// Runs `body` in one write transaction; a thrown error rolls everything back.
    func write<T>(_ body: (Database) throws -> T) throws(SkillError) -> T {
        do { return try database.write(body) } catch { throw Ledger.map(error) }
    }

    /// Runs `body` on a read snapshot.
    func read<T>(_ body: (Database) throws -> T) throws(SkillError) -> T {
        do { return try database.read(body) } catch { throw Ledger.map(error) }
    }

    /// Maps any error from a transaction to a `SkillError`, keeping SQLite's detail as the cause.
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

    /// The current time from the ledger's clock.
    var now: Date { clock() }
    /// Today in the registry's time zone.
    var today: CalendarDate { CalendarDate(now) }
}


extension Ledger.Configuration {
    /// The origin line: the configured one, or the registry's name lower-cased with runs of
    /// other characters as '-', then "/log" ("SkillBank Registry" → "skillbank-registry/log").
    public var effectiveLogOrigin: String {
        if let logOrigin, !logOrigin.isEmpty { return logOrigin }
        var out = ""
        for ch in registryName.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "." { out.append(ch) } else if out.last != "-" { out.append("-") }
        }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return (trimmed.isEmpty ? "skillbank" : trimmed) + "/log"
    }
}
