import ArgumentParser
import Foundation
import SkillCore
import SkillLedger
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
            guard FileManager.default.fileExists(atPath: path) else {
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
        let report = try bank.backup(to: path, secrets: databaseOnly ? [] : secrets)
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
