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
        var single = Ledger.Configuration(databasePath: path, standardsDirectory: repositoryStandards)
        single.singleConnection = true
        single.checksKeyPassphrase = false
        let (cli, created) = try Ledger.open(single)
        #expect(created)
        let person = try cli.registerPerson(name: "张三", idType: .resident, idNumber: TestBank.residentID(1))
        let mode = try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")

        // The server's pool sees what the single connection wrote, and the other way round.
        let server = try Ledger.open(.init(databasePath: path)).ledger
        #expect(try server.record(of: person.id).person.id == person.id)
        let second = try server.registerPerson(name: "李四", idType: .resident, idNumber: TestBank.residentID(2))
        #expect(try cli.record(of: second.id).person.maskedName == "李*")
    }
}
