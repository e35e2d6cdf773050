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

    /// The log as static tiles: written once, kept on a later run, checked without the bank,
    /// and a bundle proved from them after the bank is gone; no tile names a person.
    @Test func tilesExportCheckAndProveABundle() throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        let db = ["--db", "d/skillbank.sqlite"]
        let key = try cli.run(["log", "key"] + db).lastLine
        let events = try JSONSerialization.jsonObject(with: Data(try cli.run(["events", "--json"] + db).stdout.utf8)) as! [[String: Any]]
        let issued = try #require(events.first { $0["type"] as? String == "certificate.issued" })
        let number = try #require((issued["change"] as? [String: Any])?["number"] as? String)
        #expect(try cli.run(["cert", "export", number, "--format", "bundle", "--out", "b.json"] + db).status == 0)

        let first = try cli.run(["log", "export-tiles", "tiles", "--json"] + db)
        #expect(first.status == 0)
        let report = try #require(try first.json() as? [String: Any])
        #expect(report["written"] as? Int == 2 && report["kept"] as? Int == 0 && report["entry_bundles_withheld"] as? Int == 0)
        let size = try #require(report["tree_size"] as? Int)
        let tile = "tiles/tile/0/000.p/\(size)"
        #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent(tile).path))
        // New events: the next run writes the new partial tiles and a new checkpoint, keeps the old.
        _ = try cli.run(["cert", "suspend", number] + db)
        let second = try #require(try cli.run(["log", "export-tiles", "tiles", "--json"] + db).json() as? [String: Any])
        #expect(second["written"] as? Int == 2 && second["kept"] as? Int == 0 && (second["tree_size"] as? Int ?? 0) > size)
        let third = try #require(try cli.run(["log", "export-tiles", "tiles", "--json"] + db).json() as? [String: Any])
        #expect(third["written"] as? Int == 0 && third["kept"] as? Int == 2)

        let checked = try cli.run("log", "check-tiles", "tiles", "--key", key)
        #expect(checked.status == 0 && checked.stdout.contains("sound"), "\(checked.stderr)")
        for file in FileManager.default.enumerator(atPath: cli.folder.appendingPathComponent("tiles").path)!.compactMap({ $0 as? String }) {
            let bytes = FileManager.default.contents(atPath: cli.folder.appendingPathComponent("tiles/\(file)").path) ?? Data()
            #expect(!String(decoding: bytes, as: UTF8.self).contains(/per_[0-9A-HJKMNP-TV-Z]{26}/), "\(file)")
        }

        // The bank is gone: the bundle's leaf is proved from the tiles' newer checkpoint.
        try FileManager.default.removeItem(at: cli.folder.appendingPathComponent("d"))
        let verdict = try cli.run("verify", "b.json", "--tiles", "tiles")
        #expect(verdict.status == 0 && verdict.stdout.contains("[ok] log:inclusion"), "\(verdict.stdout)\(verdict.stderr)")
        #expect(verdict.stdout.contains("of \(size + 1) is in the checkpointed tree"), "the proof is the tiles', not the bundle's own")
        #expect(verdict.stdout.contains("[ok] log:consistency: the tree of \(size + 1) leaves extends the bundle's checkpoint of \(size)"), "\(verdict.stdout)")
        // The same tiles from a mirror over HTTP (a static file server on loopback).
        let mirror = try StaticMirror(serving: cli.folder.appendingPathComponent("tiles"))
        defer { mirror.stop() }
        let remote = try cli.run("verify", "b.json", "--tiles", mirror.base)
        #expect(remote.status == 0 && remote.stdout.contains("of \(size + 1) is in the checkpointed tree"), "\(remote.stderr)")
        #expect(try cli.run("log", "check-tiles", mirror.base, "--key", key).status == 0)
        let missing = try cli.run("log", "check-tiles", mirror.base + "/elsewhere", "--key", key)
        #expect(missing.status == 66 && missing.stderr.contains("elsewhere/checkpoint") && missing.stderr.contains("HTTP 404"))
        // A damaged tile is named.
        let handle = try FileHandle(forWritingTo: cli.folder.appendingPathComponent("tiles/tile/0/000.p/\(size + 1)"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let damaged = try cli.run("log", "check-tiles", "tiles", "--key", key)
        #expect(damaged.status == 65 && damaged.stderr.contains("log.tile-invalid") && damaged.stderr.contains("tile/0/000.p/"))
        #expect(try cli.run("verify", "b.json", "--tiles", "nowhere").status == 66)
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

/// A static file server on a free loopback port (Python's), as a CDN or mirror would serve tiles.
final class StaticMirror {
    let process = Process()
    let keepAlive = Pipe()
    let base: String

    init(serving folder: URL) throws {
        let script = """
        import functools, http.server, sys
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        print(server.server_address[1], flush=True)
        import os, threading
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        server.serve_forever()
        """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder.path]
        let out = Pipe()
        process.standardOutput = out
        // Its standard input stays open while this process lives: the server ends when it closes.
        process.standardInput = keepAlive
        process.standardError = FileHandle.nullDevice  // its request log is noise in the test output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        base = "http://127.0.0.1:\(port)"
    }

    /// SIGKILL: a test process may block SIGTERM, and a child inherits its blocked signals.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
