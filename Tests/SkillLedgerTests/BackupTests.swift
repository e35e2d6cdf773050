import Foundation
import Synchronization
import GRDB
import SkillCore
@testable import SkillLedger
import Testing

@Suite struct BackupTests {
    /// A backup taken while another thread keeps registering people holds every registration
    /// acknowledged before it began, audits clean after restore, and reads the personal data
    /// back with the copied secret.
    @Test func onlineBackupWhileWritingRestoresEveryAcknowledgedWrite() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let writer = Thread {
            var n = 1
            while !stop.load(ordering: .relaxed) {
                if let p = try? bank.ledger.registerPerson(name: "工人\(n)", idType: .resident, idNumber: TestBank.residentID(n)) {
                    acknowledged.withLock { $0.append(p.id) }
                }
                n += 1
            }
        }
        writer.start()
        while acknowledged.withLock({ $0.count }) < 50 { usleep(1_000) }
        let before = acknowledged.withLock { $0 }
        let target = bank.folder.appendingPathComponent("copy.sqlite").path
        let report = try bank.ledger.backup(to: target, secrets: [(bank.dbPath + ".secret", ".secret"), (bank.dbPath + ".keypass", ".keypass")])
        stop.store(true, ordering: .relaxed)
        while !writer.isFinished { usleep(1_000) }
        #expect(report.lastEvent >= before.count + 2)
        #expect(!FileManager.default.fileExists(atPath: target + ".partial"))
        for suffix in [".secret", ".keypass"] {
            let mode = try FileManager.default.attributesOfItem(atPath: target + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }

        let restoredPath = bank.folder.appendingPathComponent("restored.sqlite").path
        let (restored, restoreReport) = try Ledger.restore(from: target, into: .init(databasePath: restoredPath))
        #expect(restoreReport.lastEvent == report.lastEvent && restoreReport.logLeaves == report.lastEvent)
        #expect(try restored.auditLog().isClean)
        for id in before { #expect(try restored.person(id).id == id) }
        #expect(try restored.institution(school.id).name == school.name)
        // The copy is a working bank: it takes new writes.
        _ = try restored.registerPerson(name: "新人", idType: .passport, idNumber: "E12345678")
    }

    @Test func refusesToOverwriteAndLeavesNothingBehindOnFailure() throws {
        let bank = try TestBank()
        let target = bank.folder.appendingPathComponent("copy.sqlite").path
        _ = try bank.ledger.backup(to: target, secrets: [(bank.dbPath + ".secret", ".secret"), (bank.dbPath + ".keypass", ".keypass")])
        expectCode(.backupTargetExists) { _ = try bank.ledger.backup(to: target, secrets: []) }
        expectCode(.backupTargetExists) { _ = try Ledger.restore(from: target, into: .init(databasePath: bank.dbPath)) }

        // A backup whose log was tampered with is refused, and the half-made bank is removed.
        let queue = try DatabaseQueue(path: target)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS log_nodes_no_update")
            try db.execute(sql: "UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0")
        }
        try queue.close()
        let restoredPath = bank.folder.appendingPathComponent("restored.sqlite").path
        expectCode(.backupInvalid) { _ = try Ledger.restore(from: target, into: .init(databasePath: restoredPath)) }
        for suffix in ["", "-wal", "-shm", ".secret", ".keypass", ".partial"] {
            #expect(!FileManager.default.fileExists(atPath: restoredPath + suffix), "\(suffix) left behind")
        }
        // Without its secret a backup cannot be restored.
        let bare = bank.folder.appendingPathComponent("bare.sqlite").path
        _ = try bank.ledger.backup(to: bare, secrets: [])
        expectCode(.secretMissing) { _ = try Ledger.restore(from: bare, into: .init(databasePath: restoredPath)) }
    }

    /// NORMAL by default (crash-safe in WAL mode); FULL on request (power-loss safe).
    @Test func synchronousIsNormalUnlessFullIsAskedFor() throws {
        let bank = try TestBank()
        #expect(try bank.ledger.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
        var config = Ledger.Configuration(databasePath: bank.dbPath)
        config.synchronousFull = true
        let full = try Ledger.open(config).ledger
        #expect(try full.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }
}
