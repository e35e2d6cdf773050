import ArgumentParser
import SkillCore
import SkillLedger

struct CreditsCommand: BankCommand {
    static let configuration = CommandConfiguration(commandName: "credits", abstract: "A worker's credit balances by account.")
    static let readsOnly = true
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: String

    func run(on ledger: Ledger, output: Output) throws(SkillError) {
        _ = try ledger.person(person)
        let balances = try ledger.balances(of: person)
        try output.emit(.array(balances.map(\.json))) { Self.table(balances, ledger.standards) }
    }

    static func table(_ balances: [AccountBalance], _ standards: Standards) -> String {
        if balances.isEmpty { return "no credits yet" }
        return Table.render(["ACCOUNT", "OCCUPATION", "LEVEL", "BALANCE"], balances.map {
            [$0.account.kind, "\($0.account.occupation) \(standards.occupation($0.account.occupation)?.zh ?? "")",
             standards.level(code: $0.account.level)?.display ?? String($0.account.level), Credits.format($0.tenths)]
        })
    }
}

struct RecordCommand: BankCommand {
    static let configuration = CommandConfiguration(commandName: "record", abstract: "A worker's whole record (个人培训电子档案).")
    static let readsOnly = true
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: String

    func run(on ledger: Ledger, output: Output) throws(SkillError) {
        let r = try ledger.record(of: person)
        try output.emit(r.json) {
            var lines = [PersonCommand.describe(r.person), "", "Training"]
            if r.training.isEmpty {
                lines.append("  none yet")
            } else {
                lines.append(Table.render(["  ENROLMENT", "STATUS", "CREDITED", "OCCUPATION", "LEVEL", "HOURS", "INSTITUTION", "COURSE"], r.training.map {
                    ["  " + $0.enrolment.id, $0.enrolment.status.rawValue, Credits.format($0.creditedTenths), "\($0.occupation) \($0.occupationName)",
                     String($0.level), String($0.hours), $0.institutionName, $0.courseTitle]
                }))
            }
            lines += ["", "Credits", CreditsCommand.table(r.balances, ledger.standards), "", "Total training credits: \(Credits.format(r.trainingTenths))"]
            if !r.conversions.isEmpty {
                lines += ["", "Conversions"]
                lines.append(Table.render(["  CONVERSION", "RULE", "PROGRAMME", "CREDITS", "FROM", "STATUS"], r.conversions.map {
                    ["  " + $0.id, "\($0.ruleID) v\($0.ruleVersion)", $0.programme, Credits.format($0.tenths), $0.evidence,
                     $0.isActive ? "active" : "reversed: \($0.reversalReason ?? "")"]
                }))
            }
            lines += ["", "Certificates"]
            if r.certificates.isEmpty {
                lines.append("  none yet")
            } else {
                lines.append(Table.render(["  NUMBER", "KIND", "OCCUPATION", "LEVEL", "ISSUED", "STATUS"], r.certificates.map {
                    ["  " + $0.number, $0.kind, "\($0.occupation) \(ledger.standards.occupation($0.occupation)?.zh ?? "")",
                     $0.level.flatMap { ledger.standards.level(code: $0)?.display } ?? "-", $0.issuedAt, $0.status]
                }))
            }
            return lines.joined(separator: "\n")
        }
    }
}
