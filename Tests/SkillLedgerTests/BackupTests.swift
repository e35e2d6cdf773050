import Foundation
import Synchronization
import GRDB
import SkillCore
import SkillStoreSQLite
import SkillTestSupport
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
                if let p = try? bank.ledger.registration.registerPerson(name: "工人\(n)", idType: .resident, idNumber: TestBank.residentID(n)) {
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
        let (restored, restoreReport) = try Bank.restore(from: target, into: restoredPath, as: SQLiteStore.self, configuration: .init(besideDatabase: restoredPath))
        #expect(restoreReport.lastEvent == report.lastEvent && restoreReport.logLeaves == report.lastEvent)
        #expect(try restored.log.audit().isClean)
        for id in before { #expect(try restored.registration.person(id).id == id) }
        #expect(try restored.registration.institution(school.id).name == school.name)
        // The copy is a working bank: it takes new writes.
        _ = try restored.registration.registerPerson(name: "新人", idType: .passport, idNumber: "E12345678")
    }

    @Test func refusesToOverwriteAndLeavesNothingBehindOnFailure() throws {
        let bank = try TestBank()
        let target = bank.folder.appendingPathComponent("copy.sqlite").path
        _ = try bank.ledger.backup(to: target, secrets: [(bank.dbPath + ".secret", ".secret"), (bank.dbPath + ".keypass", ".keypass")])
        expectCode(.backupTargetExists) { _ = try bank.ledger.backup(to: target, secrets: []) }
        expectCode(.backupTargetExists) { _ = try Bank.restore(from: target, into: bank.dbPath, as: SQLiteStore.self, configuration: .init(besideDatabase: bank.dbPath)) }

        // A backup whose log was tampered with is refused, and the half-made bank is removed.
        let queue = try DatabaseQueue(path: target)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS log_nodes_no_update")
            try db.execute(sql: "UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0")
        }
        try queue.close()
        let restoredPath = bank.folder.appendingPathComponent("restored.sqlite").path
        expectCode(.backupInvalid) { _ = try Bank.restore(from: target, into: restoredPath, as: SQLiteStore.self, configuration: .init(besideDatabase: restoredPath)) }
        for suffix in ["", "-wal", "-shm", ".secret", ".keypass", ".partial"] {
            #expect(!FileManager.default.fileExists(atPath: restoredPath + suffix), "\(suffix) left behind")
        }
        // Without its secret a backup cannot be restored.
        let bare = bank.folder.appendingPathComponent("bare.sqlite").path
        _ = try bank.ledger.backup(to: bare, secrets: [])
        expectCode(.secretMissing) { _ = try Bank.restore(from: bare, into: restoredPath, as: SQLiteStore.self, configuration: .init(besideDatabase: restoredPath)) }
    }

    /// NORMAL by default (crash-safe in WAL mode); FULL on request (power-loss safe).
    @Test func synchronousIsNormalUnlessFullIsAskedFor() throws {
        let bank = try TestBank()
        let normal = try SQLiteStore(path: bank.dbPath)
        #expect(try normal.database.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
        let full = try SQLiteStore(path: bank.dbPath, options: .init(synchronousFull: true))
        #expect(try full.database.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }
}
