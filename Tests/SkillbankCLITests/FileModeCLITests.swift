import Foundation
import Testing

/// A bank's files are its owner's alone: every file a new bank makes is mode 0600, and a bank
/// whose files other users can read is refused, like a loose secret.
@Suite struct FileModeCLITests {
    static func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func everyFileOfANewBankIs0600AndAnExposedOneIsRefused() throws {
        let cli = try CLI()
        #expect(try cli.run("init").status == 0)
        // A second command while nothing checkpoints leaves the WAL and shared memory files there.
        #expect(try cli.run("person", "register", "--name", "李明", "--id-type", "passport", "--id-number", "E12345678").status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.folder.path).filter { $0.hasPrefix("skillbank.sqlite") }
        #expect(files.contains("skillbank.sqlite") && files.contains("skillbank.sqlite.secret") && files.contains("skillbank.sqlite.keypass"))
        for file in files {
            #expect(try Self.mode(cli.folder.appendingPathComponent(file)) == 0o600, "\(file)")
        }
        // Exports and reject files are the owner's too.
        _ = try cli.write("people.csv", "name,id_type,id_number\n王五,resident,440305199003071230\n")
        #expect(try cli.run("import", "people", "people.csv", "--skip-bad").status == 0)
        #expect(try Self.mode(cli.folder.appendingPathComponent("people.csv.rejects.csv")) == 0o600)

        chmod(cli.folder.appendingPathComponent("skillbank.sqlite").path, 0o644)
        let refused = try cli.run("institution", "list")
        #expect(refused.status == 78 && refused.stderr.contains("store.permissions") && refused.stderr.contains("chmod 600"), "\(refused.stderr)")
        chmod(cli.folder.appendingPathComponent("skillbank.sqlite").path, 0o600)
        #expect(try cli.run("institution", "list").status == 0)
    }
}
