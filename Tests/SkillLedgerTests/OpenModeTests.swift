import Foundation
import GRDB
import SkillCore
import SkillLedger
import SkillTestSupport
import Testing

@Suite struct OpenModeTests {
    /// A CLI command opens one connection. A bank it creates must still be in WAL mode, or a server
    /// opened on it later would have its readers wait on every write.
    @Test func aBankMadeOnOneConnectionIsInWALModeAndSharesWithAPool() throws {
        let folder = try ScratchFolder.make("skillbank-open-mode")
        let path = folder.appendingPathComponent("bank.sqlite").path
        let (cli, created) = try TestBanks.open(sqlite: path, checksKeyPassphrase: false, singleConnection: true)
        #expect(created)
        let person = try cli.registration.registerPerson(name: "张三", idType: .resident, idNumber: TestBank.residentID(1))
        let mode = try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")

        // The server's pool sees what the single connection wrote, and the other way round.
        let server = try TestBanks.open(sqlite: path).bank
        #expect(try server.accounts.record(of: person.id).person.id == person.id)
        let second = try server.registration.registerPerson(name: "李四", idType: .resident, idNumber: TestBank.residentID(2))
        #expect(try cli.accounts.record(of: second.id).person.maskedName == "李*")
    }
}

@Suite struct FileModeTests {
    /// While a pool holds the bank open, its WAL and shared-memory files exist, and SQLite has
    /// given them the main file's mode: 0600.
    @Test func theDatabaseItsWALAndSharedMemoryAre0600() throws {
        let bank = try TestBank()
        _ = try bank.person(1)
        for suffix in ["", "-wal", "-shm", ".secret", ".keypass"] {
            let mode = try FileManager.default.attributesOfItem(atPath: bank.dbPath + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(suffix) has mode \(String(mode ?? 0, radix: 8))")
        }
        let copy = bank.folder.appendingPathComponent("copy.sqlite").path
        _ = try bank.ledger.backup(to: copy, secrets: [])
        #expect(try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int == 0o600)
        chmod(bank.dbPath + "-wal", 0o640)
        let error = expectCode(.storePermissions) { _ = try TestBanks.open(sqlite: bank.dbPath) }
        #expect(error?.field == bank.dbPath + "-wal")
    }
}
