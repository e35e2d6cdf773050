import Foundation
import GRDB
import SkillCore
import SkillStore

extension SQLiteStore {
    /// Copies the store into `target` with SQLite's online backup, from one read snapshot, so
    /// writers may go on: the copy holds every transaction committed before the snapshot and
    /// nothing half-done. It is written to `target.partial`, checked (`PRAGMA integrity_check`),
    /// then renamed, so `target` is either whole or absent.
    /// - Throws: `backup.target-exists`, `backup.invalid`, `store.failure`.
    public func backup(to target: String) throws(SkillError) -> StoreCopy {
        guard !FileManager.default.fileExists(atPath: target) else {
            throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: target)
        }
        let partial = target + ".partial"
        Self.removeFiles(partial)
        do {
            try Self.createPrivate(partial)
            let destination = try DatabaseQueue(path: partial)
            try database.backup(to: destination)
            try destination.close()
            let copy = try Self.check(partial)
            try Self.move(partial, to: target)
            return StoreCopy(path: target, lastEvent: copy.lastEvent, logLeaves: copy.leaves, bytes: Self.fileSize(target))
        } catch {
            Self.removeFiles(partial)
            throw Self.map(error)
        }
    }

    /// Writes a checked copy of the backup file `source` to `target` (which must not exist),
    /// in WAL mode, ready to open. Anything that fails leaves no file at `target`.
    /// - Throws: `input.file-unreadable`, `backup.target-exists`, `backup.invalid`, `store.failure`.
    public static func restoreCopy(from source: String, to target: String) throws(SkillError) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source) else { throw SkillError(.fileUnreadable, "no backup at this path", field: source) }
        guard !fm.fileExists(atPath: target) else { throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: target) }
        let partial = target + ".partial"
        removeFiles(partial)
        do {
            _ = try check(source)
            try createPrivate(partial)
            var readOnly = Configuration()
            readOnly.readonly = true
            let from = try DatabaseQueue(path: source, configuration: readOnly)
            let destination = try DatabaseQueue(path: partial)
            try from.backup(to: destination)
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try destination.close()
            try from.close()
            try move(partial, to: target)
        } catch {
            removeFiles(partial)
            removeFiles(target)
            throw map(error)
        }
    }

    /// Integrity-checks a database file and reads its last event and log size.
    static func check(_ path: String) throws -> (lastEvent: Int, leaves: Int) {
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: readOnly)
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
    static func move(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else {
            throw SkillError(.storeFailure, "cannot move the copy into place", field: to, cause: String(cString: strerror(errno)))
        }
        // Closed connections leave an empty -wal and -shm behind; they belong to the old name.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: from + suffix) }
    }

    /// Removes a database file with its WAL and shared-memory files.
    public static func removeFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
