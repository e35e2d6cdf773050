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
