import ArgumentParser
import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillStoreSQLite

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a bank in a folder and walk register → accredit → publish → enrol → complete → record → assess → certify → verify.")

    @Option(help: "Folder for the demo bank (default: a new temporary folder).") var dir: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let output = Output(json: global.json)
        do {
            let folder = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("skillbank-demo-\(UUID().uuidString.prefix(8))").path
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let db = (folder as NSString).appendingPathComponent("skillbank.sqlite")
            guard !FileManager.default.fileExists(atPath: db) else {
                throw SkillError(.invalidField, "the folder already holds a bank; name an empty folder", field: "--dir")
            }
            let config = Bank.Configuration(besideDatabase: db, standardsDirectory: global.configuration.standardsDirectory)
            let (bank, _) = try Bank.open(try SQLiteStore(path: db), configuration: config)
            var steps: [JSONValue] = []
            func step(_ title: String, _ command: String, _ result: String, _ value: JSONValue) {
                steps.append(["step": .string(title), "command": .string(command), "result": value])
                if !global.json { print("\n== \(title)\n$ \(command)\n\(result)") }
            }
            if !global.json { print("demo bank: \(db)") }

            let school = try bank.registration.registerInstitution(.init(
                name: "深圳市南山区职业技能培训学校（示例）", kind: .training, code: Self.uscc("91440300MA5F8R2K1"), province: "44"))
            step("Register a training institution", "skillbank institution register --name \(school.name) --kind training --code \(school.code) --province 44",
                 school.id, school.json)

            let scope = try bank.registration.accredit(school.id, occupation: "6-31-01-03", levels: [5, 4, 3])
            step("Accredit it for 电工 (6-31-01-03) at levels 5, 4, 3", "skillbank institution accredit \(school.id) --occupation 6-31-01-03 --levels 5,4,3",
                 "\(scope.id) valid from \(scope.validFrom)", scope.json)

            let course = try bank.training.publishCourse(.init(
                institutionID: school.id, title: "低压电工作业（中级）", occupation: "6-31-01-03", level: 4, hours: 80, capacity: 30))
            step("Publish an 80-hour course at level 4 (中级工)",
                 "skillbank course publish --institution \(school.id) --title 低压电工作业（中级） --occupation 6-31-01-03 --level 4 --hours 80 --capacity 30",
                 "\(course.id): 80 h → \(Credits.format(course.creditTenths)) credits by \(course.framework)", course.json)

            let idNumber = Self.residentID("44030519900307123")
            let worker = try bank.registration.registerPerson(name: "李明", idType: .resident, idNumber: idNumber)
            step("Register a worker (name and ID number are stored encrypted, shown masked)",
                 "skillbank person register --name 李明 --id-type resident --id-number \(PersonalID.mask(idNumber))",
                 "\(worker.id)  \(worker.maskedName)  \(worker.maskedIDNumber)", worker.json)

            let enrolment = try bank.training.enrol(person: worker.id, course: course.id)
            step("Enrol the worker", "skillbank enrol --person \(worker.id) --course \(course.id)", enrolment.id, enrolment.json)

            let (done, credited) = try bank.training.close(enrolment: enrolment.id, as: .completed)
            step("Record completion: credits are deposited in one transaction with the event",
                 "skillbank complete \(enrolment.id)", "\(done.status.rawValue); \(Credits.format(credited)) credits deposited", done.json)

            let record = try bank.accounts.record(of: worker.id)
            step("The worker's record (个人培训电子档案)", "skillbank record \(worker.id)",
                 "\(record.training.count) course(s), \(Credits.format(record.trainingTenths)) training credits in "
                    + record.balances.map { "\($0.account.occupation) level \($0.account.level): \(Credits.format($0.tenths))" }.joined(separator: ", "),
                 record.json)

            let evaluator = try bank.registration.registerInstitution(.init(
                name: "广东省电工职业技能评价中心（示例）", kind: .social, code: Self.uscc("51440000MJ0000001"), province: "44",
                evaluatorCode: "0012", siteSequence: "000007"))
            _ = try bank.registration.accredit(evaluator.id, occupation: "6-31-01-03", levels: [5, 4, 3])
            step("Register a social evaluator (S); it gets an Ed25519 key, and accredit it for 电工 levels 5–3",
                 "skillbank institution register --name \(evaluator.name) --kind social --code \(evaluator.code) --province 44 --evaluator-code 0012 --site 000007",
                 "\(evaluator.id) signs as \(evaluator.currentKey?.did ?? "-")", evaluator.json)

            let assessment = try bank.issuance.scheduleAssessment(institution: evaluator.id, occupation: "6-31-01-03", level: 4)
            let eligibility = try bank.conversions.pathway(person: worker.id, occupation: "6-31-01-03", level: 4).outcomes
            step("The 8.0 training credits make the worker eligible to sit level 4 (rule \(eligibility.first?.rule.id ?? "-"))",
                 "skillbank pathway \(worker.id) --occupation 6-31-01-03 --level 4",
                 eligibility.map { ($0.applies ? "eligible: " : "not yet: ") + ($0.applies ? $0.because : $0.missing).joined(separator: "; ") }.joined(separator: "\n"),
                 .array(eligibility.map(\.json)))
            try bank.issuance.enrolCandidate(assessment: assessment.id, person: worker.id)
            let outcome = try bank.issuance.recordResult(assessment: assessment.id, person: worker.id, theory: 78, practical: 85)
            let certificate = outcome.certificates[0]
            step("Assess the worker; the pass issues a signed 职业技能等级证书 in the same transaction",
                 "skillbank assessment result \(assessment.id) --person \(worker.id) --theory 78 --practical 85",
                 "certificate \(certificate.id) number \(certificate.number)", outcome.json)

            let verifier = CredentialVerifier(trustList: try bank.registration.trustList(), statusLists: try bank.certificates.allStatusLists())
            let report = verifier.verify(text: try bank.certificates.export(certificate.id, format: .vc))
            step("Verify the certificate offline from its file, the trust list and the status lists",
                 "skillbank verify cert.json --trust-list trust.json --status-list revocation.json --status-list suspension.json",
                 "verdict: \(report.isValid ? "VALID" : "INVALID") (\(report.checks.count) checks)", report.json)

            let check = try bank.accounts.reconcile()
            step("Check that the ledger reconciles", "skillbank check", check.isBalanced ? "ledger reconciles (\(check.events) events, \(check.postings) posting)" : check.problems.joined(separator: "; "), check.json)

            if global.json {
                let summary: JSONValue = ["database": .string(db), "steps": .array(steps)]
                print(try summary.prettyString())
            } else {
                print("\nTry it yourself: skillbank record \(worker.id) --db \(db)")
            }
        } catch let error as SkillError {
            throw output.fail(error)
        }
    }

    /// A fictional but well-formed 统一社会信用代码 (the check character computed, GB 32100).
    static func uscc(_ first17: String) -> String { first17 + String(USCC.checkCharacter(for: first17) ?? "0") }

    /// A fictional but well-formed resident ID number (check character per GB 11643).
    static func residentID(_ first17: String) -> String { first17 + String(PersonalID.residentCheckCharacter(for: first17) ?? "0") }
}
