import ArgumentParser
import SkillCore
import SkillLedger

struct CreditsCommand: BankCommand {
    static let configuration = CommandConfiguration(commandName: "credits", abstract: "A worker's credit balances by account.")
    static let readsOnly = true
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: String
    static let positionals: Set<String> = ["person"]

    func run(on bank: Bank, output: Output) throws(SkillError) {
        _ = try bank.registration.person(person)
        let balances = try bank.accounts.balances(of: person)
        try output.emit(.array(balances.map(\.json))) { Self.table(balances, bank.standards) }
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
    static let positionals: Set<String> = ["person"]

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let r = try bank.accounts.record(of: person)
        try output.emit(r.json) {
            var lines = [PersonCommand.describe(r.person), "", "Training"]
            if r.training.isEmpty {
                lines.append("  none yet")
            } else {
                lines.append(Table.render(["  ENROLMENT", "STATUS", "CREDITED", "OCCUPATION", "LEVEL", "HOURS", "INSTITUTION", "COURSE"], r.training.map { t in
                    let c = t.course
                    return ["  " + t.enrolment.id, t.enrolment.status.rawValue, Credits.format(t.creditedTenths), "\(c.occupation) \(r.occupationName(c.occupation))",
                            String(c.level), String(c.hours), t.institutionName, c.title]
                }))
            }
            lines += ["", "Credits", CreditsCommand.table(r.balances, bank.standards), "", "Total training credits: \(Credits.format(r.trainingTenths))"]
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
                    ["  " + $0.number, $0.kind, "\($0.occupation) \(bank.standards.occupation($0.occupation)?.zh ?? "")",
                     $0.level.flatMap { bank.standards.level(code: $0)?.display } ?? "-", LocalTime().day($0.issuedAt)?.zh ?? $0.issuedAt, $0.status.rawValue]
                }))
            }
            return lines.joined(separator: "\n")
        }
    }
}
