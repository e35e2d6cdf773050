import Foundation
import SkillCore
import Testing

/// The log as anyone can read it links no two events of one person: 1,000 workers with about
/// ten events each, their public entries checked by `Tools/linkability-check.py`, which must
/// find the links in the events themselves (its control) and none in the entries.
@Suite struct LinkabilityCLITests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/linkability-check.py").path

    func python(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = folder
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func publicEntriesOfTenThousandEventsLinkNobody() throws {
        let cli = try CLI()
        #expect(try cli.run("init").status == 0)
        let school = try cli.run("institution", "register", "--name", "学校", "--kind", "training", "--code", CLIFlowTests.uscc("52440300MJ0000003"),
                                 "--province", "44").lastLine
        #expect(try cli.run("institution", "accredit", school, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2020-01-01").status == 0)
        var courses: [String] = []
        for level in [5, 4, 3, 5, 4] {
            courses.append(try cli.run("course", "publish", "--institution", school, "--title", "课程\(courses.count)", "--occupation", "6-31-01-03",
                                       "--level", String(level), "--hours", "16").lastLine)
        }
        let numbers = (0..<1_000).map { n -> String in
            let first17 = "44030519900" + String(format: "%03d%03d", n / 1000 + 101, n % 1000)
            return first17 + String(PersonalID.residentCheckCharacter(for: first17)!)
        }
        _ = try cli.write("people.csv", "name,id_type,id_number\n" + numbers.enumerated().map { "工人\($0.offset),resident,\($0.element)" }.joined(separator: "\n"))
        #expect(try cli.run("import", "people", "people.csv").status == 0)
        let events = try JSONSerialization.jsonObject(with: Data(try cli.run("events", "--json", "--limit", "5000").stdout.utf8)) as! [[String: Any]]
        let people = events.compactMap { $0["type"] as? String == "person.registered" ? ($0["subjects"] as? [String: Any])?["person"] as? String : nil }
        #expect(people.count == 1_000)
        _ = try cli.write("enrol.csv", "person,course\n" + people.flatMap { p in courses.map { "\(p),\($0)" } }.joined(separator: "\n"))
        #expect(try cli.run("import", "enrolments", "enrol.csv").status == 0)
        let all = try JSONSerialization.jsonObject(with: Data(try cli.run("events", "--json", "--limit", "20000").stdout.utf8)) as! [[String: Any]]
        let enrolments = all.compactMap { $0["type"] as? String == "enrolment.created" ? ($0["subjects"] as? [String: Any])?["enrolment"] as? String : nil }
        _ = try cli.write("complete.csv", "enrolment,outcome\n" + enrolments.map { "\($0),completed" }.joined(separator: "\n"))
        #expect(try cli.run("import", "completions", "complete.csv").status == 0)

        let entries = try cli.run("log", "entries")
        #expect(entries.status == 0)
        _ = try cli.write("entries.jsonl", entries.stdout)
        _ = try cli.write("events.json", try cli.run("events", "--json", "--limit", "20000").stdout)
        #expect(entries.stdout.split(separator: "\n").count >= 11_000)
        let clean = try python([Self.script, "entries.jsonl", "events.json"], in: cli.folder)
        #expect(clean.status == 0 && clean.output.contains("1000 people") && clean.output.contains(": 0 link(s)"), "\(clean.output)")
        let control = try python([Self.script, "entries.jsonl", "events.json", "--control"], in: cli.folder)
        #expect(control.status == 1, "the check must see links in the events themselves: \(control.output)")
        // Whole ids: four letters like `per_` turn up in random base64 about once in 35 runs of 11,000 entries.
        #expect(!entries.stdout.contains(/(per|enr)_[0-9A-HJKMNP-TV-Z]{26}/))
        #expect(people.allSatisfy { $0.contains(/^per_[0-9A-HJKMNP-TV-Z]{26}$/) }, "the pattern must match the ids it looks for")

        // The same log as static tiles: every tile recomputes, and none names anyone.
        #expect(try cli.run("log", "export-tiles", "tiles").status == 0)
        let checked = try cli.run("log", "check-tiles", "tiles", "--key", try cli.run("log", "key").lastLine, "--json")
        let report = try #require(try checked.json() as? [String: Any])
        #expect((report["entry_bundles"] as? Int ?? 0) >= 43 && report["entry_bundles_unpublished"] as? Int == 0)
        for file in FileManager.default.enumerator(atPath: cli.folder.appendingPathComponent("tiles").path)!.compactMap({ $0 as? String }) {
            let text = String(decoding: FileManager.default.contents(atPath: cli.folder.appendingPathComponent("tiles/\(file)").path) ?? Data(), as: UTF8.self)
            #expect(!text.contains(/(per|enr)_[0-9A-HJKMNP-TV-Z]{26}/) && !text.contains("工人"), "\(file)")
        }
    }
}
