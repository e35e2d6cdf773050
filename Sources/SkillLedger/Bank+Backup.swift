import Foundation
import SkillCore
import SkillStore

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

extension Bank {
    /// Copies the bank into a new SQLite file at `target` from one snapshot (writers may go
    /// on), checks it, and copies the secret files beside it.
    /// - Parameters:
    ///   - target: the new database file; it must not exist.
    ///   - secrets: secret files to copy beside it as `target` + suffix (".secret", ".keypass"),
    ///     without which the copy's personal data and keys cannot be read.
    /// - Throws: `backup.target-exists`, `store.failure`, `backup.invalid`.
    ///   - copier: how to write the copy, when the store cannot copy itself into a file (a bank
    ///     on a database server is copied row by row: see `Bank.migrate`).
    public func backup(
        to target: String, secrets: [(path: String, suffix: String)], copier: ((String) throws(SkillError) -> StoreCopy)? = nil
    ) throws(SkillError) -> BackupReport {
        let copies = secrets.map { (from: $0.path, to: target + $0.suffix) }
        for path in copies.map(\.to) where FileManager.default.fileExists(atPath: path) {
            throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: path)
        }
        let copy: StoreCopy
        if let copier { copy = try copier(target) } else { copy = try context.store.backup(to: target) }
        for file in copies { try SecretFile.copy(file.from, to: file.to) }
        return BackupReport(path: copy.path, secrets: copies.map(\.to), lastEvent: copy.lastEvent, logLeaves: copy.logLeaves, bytes: copy.bytes)
    }

    /// Restores a backup into a new bank: a checked copy of the backup's file at `target`,
    /// then `openRestored`. Anything that fails removes what was written, so a half-restored
    /// bank never exists.
    /// - Parameters:
    ///   - source: the backup's file (its secrets beside it as `.secret`, `.keypass`).
    ///   - target: where the new bank's file goes; it must not exist.
    ///   - store: the kind of file store the backup is.
    ///   - configuration: the new bank's secrets.
    /// - Throws: `backup.target-exists`, `input.file-unreadable`, `secret.missing`, `backup.invalid`.
    public static func restore<S: FileStore>(
        from source: String, into target: String, as store: S.Type, configuration: Configuration
    ) throws(SkillError) -> (bank: Bank, report: BackupReport) {
        try S.restoreCopy(from: source, to: target)
        do {
            return try openRestored(try S.open(path: target), backup: source, configuration: configuration)
        } catch {
            S.removeFiles(target)
            throw error
        }
    }

    /// Opens a bank on a store just restored from a backup: copies the backup's secret files
    /// (`source` + ".secret", ".keypass") to where `configuration` expects them, opens it (the
    /// secret must match), and audits the whole transparency log. If anything fails, the
    /// secret files it wrote are removed and the error names what was wrong; the caller
    /// removes the store.
    /// - Throws: `backup.target-exists`, `secret.missing`, `backup.invalid` (the audit failed).
    public static func openRestored(_ store: any Store, backup source: String, configuration: Configuration) throws(SkillError) -> (bank: Bank, report: BackupReport) {
        let fm = FileManager.default
        var copies = [(from: source + ".secret", to: configuration.secretPath)]
        if configuration.keyPassphrase == nil { copies.append((source + ".keypass", configuration.keyPassphrasePath)) }
        for copy in copies where fm.fileExists(atPath: copy.to) {
            throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: copy.to)
        }
        for copy in copies where !fm.fileExists(atPath: copy.from) {
            throw SkillError(.secretMissing, "the backup's secret file is missing; a bank cannot be restored without it", field: copy.from)
        }
        var written: [String] = []
        do throws(SkillError) {
            for copy in copies {
                try SecretFile.copy(copy.from, to: copy.to)
                written.append(copy.to)
            }
            let bank = try Bank.open(store, configuration: configuration).bank
            let audit = try bank.log.audit()
            if let divergence = audit.divergence {
                throw SkillError(.backupInvalid, "the restored log does not audit clean: \(divergence.table) at \(divergence.index): \(divergence.message)",
                                 field: source)
            }
            let report = BackupReport(path: store.location, secrets: copies.map(\.to), lastEvent: try bank.log.lastEventSequence(),
                                      logLeaves: audit.leaves, bytes: ((try? fm.attributesOfItem(atPath: store.location))?[.size] as? NSNumber)?.intValue ?? 0)
            return (bank, report)
        } catch {
            for path in written { try? fm.removeItem(atPath: path) }
            throw error
        }
    }
}
