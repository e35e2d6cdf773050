import Foundation
import GRDB
import SkillCore
import SkillLedger
import Testing

@Suite struct StoredStandardsTests {
    /// A bank opens from the Standards it stored at init; the checks between files still run
    /// there (only the schema check, made before they were stored, is not repeated).
    @Test func storedStandardsAreDecodedAndCrossCheckedOnOpen() throws {
        let bank = try TestBank()
        let reopened = try Ledger.open(.init(databasePath: bank.dbPath, standardsDirectory: URL(fileURLWithPath: "/nonexistent"))).ledger
        #expect(reopened.standards.occupations == bank.ledger.standards.occupations)
        #expect(reopened.standards.conversion.rules == bank.ledger.standards.conversion.rules)

        // Point the first occupation at a major group the file does not list.
        let queue = try DatabaseQueue(path: bank.dbPath)
        try queue.write { db in
            let data = try #require(try Data.fetchOne(db, sql: "SELECT data FROM standards_files WHERE name = 'occupations'"))
            var document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            var rows = try #require(document["rows"] as? [[String: Any]])
            rows[0]["code"] = "9-31-01-03"
            document["rows"] = rows
            try db.execute(sql: "UPDATE standards_files SET data = ? WHERE name = 'occupations'",
                           arguments: [try JSONSerialization.data(withJSONObject: document)])
        }
        let error = expectCode(.standardsReference) { _ = try Ledger.open(.init(databasePath: bank.dbPath)) }
        #expect(error?.field == "occupations.json $.rows[0].code")
        #expect(error?.message.contains("major group 9") == true)
    }
}
