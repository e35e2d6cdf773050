import Foundation
import SkillCore
@testable import skillbank
import SkillTestSupport
import Testing

@Suite struct CLIFlowTests {
    static func uscc(_ first17: String) -> String { first17 + String(USCC.checkCharacter(for: first17)!) }
    static func resident(_ first17: String) -> String { first17 + String(PersonalID.residentCheckCharacter(for: first17)!) }

    @Test func demoWalksTheWholeFlow() throws {
        let cli = try CLI()
        let r = try cli.run("demo", "--dir", cli.folder.appendingPathComponent("demo").path)
        #expect(r.status == 0, "\(r.stderr)")
        for step in ["Register a training institution", "Accredit", "Publish", "Enrol", "Record completion", "record", "verdict: VALID", "reconciles"] {
            #expect(r.stdout.contains(step), "\(step)")
        }
        #expect(r.stdout.contains("8.0 credits deposited") && r.stdout.contains("eligible: 8.0 training credits"))
        let again = try cli.run("demo", "--dir", cli.folder.appendingPathComponent("demo").path)
        #expect(again.status == 65)
    }

    /// `init --base-url` fixes the address certificates carry; the default (loopback) is warned about.
    @Test func initSetsTheBaseURLAndWarnsAboutLoopback() throws {
        let cli = try CLI()
        let trial = try cli.run("init")
        #expect(trial.status == 0 && trial.stderr.contains("WARNING: this bank's base URL is http://127.0.0.1:8080, a loopback address"))
        #expect(trial.stdout.contains("base URL: http://127.0.0.1:8080"))
        let bad = try cli.run("init", "--db", "bad.sqlite", "--base-url", "ftp://skills.example")
        #expect(bad.status == 65 && bad.stderr.contains("--base-url") && bad.stderr.contains("http(s)://host"))
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("bad.sqlite").path))
        let real = try cli.run("init", "--db", "real.sqlite", "--base-url", "https://skills.example.gov.cn/")
        #expect(real.status == 0 && real.stdout.contains("base URL: https://skills.example.gov.cn (signed into every certificate)"))
        #expect(!real.stderr.contains("WARNING"))
        // The address is fixed at creation: a later flag that says otherwise is refused.
        let moved = try cli.run("init", "--db", "real.sqlite", "--base-url", "https://other.example")
        #expect(moved.status == 65 && moved.stderr.contains("this bank signs with https://skills.example.gov.cn"))
        #expect(try cli.run("init", "--db", "real.sqlite", "--base-url", "https://skills.example.gov.cn").status == 0)
    }

    @Test(arguments: CLIStore.all)
    func operatorFlowOnTheDefaultDatabase(_ store: CLIStore) throws {
        let cli = try CLI(store: store)
        let initial = try cli.run("init")
        #expect(initial.status == 0, "\(initial.stderr)")
        // A file bank keeps its secret beside it; a bank on a server, in the current folder.
        let secret = store == .sqlite ? "skillbank.sqlite.secret" : "skillbank.secret"
        if store == .sqlite {
            #expect(initial.stdout.contains("created bank skillbank.sqlite"))
            #expect(FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("skillbank.sqlite").path))
        } else {
            #expect(initial.stdout.contains("created bank postgres://"))
            #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("skillbank.sqlite").path))
        }
        let mode = try FileManager.default.attributesOfItem(atPath: cli.folder.appendingPathComponent(secret).path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try cli.run("init").stdout.contains("already initialised"))

        let ins = try cli.run("institution", "register", "--name", "广州市职业技能培训中心", "--kind", "training",
                              "--code", Self.uscc("52440100MJ1234567"), "--province", "44")
        #expect(ins.status == 0, "\(ins.stderr)")
        let insID = ins.lastLine
        #expect(insID.hasPrefix("ins_"))
        #expect(try cli.run("institution", "accredit", insID, "--occupation", "4-10-01-05", "--levels", "5,4", "--from", "2025-01-01").status == 0)
        let crs = try cli.run("course", "publish", "--institution", insID, "--title", "养老护理员（初级）", "--occupation", "4-10-01-05",
                              "--level", "5", "--hours", "48", "--framework", "cn-college", "--json")
        #expect(crs.status == 0, "\(crs.stderr)")
        let course = try #require(try crs.json() as? [String: Any])
        let crsID = try #require(course["id"] as? String)
        #expect(course["credits"] as? String == "3.0")

        let idNumber = Self.resident("44010619850615123")
        let per = try cli.run("person", "register", "--name", "陈静", "--id-type", "resident", "--id-number", idNumber)
        #expect(per.status == 0)
        let perID = per.lastLine
        #expect(!per.stdout.contains(idNumber) && !per.stderr.contains(idNumber) && !per.stderr.contains("陈静"))
        #expect(try cli.run("person", "find", "--id-number", idNumber).stdout.contains(perID))

        let enr = try cli.run("enrol", "--person", perID, "--course", crsID)
        #expect(enr.status == 0)
        let done = try cli.run("complete", enr.lastLine)
        #expect(done.status == 0 && done.stdout.contains("3.0 credits deposited"))

        let record = try cli.run("record", perID, "--json")
        let value = try #require(try record.json() as? [String: Any])
        #expect(value["training_credits"] as? String == "3.0")
        #expect((value["person"] as? [String: Any])?["name"] as? String == "陈*")
        #expect(!record.stdout.contains(idNumber))
        let human = try cli.run("record", perID)
        #expect(human.stdout.contains("养老护理员") && human.stdout.contains("Total training credits: 3.0"))
        let credits = try cli.run("credits", perID)
        #expect(credits.stdout.contains("五级/初级工") && credits.stdout.contains("3.0"))
        #expect(try cli.run("check").stdout.contains("ledger reconciles"))
        let events = try cli.run("events", "--json")
        #expect((try events.json() as? [Any])?.count == 7)
        #expect(!events.stdout.contains("陈静") && !events.stdout.contains(idNumber))
    }

    @Test(arguments: CLIStore.all)
    func errorsNameTheFieldAndExitWithTheirCode(_ store: CLIStore) throws {
        let cli = try CLI(store: store)
        let badCode = try cli.run("institution", "register", "--name", "X", "--kind", "training", "--code", "914403001922038217", "--province", "44")
        #expect(badCode.status == 65)
        #expect(badCode.stderr.contains("institution.uscc-invalid") && badCode.stderr.contains("--code"))
        let json = try cli.run("institution", "register", "--name", "X", "--kind", "training", "--code", "914403001922038217", "--province", "44", "--json")
        #expect(json.stderr.contains("\"code\": \"institution.uscc-invalid\""))

        let usage = try cli.run("institution", "register", "--name", "X")
        #expect(usage.status == 64)
        let badKind = try cli.run("institution", "register", "--name", "X", "--kind", "school", "--code", "1", "--province", "44")
        #expect(badKind.status == 64)

        #expect(try cli.run("person", "show", "per_nobody").status == 66)
        #expect(try cli.run("person", "find", "--id-number", Self.resident("11010519491231002")).status == 66)

        let ins = try cli.run("institution", "register", "--name", "Y", "--kind", "employer", "--code", "914403001922038216", "--province", "44").lastLine
        let scope = try cli.run("course", "publish", "--institution", ins, "--title", "t", "--occupation", "6-31-01-03", "--level", "4", "--hours", "10")
        #expect(scope.status == 69)
        #expect(scope.stderr.contains("ledger.out-of-accreditation-scope"))

        let date = try cli.run("institution", "accredit", ins, "--occupation", "6-31-01-03", "--levels", "4", "--from", "2025-13-01")
        #expect(date.status == 65 && date.stderr.contains("--from"))
        let occupation = try cli.run("institution", "accredit", ins, "--occupation", "6-31-01-3", "--levels", "4")
        #expect(occupation.status == 65 && occupation.stderr.contains("standards.occupation-unknown"))

        // None of the refused commands wrote anything: the registry key and one institution.
        #expect((try cli.run("events", "--json").json() as? [Any])?.count == 2)
    }

    /// A store URL that is wrong says what is wrong, and a database server that does not answer
    /// is `store.unreachable` (exit 75) naming the URL without its password.
    @Test func aWrongOrUnreachableStoreURLIsNamedWithoutItsPassword() throws {
        let cli = try CLI()
        let down = try cli.run("record", "per_X", "--store", "postgres://clerk:hunter2@127.0.0.1:1/bank")
        #expect(down.status == 75 && down.stderr.contains("store.unreachable") && down.stderr.contains("postgres://clerk@127.0.0.1:1/bank"), "\(down.stderr)")
        #expect(!down.stderr.contains("hunter2"))
        let noUser = try cli.run("record", "per_X", "--store", "postgres://127.0.0.1/bank")
        #expect(noUser.status == 64 && noUser.stderr.contains("--store") && noUser.stderr.contains("no user"))
        let tls = try cli.run("record", "per_X", "--store", "postgres://clerk@db.example/bank?sslmode=require")
        #expect(tls.status == 64 && tls.stderr.contains("sslmode"))
        // Nothing was made in the current folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.folder.path).isEmpty)
    }

    /// Reading needs no private key, so a wrong passphrase does not stop it; anything that would
    /// sign or make a key is refused with the passphrase's source named, and writes nothing.
    @Test(arguments: CLIStore.all)
    func aWrongKeyPassphraseStopsSigningNotReading(_ store: CLIStore) throws {
        let cli = try CLI(store: store)
        #expect(try cli.run("init").status == 0)
        let person = try cli.run("person", "register", "--name", "陈静", "--id-type", "resident", "--id-number", Self.resident("44010619850615123")).lastLine
        let wrong = ["SKILLBANK_KEY_PASSPHRASE": "not this bank's passphrase"]
        let record = try cli.run("record", person, environment: wrong)
        #expect(record.status == 0, "\(record.stderr)")
        #expect(record.stdout.contains("陈*"))
        #expect(try cli.run("person", "show", person, environment: wrong).status == 0)

        let events = try cli.run("events", "--json").json() as? [Any]
        let evaluator = try cli.run("institution", "register", "--name", "评价中心", "--kind", "social", "--code", Self.uscc("51440000MJ0000001"),
                                    "--province", "44", environment: wrong)
        #expect(evaluator.status == 78)
        #expect(evaluator.stderr.contains("secret.invalid") && evaluator.stderr.contains("SKILLBANK_KEY_PASSPHRASE"))
        #expect(try cli.run("log", "checkpoint", environment: wrong).status == 78)
        #expect((try cli.run("events", "--json").json() as? [Any])?.count == events?.count)
        // The right passphrase (the file beside the bank) still works.
        #expect(try cli.run("institution", "register", "--name", "评价中心", "--kind", "social", "--code", Self.uscc("51440000MJ0000001"),
                            "--province", "44").status == 0)
    }

    @Test(arguments: CLIStore.all)
    func importReportsEveryBadRowAndSkipBadWritesRejects(_ store: CLIStore) throws {
        let cli = try CLI(store: store)
        let good1 = Self.resident("44030519900101001")
        let good2 = Self.resident("44030519900101002")
        let file = try cli.write("people.csv", "name,id_type,id_number\n甲,resident,\(good1)\n乙,resident,440305199001010011\n\"丙,丁\",resident,\(good2)\n,resident,\(good2)\n")
        let strict = try cli.run("import", "people", file)
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("line 3, column id_number:"))
        #expect(strict.stderr.contains("line 5, column name: the name is empty"))
        #expect(strict.stderr.contains("nothing was imported"))
        #expect(!strict.stderr.contains("440305199001010011"))
        #expect((try cli.run("events", "--json").json() as? [Any])?.count == 1)

        let loose = try cli.run("import", "people", file, "--skip-bad", "--json")
        #expect(loose.status == 0, "\(loose.stderr)")
        let report = try #require(try loose.json() as? [String: Any])
        #expect(report["imported"] as? Int == 2)
        #expect(report["rejected"] as? Int == 2)
        let rejects = try String(contentsOfFile: file + ".rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("name,id_type,id_number,line,error"))
        #expect(rejects.contains("column id_number"))
    }

    @Test func standardsCommands() throws {
        let cli = try CLI()
        let list = try cli.run("standards", "list")
        #expect(list.status == 0 && list.stdout.contains("occupations") && list.stdout.contains("illustrative"))
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("skillbank.sqlite").path))
        #expect(try cli.run("standards", "show", "occupations").stdout.contains("6-31-01-03"))
        #expect(try cli.run("standards", "show", "nope").status == 66)
        #expect(try cli.run("standards", "validate").status == 0)

        // A broken copy names the file, the JSON path and the problem, and init refuses it.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Standards")
        let broken = cli.folder.appendingPathComponent("Broken")
        try FileManager.default.copyItem(at: source, to: broken)
        let levels = broken.appendingPathComponent("levels.json")
        let text = try String(contentsOf: levels, encoding: .utf8).replacingOccurrences(of: "\"zh\": \"技师\"", with: "\"zh\": 5")
        try text.write(to: levels, atomically: true, encoding: .utf8)
        let validate = try cli.run("standards", "validate", broken.path)
        #expect(validate.status == 65)
        #expect(validate.stderr.contains("levels.json $.rows[4].zh") && validate.stderr.contains("expected string"))
        let initBroken = try cli.run("init", "--standards", broken.path, "--db", "other.sqlite")
        #expect(initBroken.status == 65)
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("other.sqlite").path))
    }
}

@Suite struct ExitCodeTableTests {
    /// Every error code maps to a sysexits code, and each kind to the one STYLE.md fixes.
    @Test func everyCodeHasAnExitCode() {
        let expected: [SkillError.Kind: Int32] = [.usage: 64, .badData: 65, .notFound: 66, .notAllowed: 69, .unauthenticated: 69, .internal: 70, .busy: 75, .config: 78]
        #expect(Set(SkillError.Code.all.map(\.rawValue)).count == SkillError.Code.all.count)
        for code in SkillError.Code.all {
            #expect(ExitCodes.code(for: code) == expected[code.kind], "\(code)")
        }
        #expect(Set(SkillError.Kind.allCases) == Set(expected.keys))
    }
}
