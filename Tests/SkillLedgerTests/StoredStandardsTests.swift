import Foundation
import GRDB
import SkillCore
import SkillLedger
import SkillTestSupport
import Testing

@Suite struct StoredStandardsTests {
    /// A bank opens from the Standards it stored at init; the checks between files still run
    /// there (only the schema check, made before they were stored, is not repeated).
    @Test func storedStandardsAreDecodedAndCrossCheckedOnOpen() throws {
        let bank = try TestBank()
        let reopened = try TestBanks.open(sqlite: bank.dbPath, standards: URL(fileURLWithPath: "/nonexistent")).bank
        let stored = reopened.standards, fresh = bank.ledger.standards
        #expect(stored.levels == fresh.levels && stored.occupations == fresh.occupations && stored.majors == fresh.majors)
        #expect(stored.credentialTypes == fresh.credentialTypes && stored.numberSchemes == fresh.numberSchemes && stored.provinces == fresh.provinces)
        #expect(stored.frameworks == fresh.frameworks && stored.defaultFrameworkID == fresh.defaultFrameworkID && stored.crosswalk == fresh.crosswalk)
        #expect(stored.dualMappings == fresh.dualMappings && stored.assessmentRules == fresh.assessmentRules)
        #expect(stored.conversion.programmes == fresh.conversion.programmes && stored.conversion.rules == fresh.conversion.rules)
        // The number schemes' patterns were not compiled on open; they compile on first use.
        let examples = stored.numberSchemes.compactMap { scheme in scheme.example.map { (scheme, $0) } }
        #expect(!examples.isEmpty)
        for (scheme, example) in examples {
            #expect(throws: Never.self) { _ = try scheme.parse(example, provinces: stored.provinceCodes, levels: stored.levelCodes) }
        }

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
        let error = expectCode(.standardsReference) { _ = try TestBanks.open(sqlite: bank.dbPath) }
        #expect(error?.field == "occupations.json $.rows[0].code")
        #expect(error?.message.contains("major group 9") == true)
    }
}
