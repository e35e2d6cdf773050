import Foundation
import SkillCore
import SkillLedger
import SkillTestSupport
import Synchronization
import Testing

/// Bearer tokens are answered from memory between commits. Whatever the cache holds, a
/// revoked, expired or unknown token must be refused on the very next request.
@Suite struct TokenTests {
    @Test func aRememberedTokenIsDroppedByAnyCommit() throws {
        let bank = try TestBank()
        let ledger = bank.ledger
        let person = try bank.person(1)
        let (record, secret) = try ledger.tokens.create(role: .worker, person: person.id)

        #expect(try ledger.tokens.authenticate(secret) == record)
        #expect(try ledger.tokens.authenticate(secret) == record, "answered again, from memory")

        // An unrelated commit from another ledger value on the file (as the CLI is) empties it.
        let other = try TestBanks.open(sqlite: bank.dbPath).bank
        _ = try other.registration.registerPerson(name: "李四", idType: .resident, idNumber: TestBank.residentID(7))
        #expect(try ledger.tokens.authenticate(secret) == record)

        // Revoked elsewhere: the next call refuses it, from memory and from the database.
        _ = try other.tokens.revoke(record.id)
        #expect(try ledger.tokens.authenticate(secret) == nil)
    }

    @Test func aRememberedTokenStillExpires() throws {
        let time = Mutex(Date(timeIntervalSince1970: 1_780_000_000))  // 2026-05-28
        let bank = try TestBank(clock: { time.withLock { $0 } })
        let person = try bank.person(1)
        let (record, secret) = try bank.ledger.tokens.create(role: .worker, person: person.id, expires: CalendarDate(year: 2026, month: 6, day: 1)!)
        #expect(try bank.ledger.tokens.authenticate(secret) == record)

        // No commit in between, so only the clock can refuse it.
        time.withLock { $0 = Date(timeIntervalSince1970: 1_780_400_000) }  // 2026-06-02
        #expect(try bank.ledger.tokens.authenticate(secret) == nil)
    }

    @Test func unknownAndNearMissSecretsAreRefused() throws {
        let bank = try TestBank()
        let (_, secret) = try bank.ledger.tokens.create(role: .operator)
        #expect(try bank.ledger.tokens.authenticate(secret) != nil)
        var nearMiss = Array(secret)
        nearMiss[nearMiss.count - 1] = nearMiss.last == "0" ? "1" : "0"
        #expect(try bank.ledger.tokens.authenticate(String(nearMiss)) == nil)
        #expect(try bank.ledger.tokens.authenticate("sb_" + String(repeating: "0", count: 64)) == nil)
    }
}
