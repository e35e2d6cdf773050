import Foundation
import SkillCore
import SkillLedger
import SkillStore
import SkillStorePostgres
import SkillStoreSQLite
import SkillTestSupport

/// A kind of store the contract runs against. Each test makes fresh stores of its kind.
struct StoreUnderTest: CustomTestStringConvertible, Sendable {
    let name: String
    /// Makes an empty store (migrated) and says where a second handle on the same store opens.
    let make: @Sendable () throws -> (store: any Store, reopen: @Sendable () throws -> any Store)

    var testDescription: String { name }

    static let sqlite = StoreUnderTest(name: "SQLite") {
        let folder = try ScratchFolder.make("skillbank-contract")
        let path = folder.appendingPathComponent("bank.sqlite").path
        return (try SQLiteStore(path: path), { try SQLiteStore(path: path) })
    }

    static let postgres = StoreUnderTest(name: "PostgreSQL") {
        let url = try TestPostgres.freshDatabase("contract")
        return (try PostgresStore(url: url), { try PostgresStore(url: url) })
    }

    /// Every store there is (PostgreSQL when the tests have a server: see `TestPostgres`).
    static let all: [StoreUnderTest] = TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A bank on a fresh store of this kind, its secrets in a scratch folder.
    func bank(clock: @escaping @Sendable () -> Date = { Date() }) throws -> (bank: Bank, store: any Store, reopen: @Sendable () throws -> any Store) {
        let (store, reopen) = try make()
        let folder = try ScratchFolder.make("skillbank-contract-secrets")
        let config = Bank.Configuration(besideDatabase: folder.appendingPathComponent("bank").path, standardsDirectory: repositoryStandards)
        return (try Bank.open(store, configuration: config, clock: clock).bank, store, reopen)
    }
}

import Testing

/// Says, in the test report, whether the PostgreSQL store was under test.
@Suite struct StoresUnderTest {
    @Test(.enabled(if: TestPostgres.url != nil || TestPostgres.isCI, Comment(rawValue: TestPostgres.skipNote)))
    func postgreSQLIsUnderTest() {
        #expect(TestPostgres.url != nil, "CI runs every store: .ci/run starts PostgreSQL and exports SKILLBANK_TEST_POSTGRES_URL")
    }
}

/// A sample event with a distinct subject.
func sampleEvent(_ n: Int, type: String = "test.sample") -> LedgerEvent {
    LedgerEvent(type: type, actor: .operatorCLI, at: Date(timeIntervalSince1970: 1_795_000_000 + Double(n)), subjects: ["n": .int(n)], change: [:])
}

func uscc(_ first17: String) -> String { first17 + String(USCC.checkCharacter(for: first17)!) }

func residentID(_ n: Int) -> String {
    let first17 = "44030519900307" + String(format: "%03d", n % 1000)
    return first17 + String(PersonalID.residentCheckCharacter(for: first17)!)
}
