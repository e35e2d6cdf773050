import Foundation
import GRDB
import Testing

@Suite struct LogCLITests {
    @Test func checkpointsProofsBundlesAndAudit() throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        let db = ["--db", "d/skillbank.sqlite"]
        let first = try cli.run(["log", "checkpoint"] + db)
        #expect(first.stdout.hasPrefix("skillbank-registry/log\n") && first.stdout.contains("\n\n— skillbank-registry/log "))
        _ = try cli.write("c1.txt", first.stdout)
        let key = try cli.run(["log", "key"] + db).stdout
        #expect(key.hasPrefix("skillbank-registry/log+"))
        let events = try JSONSerialization.jsonObject(with: Data(try cli.run(["events", "--json"] + db).stdout.utf8)) as! [[String: Any]]
        let issued = try #require(events.first { $0["type"] as? String == "certificate.issued" })
        let number = try #require((issued["change"] as? [String: Any])?["number"] as? String)
        let proof = try JSONSerialization.jsonObject(with: Data(try cli.run(["log", "prove", "--certificate", number, "--json"] + db).stdout.utf8)) as! [String: Any]
        #expect(proof["leaf_index"] as? Int == events.firstIndex { $0["type"] as? String == "certificate.issued" })
        #expect((proof["root"] as? String)?.count == 64)
        #expect(try cli.run(["cert", "export", number, "--format", "bundle", "--out", "b.json"] + db).status == 0)
        _ = try cli.run(["cert", "suspend", number] + db)
        _ = try cli.write("c2.txt", try cli.run(["log", "checkpoint"] + db).stdout)
        let consistent = try cli.run(["log", "verify-consistency", "c1.txt", "c2.txt", "--key", key.trimmingCharacters(in: .whitespacesAndNewlines)] + db)
        #expect(consistent.status == 0 && consistent.stdout.contains("consistent"))
        #expect(try cli.run(["log", "verify-consistency", "c2.txt", "c1.txt"] + db).status != 0)
        #expect(try cli.run(["log", "audit"] + db).stdout.contains("log clean"))
        // The bundle verifies with the bank gone.
        try FileManager.default.removeItem(at: cli.folder.appendingPathComponent("d"))
        let verdict = try cli.run("verify", "b.json", "--max-age", "1d")
        #expect(verdict.status == 0 && verdict.stdout.contains("log:inclusion") && verdict.stdout.contains("checkpoint_time"))
        #expect(try cli.run("verify", "b.json", "--max-age", "0s").status == 1)
        #expect(try cli.run("verify", "b.json", "--max-age", "soon").status == 65)
    }

    @Test func backupAndRestoreAsAUserTypesThem() throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        let made = try cli.run("backup", "--db", "d/skillbank.sqlite", "copy.sqlite")
        #expect(made.status == 0 && made.stdout.contains("integrity ok") && made.stdout.contains("copy.sqlite.secret"))
        let again = try cli.run("backup", "--db", "d/skillbank.sqlite", "copy.sqlite")
        #expect(again.status == 64 && again.stderr.contains("backup.target-exists") && again.stderr.contains("copy.sqlite"))
        let restored = try cli.run("restore", "--db", "new.sqlite", "copy.sqlite", "--json")
        #expect(restored.status == 0)
        let report = try #require(try restored.json() as? [String: Any])
        let events = try JSONSerialization.jsonObject(with: Data(try cli.run("events", "--json", "--db", "d/skillbank.sqlite").stdout.utf8)) as! [Any]
        #expect(report["last_event"] as? Int == events.count && report["log_leaves"] as? Int == events.count)
        #expect(try cli.run("log", "audit", "--db", "new.sqlite").stdout.contains("log clean"))
        #expect(try cli.run("restore", "--db", "other.sqlite", "missing.sqlite").status == 66)
        let nothing = try cli.run("backup", "--db", "nowhere.sqlite", "x.sqlite")
        #expect(nothing.status == 66 && !FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("nowhere.sqlite").path))
    }
}

/// Damages a bank's file the way only a hand on the disk could: deletes four log nodes, among
/// them the leaf of the first certificate's issuance.
enum DamagedBank {
    /// - Returns: the number of the certificate whose leaf is gone, and that leaf's index.
    static func damage(_ path: String) throws -> (number: String, leaf: Int) {
        let queue = try DatabaseQueue(path: path)
        return try queue.write { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT c.number, e.seq FROM certificates c JOIN events e ON e.id = c.event_id ORDER BY e.seq LIMIT 1
                """))
            let leaf: Int = row["seq"] - 1
            try db.execute(sql: "DELETE FROM log_nodes WHERE (level = 0 AND idx IN (?, 0, 1)) OR (level = 1 AND idx = 0)", arguments: [leaf])
            return (row["number"], leaf)
        }
    }
}

@Suite struct DamagedBankCLITests {
    /// `log prove` on a bank with missing log nodes exits 70 naming the node (it used to die
    /// with SIGSEGV); `log audit` names the divergence and exits 1.
    @Test func proveAndAuditNameTheDamage() throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        let (number, _) = try DamagedBank.damage(cli.folder.appendingPathComponent("d/skillbank.sqlite").path)
        let prove = try cli.run("log", "prove", "--certificate", number, "--db", "d/skillbank.sqlite")
        #expect(prove.status == 70 && prove.stderr.contains("log.node-missing") && prove.stderr.contains("level 0"), "\(prove.status) \(prove.stderr)")
        let audit = try cli.run("log", "audit", "--db", "d/skillbank.sqlite")
        #expect(audit.status == 1 && audit.stdout.contains("log_nodes") || audit.stdout.contains("events"), "\(audit.status) \(audit.stdout)")
        let bundle = try cli.run("cert", "export", number, "--format", "bundle", "--db", "d/skillbank.sqlite")
        #expect(bundle.status == 70 && bundle.stderr.contains("log.node-missing"))
    }
}
