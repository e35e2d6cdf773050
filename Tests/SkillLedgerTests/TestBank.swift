import Foundation
import GRDB
import SkillCore
import SkillLedger
import SkillTestSupport

/// A bank in a fresh temporary folder, with helpers to build fixtures and look at raw rows.
struct TestBank {
    let folder: URL
    let ledger: Bank
    var dbPath: String { folder.appendingPathComponent("bank.sqlite").path }

    init(clock: @escaping @Sendable () -> Date = { Date() }) throws {
        folder = try ScratchFolder.make("skillbank-test")
        ledger = try TestBanks.open(sqlite: folder.appendingPathComponent("bank.sqlite").path, clock: clock).bank
    }

    /// Counts rows with a raw connection, independent of the ledger's code.
    func count(_ table: String, _ condition: String = "1") throws -> Int {
        let queue = try DatabaseQueue(path: dbPath)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE \(condition)") ?? 0 }
    }

    /// Row counts of every ledger table, to prove a refused change wrote nothing.
    func snapshot() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in ["events", "institutions", "accreditations", "people", "courses", "enrolments", "accounts", "postings"] {
            out[t] = try count(t)
        }
        return out
    }

    /// One text value read with a raw connection.
    func rawString(_ sql: String) throws -> String? {
        try DatabaseQueue(path: dbPath).read { db in try String.fetchOne(db, sql: sql) }
    }

    /// A raw write with foreign keys off, to damage a bank the way only a hand on the file could.
    func rawDamage(_ sql: String) throws {
        try DatabaseQueue(path: dbPath).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.inTransaction { try db.execute(sql: sql); return .commit }
        }
    }

    func rawWrite(_ sql: String) throws {
        let queue = try DatabaseQueue(path: dbPath)
        try queue.write { db in try db.execute(sql: sql) }
    }

    static func uscc(_ first17: String) -> String { first17 + String(USCC.checkCharacter(for: first17)!) }
    /// A well-formed, fictional resident ID number, distinct for each `n`.
    static func residentID(_ n: Int) -> String {
        let birth = CalendarDate(Date(timeIntervalSince1970: Double(n / 1000) * 86_400 + 315_532_800), timeZone: TimeZone(identifier: "UTC")!)
        let first17 = "440305" + String(format: "%04d%02d%02d%03d", birth.year, birth.month, birth.day, n % 1000)
        return first17 + String(PersonalID.residentCheckCharacter(for: first17)!)
    }

    /// A training institution accredited for 电工 at levels 5, 4, 3 since 2020.
    func school(_ n: Int = 1) throws -> Institution {
        let i = try ledger.registration.registerInstitution(.init(
            name: "培训学校\(n)", kind: .training, code: Self.uscc("91440300MA5F8R\(String(format: "%03d", n))"), province: "44"))
        _ = try ledger.registration.accredit(i.id, occupation: "6-31-01-03", levels: [5, 4, 3], from: CalendarDate(iso: "2020-01-01"))
        return i
    }

    func person(_ n: Int, name: String = "张三") throws -> PersonSummary {
        try ledger.registration.registerPerson(name: name, idType: .resident, idNumber: Self.residentID(n))
    }

    func course(_ school: Institution, level: Int = 4, hours: Int = 64, capacity: Int? = nil, framework: String? = nil) throws -> Course {
        try ledger.training.publishCourse(.init(
            institutionID: school.id, title: "电工 \(level) 级", occupation: "6-31-01-03", level: level, hours: hours, capacity: capacity,
            framework: framework))
    }
}

/// Expects `body` to throw a `SkillError` with `code` and returns it.
@discardableResult
func expectCode(_ code: SkillError.Code, _ body: () throws -> Void) -> SkillError? {
    do {
        try body()
    } catch let e as SkillError {
        if e.code != code { Issue.record("expected \(code), got \(e.code): \(e.message)") }
        return e
    } catch {
        Issue.record("expected \(code), got \(error)")
        return nil
    }
    Issue.record("expected \(code), nothing was thrown")
    return nil
}

/// A small seeded generator (SplitMix64) so random sequences repeat.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Testing
