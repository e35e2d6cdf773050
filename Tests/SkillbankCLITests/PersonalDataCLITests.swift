import Foundation
import Testing

/// The CLI side of the personal-data scan: every command that takes or shows a person's name or
/// ID number, its stdout and stderr, every file it exports, and the bank's files afterwards.
/// Excepted, because the operator asked for them: the input CSV and its reject file.
@Suite struct PersonalDataCLITests {
    @Test func commandsExportsAndFilesShowNoPersonalDataInClear() throws {
        let cli = try CLI()
        let name = "欧阳明华"
        let idNumber = CLIFlowTests.resident("44030519900307517")
        let other = ("司马慧", CLIFlowTests.resident("44030519900307628"))
        let badNumber = String(idNumber.dropLast()) + (idNumber.last == "1" ? "2" : "1")
        let secrets = [name, idNumber, other.0, other.1, badNumber]
        var outputs: [(String, String)] = []
        func run(_ args: String...) throws -> CLI.Result {
            let r = try cli.run(args)
            outputs.append((args.prefix(2).joined(separator: " "), r.stdout + r.stderr))
            return r
        }
        let evaluator = try run("institution", "register", "--name", "评价中心", "--kind", "social", "--code",
                                CLIFlowTests.uscc("51440000MJ0000009"), "--province", "44").lastLine
        _ = try run("institution", "accredit", evaluator, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2025-01-01")
        let person = try run("person", "register", "--name", name, "--id-type", "resident", "--id-number", idNumber).lastLine
        #expect(person.hasPrefix("per_"))
        #expect(try run("person", "register", "--name", name, "--id-type", "resident", "--id-number", idNumber).status == 65)
        #expect(try run("person", "register", "--name", "某人", "--id-type", "resident", "--id-number", badNumber).status == 65)
        let csv = try cli.write("people.csv", "name,id_type,id_number\n\(other.0),resident,\(other.1)\n某人,resident,\(badNumber)\n")
        #expect(try run("import", "people", csv).status == 65)
        _ = try run("import", "people", csv, "--skip-bad")
        _ = try run("person", "show", person)
        _ = try run("person", "find", "--id-number", idNumber)
        _ = try run("person", "find", "--id-number", badNumber)
        let assessment = try run("assessment", "schedule", "--institution", evaluator, "--occupation", "6-31-01-03", "--level", "5").lastLine
        _ = try run("assessment", "enrol", assessment, "--person", person)
        let result = try run("assessment", "result", assessment, "--person", person, "--theory", "78", "--practical", "85", "--json")
        let number = try #require(((try result.json() as? [String: Any])?["certificates"] as? [[String: Any]])?.first?["number"] as? String)
        for (format, file) in [("vc", "c.json"), ("jwt", "c.jwt"), ("bundle", "b.json")] {
            #expect(try run("cert", "export", number, "--format", format, "--out", file).status == 0)
        }
        #expect(try run("statement", person, "--out", "s.json").status == 0)
        _ = try run("record", person)
        _ = try run("record", person, "--json")
        _ = try run("cert", "lookup", "--number", number, "--name", name)
        _ = try run("cert", "lookup", "--number", number, "--name", other.0)
        _ = try run("cert", "lookup", "--number", number, "--id-number", idNumber, "--json")
        _ = try run("verify", "c.json")
        _ = try run("events", "--json", "--limit", "1000")
        _ = try run("log", "audit")
        // Opting in puts the name in the export: the positive control that the scan can see.
        #expect(try cli.run("cert", "export", number, "--with-name", "--out", "named.json").status == 0)
        let named = try Data(contentsOf: cli.folder.appendingPathComponent("named.json"))
        #expect(String(decoding: named, as: UTF8.self).contains(name))

        func hits(_ bytes: Data) -> [String] { secrets.filter { bytes.range(of: Data($0.utf8)) != nil } }
        for (command, text) in outputs {
            #expect(hits(Data(text.utf8)).isEmpty, "\(command) printed \(hits(Data(text.utf8))) in clear")
        }
        for file in ["c.json", "c.jwt", "b.json", "s.json", "skillbank.sqlite", "skillbank.sqlite-wal"] {
            let url = cli.folder.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let bytes = try Data(contentsOf: url)
            #expect(hits(bytes).isEmpty, "\(file) holds \(hits(bytes)) in clear")
        }
        #expect(outputs.count >= 20)
    }
}
