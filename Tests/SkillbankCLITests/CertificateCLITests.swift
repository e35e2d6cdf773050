import Foundation
import SkillCore
import Testing

@Suite struct CertificateCLITests {
    @Test func issueExportVerifyRevokeAsAUserWould() throws {
        let cli = try CLI()
        let evaluator = try cli.run("institution", "register", "--name", "广东省电工评价中心", "--kind", "social", "--code",
                                    CLIFlowTests.uscc("51440000MJ0000009"), "--province", "44", "--evaluator-code", "0012", "--site", "000007").lastLine
        #expect(try cli.run("institution", "accredit", evaluator, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2025-01-01").status == 0)
        let idNumber = CLIFlowTests.resident("44030519900307123")
        let person = try cli.run("person", "register", "--name", "李明", "--id-type", "resident", "--id-number", idNumber).lastLine
        let assessment = try cli.run("assessment", "schedule", "--institution", evaluator, "--occupation", "6-31-01-03", "--level", "4").lastLine
        #expect(assessment.hasPrefix("asm_"))
        let refused = try cli.run("assessment", "enrol", assessment, "--person", person)
        #expect(refused.status == 69 && refused.stderr.contains("8.0 more credits in 6-31-01-03 电工 at level 4"))
        #expect(try cli.run("assessment", "enrol", assessment, "--person", person, "--override", "worked 5 years as an electrician").status == 0)
        let result = try cli.run("assessment", "result", assessment, "--person", person, "--theory", "78", "--practical", "85", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let certs = try #require((try result.json() as? [String: Any])?["certificates"] as? [[String: Any]])
        let number = try #require(certs.first?["number"] as? String)
        #expect(number.hasPrefix("S001244000007") && number.count == 22)

        #expect(try cli.run("cert", "export", number, "--out", "cert.json").status == 0)
        #expect(try cli.run("cert", "export", number, "--format", "jwt", "--out", "cert.jwt").status == 0)
        try cli.run("trust-list", "export").stdout.write(toFile: cli.folder.appendingPathComponent("trust.json").path, atomically: true, encoding: .utf8)
        try cli.run("status-list", "export", evaluator).stdout.write(toFile: cli.folder.appendingPathComponent("status.json").path, atomically: true, encoding: .utf8)
        let files = ["--trust-list", "trust.json", "--status-list", "status.json"]
        let cert = try String(contentsOf: cli.folder.appendingPathComponent("cert.json"), encoding: .utf8)
        #expect(!cert.contains("李明") && !cert.contains(idNumber))

        // Offline, with only files: the database is moved away first.
        try FileManager.default.moveItem(at: cli.folder.appendingPathComponent("skillbank.sqlite"), to: cli.folder.appendingPathComponent("elsewhere.sqlite"))
        let valid = try cli.run(["verify", "cert.json"] + files)
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        #expect(valid.stdout.contains("verdict: VALID"))
        #expect(try cli.run(["verify", "cert.jwt"] + files).status == 0)
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("skillbank.sqlite").path))
        try FileManager.default.moveItem(at: cli.folder.appendingPathComponent("elsewhere.sqlite"), to: cli.folder.appendingPathComponent("skillbank.sqlite"))

        let tampered = cert.replacingOccurrences(of: "四级/中级工", with: "一级/高级技师")
        _ = try cli.write("tampered.json", tampered)
        let bad = try cli.run(["verify", "tampered.json", "--json"] + files)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\"proof-invalid\""))
        #expect(try cli.run(["verify", "missing.json"] + files).status == 66)

        // The national-style look-up: number + name, and nothing for a wrong name.
        let found = try cli.run("cert", "lookup", "--number", number, "--name", "李明", "--json")
        #expect(found.status == 0 && found.stdout.contains("广东省电工评价中心") && found.stdout.contains("\"status\": \"active\""))
        #expect(try cli.run("cert", "lookup", "--number", number, "--id-number", idNumber).status == 0)
        let wrong = try cli.run("cert", "lookup", "--number", number, "--name", "王五")
        #expect(wrong.status == 66 && !wrong.stderr.contains("李"))

        // Bulk revoke: one good number, one unknown.
        let list = try cli.write("revoke.txt", "\(number)\nS001244000007269999999\n")
        let bulk = try cli.run("cert", "revoke", "--bulk", list, "--reason", "audit")
        #expect(bulk.status == 65 && bulk.stdout.contains("revoked 1 certificate"))
        try cli.run("status-list", "export", evaluator).stdout.write(toFile: cli.folder.appendingPathComponent("status.json").path, atomically: true, encoding: .utf8)
        let revoked = try cli.run(["verify", "cert.json"] + files)
        #expect(revoked.status == 1 && revoked.stdout.contains("[FAIL] status (revoked): revoked"))
        #expect(try cli.run("record", person).stdout.contains("revoked"))

        let rotated = try cli.run("institution", "rotate-key", evaluator)
        #expect(rotated.status == 0 && rotated.stdout.contains("did:key:z6Mk"))
        #expect(try cli.run("institution", "show", evaluator).stdout.contains("(current)"))
    }

    @Test func importResultsIssuesForPassesAndReportsBadRows() throws {
        let cli = try CLI()
        let evaluator = try cli.run("institution", "register", "--name", "养老护理评价中心", "--kind", "employer", "--code",
                                    CLIFlowTests.uscc("91440300MA5F8R555"), "--province", "44").lastLine
        _ = try cli.run("institution", "accredit", evaluator, "--occupation", "4-10-01-05", "--levels", "5,4", "--from", "2025-01-01")
        let a = try cli.run("assessment", "schedule", "--institution", evaluator, "--occupation", "4-10-01-05", "--level", "5").lastLine
        var people: [String] = []
        for n in 1...3 {
            let p = try cli.run("person", "register", "--name", "工人\(n)", "--id-type", "passport", "--id-number", "E1234567\(n)").lastLine
            _ = try cli.run("assessment", "enrol", a, "--person", p, "--override", "test fixture")
            people.append(p)
        }
        let csv = try cli.write("results.csv", "person,theory,practical\n\(people[0]),80,90\n\(people[1]),40,90\n\(people[2]),80,abc\n")
        let strict = try cli.run("assessment", "import-results", a, csv)
        #expect(strict.status == 65 && strict.stderr.contains("line 4, column practical"))
        let loose = try cli.run("assessment", "import-results", a, csv, "--skip-bad", "--json")
        #expect(loose.status == 0)
        let report = try #require(try loose.json() as? [String: Any])
        #expect(report["certificates_issued"] as? Int == 1 && report["imported"] as? Int == 2)
        // An employer evaluator's numbers start with Y.
        #expect(try cli.run("record", people[0]).stdout.contains("Y000044000001"))
    }
}
