import ArgumentParser
import Foundation
import SkillCore
import SkillLedger
import SkillCrypto
import SkillStore
import SkillStorePostgres
import SkillStoreSQLite

struct BackupCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the bank while it runs (SQLite online backup) into a new file, with its secret files beside it.",
        discussion: """
            The copy is one consistent snapshot: every write acknowledged before the backup started is in it, and
            nothing half-written. It is checked with PRAGMA integrity_check before it is put in place. PATH.secret
            and PATH.keypass (mode 0600) are written beside it unless --database-only: keep the backup as safe
            as the bank, since the secret unlocks the personal data in it.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup file to create (must not exist).") var path: String
    @Flag(help: "Copy the database alone, not the secret files (keep those another way).") var databaseOnly = false

    /// Unlike other commands, a backup never creates the bank it is asked to copy.
    func run() throws {
        let output = Output(json: global.json)
        do {
            let path = global.databasePath
            guard global.usesServer || FileManager.default.fileExists(atPath: path) else {
                throw SkillError(.fileUnreadable, "there is no bank here to back up", field: path)
            }
            try run(on: try global.openBank(), output: output)
        } catch {
            throw output.fail(error)
        }
    }

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let config = global.configuration
        var secrets = [(path: config.secretPath, suffix: ".secret")]
        if config.keyPassphrase == nil { secrets.append((config.keyPassphrasePath, ".keypass")) }
        // A bank on a server is copied into the file through the row copier, from one snapshot,
        // and the copy audited as a bank before it is kept (see migrate-store).
        let copier: ((String) throws(SkillError) -> StoreCopy)? = global.usesServer ? { target throws(SkillError) in
            try MigrateStoreCommand.copyIntoNewFile(bank.store, target, configuration: config)
        } : nil
        let report = try bank.backup(to: path, secrets: databaseOnly ? [] : secrets, copier: copier)
        try output.emit(report.json) {
            "backed up \(bank.location) to \(report.path): \(report.bytes) bytes, events up to \(report.lastEvent), \(report.logLeaves) log leaves, integrity ok"
                + (report.secrets.isEmpty ? "\nsecrets NOT copied (--database-only): the backup cannot be restored without them" : "\nsecrets: " + report.secrets.joined(separator: ", "))
        }
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Make a new bank (--db, which must not exist) from a backup, then audit it.",
        discussion: "The new bank is integrity-checked and its whole transparency log audited; if anything fails, nothing is left behind.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup file written by 'skillbank backup' (its .secret and .keypass beside it).") var backup: String

    func run() throws {
        let output = Output(json: global.json)
        do {
            let (_, report) = try Bank.restore(from: backup, into: global.databasePath, as: SQLiteStore.self, configuration: global.configuration)
            try output.emit(report.json) {
                "restored \(backup) into \(report.path): events up to \(report.lastEvent), log clean with \(report.logLeaves) leaves"
            }
        } catch {
            throw output.fail(error)
        }
    }
}

struct MigrateStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the bank (--store or --db) into another, empty store: a PostgreSQL database or a new SQLite file.",
        discussion: """
            Rows are copied table by table in batches (progress on stderr) from one snapshot of the source, into one
            transaction on the target. Before it commits, the copy is opened as a bank with the same secret and must hold
            the same rows, the same log root and checkpoints that verify with the registry's key, audit clean and
            reconcile; otherwise nothing is written and the error says what differed. The secret files stay where they
            are: pass the same --secret-file and --key-passphrase-file when you open the new store.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The target: postgres://user@host/db (empty database) or a SQLite file that does not exist.", valueName: "url|path"))
    var to: String
    @Option(help: "Rows per batch.") var batch = 5_000

    func run() throws {
        let output = Output(json: global.json)
        do {
            guard global.usesServer || FileManager.default.fileExists(atPath: global.storeLocation) else {
                throw SkillError(.fileUnreadable, "there is no bank here to copy", field: global.storeLocation)
            }
            let (source, _) = try global.openStore(global.storeLocation, oneConnection: false)
            let report: StoreMigrationReport
            if PostgresStore.isURL(to) {
                let (target, _) = try global.openStore(to, field: "--to")
                report = try Bank.migrate(from: source, to: target, configuration: global.configuration, batch: batch, progress: Self.progress)
            } else {
                report = try Self.intoNewFile(to) { target throws(SkillError) in
                    try Bank.migrate(from: source, to: target, configuration: global.configuration, batch: batch, progress: Self.progress)
                }
            }
            try output.emit(report.json) {
                let rows = report.tables.filter { $0.rows > 0 }.map { "\($0.name) \($0.rows)" }.joined(separator: ", ")
                return """
                    copied \(report.source) into \(report.target): \(rows)
                    log: \(report.logLeaves) leaves, root \(Hex.encode(report.root)), \(report.checkpoints) checkpoints verified; audit clean; ledger reconciles
                    """
            }
        } catch {
            throw output.fail(error)
        }
    }

    static func progress(_ table: String, _ done: Int, _ total: Int) {
        Terminal.note("\(table): \(done)/\(total)")
    }

    /// Runs `body` on a new SQLite store at `path` (which must not exist), written as
    /// `path.partial` and moved into place only when `body` succeeds; otherwise nothing is left.
    static func intoNewFile<T>(_ path: String, _ body: (SQLiteStore) throws(SkillError) -> T) throws(SkillError) -> T {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SkillError(.backupTargetExists, "will not overwrite an existing file", field: path)
        }
        let partial = path + ".partial"
        SQLiteStore.removeFiles(partial)
        do {
            let result: T
            do {
                let target = try SQLiteStore(path: partial)
                result = try body(target)
                // Fold the write-ahead log into the file before it is moved.
                try target.purgeFreedSpace()
            }
            guard rename(partial, path) == 0 else {
                throw SkillError(.storeFailure, "cannot move the copy into place", field: path, cause: String(cString: strerror(errno)))
            }
            SQLiteStore.removeFiles(partial)
            return result
        } catch {
            SQLiteStore.removeFiles(partial)
            throw error as? SkillError ?? SkillError(.storeFailure, "the copy failed", field: path, cause: "\(error)")
        }
    }

    /// A checked copy of a bank on a server in a new SQLite file (what `backup` writes).
    static func copyIntoNewFile(_ source: any Store, _ path: String, configuration: Bank.Configuration) throws(SkillError) -> StoreCopy {
        let report = try intoNewFile(path) { target throws(SkillError) in
            try Bank.migrate(from: source, to: target, configuration: configuration)
        }
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        let lastEvent = report.tables.first { $0.name == "events" }?.rows ?? 0
        return StoreCopy(path: path, lastEvent: lastEvent, logLeaves: report.logLeaves, bytes: bytes)
    }
}
