import Foundation
import SkillTestSupport
import Testing

/// Moving a bank between the SQLite file and PostgreSQL, as an operator types it.
@Suite struct MigrateStoreCLITests {
    /// `psql`'s answer to one query on the database of a store URL.
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-Atc", sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: TestPostgres.url != nil, Comment(rawValue: TestPostgres.skipNote)))
    func aBankMovesToPostgreSQLAndBackWithTheSameLog() throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        let secrets = ["--secret-file", "d/skillbank.sqlite.secret", "--key-passphrase-file", "d/skillbank.sqlite.keypass"]
        let pg = try TestPostgres.freshDatabase("move")

        let there = try cli.run(["migrate-store", "--db", "d/skillbank.sqlite", "--to", pg, "--json"])
        #expect(there.status == 0, "\(there.stderr)")
        let report = try #require(try there.json() as? [String: Any])
        let root = try #require(report["root"] as? String)
        #expect(report["audit"] as? String == "clean" && (report["log_leaves"] as? Int ?? 0) > 10)
        #expect(there.stderr.contains("events: ") && there.stderr.contains("certificates: 1/1"), "progress goes to stderr: \(there.stderr)")
        // The URL's password never shows; this one has none, but the report names the server.
        #expect((report["target"] as? String)?.hasPrefix("postgres://") == true)

        // Copied straight back, the file's log has the root the first file's had.
        let straightBack = try cli.run(["migrate-store", "--store", pg, "--to", "first-back.sqlite", "--json"] + secrets)
        #expect(straightBack.status == 0, "\(straightBack.stderr)")
        #expect((try straightBack.json() as? [String: Any])?["root"] as? String == root)

        // The bank works on PostgreSQL: it reconciles, audits, and its certificate verifies.
        #expect(try cli.run(["check", "--store", pg] + secrets).stdout.contains("ledger reconciles"))
        #expect(try cli.run(["log", "audit", "--store", pg] + secrets).stdout.contains("log clean"))
        let number = try #require(try Self.psql(pg, "SELECT number FROM certificates LIMIT 1").split(separator: "\n").first.map(String.init))
        let exported = try cli.run(["cert", "export", number, "--store", pg] + secrets)
        #expect(exported.status == 0, "\(exported.stderr)")
        let file = try cli.write("cert.json", exported.stdout)
        #expect(try cli.run(["verify", file, "--store", pg] + secrets).stdout.contains("VALID"))
        // It goes on writing where the file stopped: the next event follows the last copied one.
        let events = try #require(try cli.run(["events", "--json", "--limit", "1000", "--store", pg] + secrets).json() as? [Any])
        let person = try cli.run(["person", "register", "--name", "黄磊", "--id-type", "passport", "--id-number", "E12345678", "--store", pg] + secrets)
        #expect(person.status == 0, "\(person.stderr)")
        #expect(try Self.psql(pg, "SELECT max(seq) FROM events") == String(events.count + 1))

        // And back into a new file: the log's root at the copied size is the same.
        let back = try cli.run(["migrate-store", "--store", pg, "--to", "back.sqlite", "--json"] + secrets)
        #expect(back.status == 0, "\(back.stderr)")
        let backReport = try #require(try back.json() as? [String: Any])
        #expect(backReport["log_leaves"] as? Int == events.count + 1)
        #expect(try cli.run(["log", "audit", "--db", "back.sqlite"] + secrets).stdout.contains("log clean"))
        #expect(try cli.run(["log", "consistency", "--db", "back.sqlite", "--from", String(events.count), "--to", String(events.count + 1)] + secrets).status == 0)

        // A target that holds a bank already is refused, and nothing changes in it.
        let again = try cli.run(["migrate-store", "--db", "d/skillbank.sqlite", "--to", pg])
        #expect(again.status == 64 && again.stderr.contains("not empty") && again.stderr.contains("--to"), "\(again.stderr)")
        #expect(try Self.psql(pg, "SELECT count(*) FROM events") == String(events.count + 1))
        // So is an existing file.
        #expect(try cli.run(["migrate-store", "--store", pg, "--to", "back.sqlite"] + secrets).status == 64)
    }

    /// A source whose log does not audit (a node deleted by hand) is not copied: the target stays
    /// empty and the error says what differed.
    @Test(.enabled(if: TestPostgres.url != nil, Comment(rawValue: TestPostgres.skipNote)))
    func aCopyThatDiffersLeavesNothing() throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        _ = try DamagedBank.damage(cli.folder.appendingPathComponent("d/skillbank.sqlite").path)
        let pg = try TestPostgres.freshDatabase("differs")
        let moved = try cli.run(["migrate-store", "--db", "d/skillbank.sqlite", "--to", pg])
        #expect(moved.status == 65 && moved.stderr.contains("backup.invalid") && moved.stderr.contains("nothing was written"), "\(moved.status) \(moved.stderr)")
        #expect(try Self.psql(pg, "SELECT count(*) FROM events") == "0")
        #expect(try Self.psql(pg, "SELECT count(*) FROM log_nodes") == "0")
        // An empty database is not a bank to copy: nothing is made in it or beside it.
        let empty = try TestPostgres.freshDatabase("empty")
        let none = try cli.run(["migrate-store", "--store", empty, "--to", "none.sqlite"])
        #expect(none.status == 78 && none.stderr.contains("ledger.not-initialised"), "\(none.status) \(none.stderr)")
        for file in ["none.sqlite", "none.sqlite.partial", "skillbank.secret", "skillbank.keypass"] {
            #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent(file).path), "\(file)")
        }
        // The other way: a damaged file is never left behind.
        #expect(try cli.run(["migrate-store", "--db", "d/skillbank.sqlite", "--to", "copy.sqlite"]).status == 65)
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("copy.sqlite").path))
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("copy.sqlite.partial").path))
    }
}
