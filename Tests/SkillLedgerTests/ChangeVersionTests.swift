import Foundation
import SkillCore
import SkillLedger
import SkillTestSupport
import Testing

/// The change version the server's verification cache keys on: it must move on every commit,
/// from this ledger value, another one on the same file, or a raw connection, and stay put otherwise.
@Suite struct ChangeVersionTests {
    @Test func movesOnEveryCommitFromAnyConnectionAndOnlyThen() throws {
        let bank = try TestBank()
        let ledger = bank.ledger
        let first = try ledger.changeVersion()
        #expect(try ledger.changeVersion() == first)
        _ = try ledger.registration.institutions()
        #expect(try ledger.changeVersion() == first, "a read is not a change")

        _ = try bank.school(1)
        let afterOwnWrite = try ledger.changeVersion()
        #expect(afterOwnWrite != first)

        // Another ledger value on the same file (as the CLI is while the server runs).
        let other = try TestBanks.open(sqlite: bank.dbPath).bank
        _ = try other.registration.registerPerson(name: "李四", idType: .resident, idNumber: TestBank.residentID(7))
        let afterOtherWrite = try ledger.changeVersion()
        #expect(afterOtherWrite != afterOwnWrite)

        try bank.rawWrite("INSERT INTO meta(key, value) VALUES ('probe-test', 'x')")
        #expect(try ledger.changeVersion() != afterOtherWrite)

        // Versions of different ledger values never compare equal, even with equal counters.
        #expect(try other.changeVersion() != ledger.changeVersion())
    }
}
