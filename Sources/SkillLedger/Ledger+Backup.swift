import Foundation
import GRDB
import SkillCore

/// What a backup or a restore wrote and checked.
public struct BackupReport: Sendable {
    /// The database file written.
    public let path: String
    /// The secret files copied beside it (mode 0600).
    public let secrets: [String]
    /// The last event in the copy: every write acknowledged before the backup began is at or below it.
    public let lastEvent: Int
    /// Leaves in the copy's transparency log.
    public let logLeaves: Int
    public let bytes: Int

    public var json: JSONValue {
        ["path": .string(path), "secrets": .array(secrets.map { .string($0) }), "last_event": .int(lastEvent), "log_leaves": .int(logLeaves),
         "bytes": .int(bytes), "integrity": "ok"]
    }
}

extension Ledger {
    /// Copies the bank into `target` with SQLite's online backup, from one read snapshot, so the
    /// server may go on writing: the copy holds every transaction committed before the snapshot
    /// and nothing half-done. The copy is written to `target.partial`, checked
    /// (`PRAGMA integrity_check`), then renamed, so `target` is either whole or absent.
    /// - Parameters:
    ///   - target: the new database file; it must not exist.
    ///   - secrets: secret files to copy beside it as `target` + suffix (".secret", ".keypass"),
    ///     without which the copy's personal data and keys cannot be read.
    /// - Throws: `backup.target-exists`, `store.failure`, `backup.invalid`.
    public func backup(to target: String, secrets: [(path: String, suffix: String)]) throws(SkillError) -> BackupReport {
        let fm = FileManager.default
        let copies = secrets.map { (from: $0.path, to: target + $0.suffix) }
        for path in [target] + copies.map(\.to) where fm.fileExists(atPath: path) {
            throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: path)
        }
        let partial = target + ".partial"
        Self.removeDatabaseFiles(partial)
        do {
            let destination = try DatabaseQueue(path: partial)
            try database.backup(to: destination)
            try destination.close()
            let report = try Self.check(partial)
            try Self.moveDatabase(partial, to: target)
            for copy in copies { try SecretFile.copy(copy.from, to: copy.to) }
            return BackupReport(path: target, secrets: copies.map(\.to), lastEvent: report.lastEvent, logLeaves: report.leaves,
                                bytes: Self.fileSize(target))
        } catch {
            Self.removeDatabaseFiles(partial)
            throw Ledger.map(error)
        }
    }

    /// Restores a backup into a new bank at `configuration.databasePath`: copies the database
    /// (online backup API, checked with `PRAGMA integrity_check`) and its secret files, opens
    /// it (the secret must match), and audits the whole transparency log. Anything that fails
    /// removes what was written, so a half-restored bank never exists.
    /// - Parameters:
    ///   - source: the backup's database file (its secrets beside it as `.secret`, `.keypass`).
    ///   - configuration: where the new bank goes; the file must not exist.
    /// - Throws: `backup.target-exists`, `input.file-unreadable`, `backup.invalid` (integrity or audit failed).
    public static func restore(from source: String, into configuration: Configuration) throws(SkillError) -> (ledger: Ledger, report: BackupReport) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source) else { throw SkillError(.fileUnreadable, "no backup at this path", field: source) }
        var copies = [(from: source + ".secret", to: configuration.secretPath)]
        if configuration.keyPassphrase == nil { copies.append((source + ".keypass", configuration.keyPassphrasePath)) }
        for path in [configuration.databasePath] + copies.map(\.to) where fm.fileExists(atPath: path) {
            throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: path)
        }
        for copy in copies where !fm.fileExists(atPath: copy.from) {
            throw SkillError(.secretMissing, "the backup's secret file is missing; a bank cannot be restored without it", field: copy.from)
        }
        let partial = configuration.databasePath + ".partial"
        var written: [String] = []
        func undo() {
            removeDatabaseFiles(partial)
            removeDatabaseFiles(configuration.databasePath)
            for path in written { try? fm.removeItem(atPath: path) }
        }
        do {
            _ = try check(source)
            let from = try DatabaseQueue(path: source, configuration: .readOnly)
            let destination = try DatabaseQueue(path: partial)
            try from.backup(to: destination)
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try destination.close()
            try from.close()
            try moveDatabase(partial, to: configuration.databasePath)
            written.append(configuration.databasePath)
            for copy in copies {
                try SecretFile.copy(copy.from, to: copy.to)
                written.append(copy.to)
            }
            let ledger = try Ledger.open(configuration).ledger
            let audit = try ledger.auditLog()
            if let divergence = audit.divergence {
                throw SkillError(.backupInvalid, "the restored log does not audit clean: \(divergence.table) at \(divergence.index): \(divergence.message)",
                                 field: source)
            }
            let report = BackupReport(path: configuration.databasePath, secrets: copies.map(\.to), lastEvent: try ledger.lastEventSequence(),
                                      logLeaves: audit.leaves, bytes: fileSize(configuration.databasePath))
            return (ledger, report)
        } catch {
            undo()
            throw Ledger.map(error)
        }
    }

    /// Integrity-checks a database file and reads its last event and log size.
    static func check(_ path: String) throws -> (lastEvent: Int, leaves: Int) {
        let queue = try DatabaseQueue(path: path, configuration: .readOnly)
        defer { try? queue.close() }
        return try queue.read { db in
            let verdict = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard verdict == ["ok"] else {
                throw SkillError(.backupInvalid, "the copy fails SQLite's integrity check: \(verdict.prefix(3).joined(separator: "; "))", field: path)
            }
            let last = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events") ?? 0
            let leaves = try Int.fetchOne(db, sql: "SELECT count(*) FROM log_nodes WHERE level = 0") ?? 0
            return (last, leaves)
        }
    }

    /// Renames a closed database file (its WAL was checkpointed on close).
    static func moveDatabase(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else {
            throw SkillError(.storeFailure, "cannot move the copy into place", field: to, cause: String(cString: strerror(errno)))
        }
        // Closed connections leave an empty -wal and -shm behind; they belong to the old name.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: from + suffix) }
    }

    static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}

extension GRDB.Configuration {
    /// A connection that may only read (backups, integrity checks, the change probe).
    static var readOnly: Self {
        var config = Self()
        config.readonly = true
        return config
    }
}
