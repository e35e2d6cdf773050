import ArgumentParser
import Foundation
import SkillCore
import SkillLedger

/// How outcomes read at a terminal: applies or not, why, what is missing.
enum OutcomeText {
    static func render(_ outcomes: [RuleOutcome]) -> String {
        if outcomes.isEmpty { return "no rule applies to this target" }
        return outcomes.map { o in
            var lines = ["\(o.applies ? "APPLIES" : "does not apply")  \(o.rule.id) v\(o.rule.version) [\(o.rule.family.rawValue), \(o.rule.status.rawValue)]\(o.target.map { "  (\($0))" } ?? "")",
                         "  \(o.rule.name)"]
            lines += o.because.map { "  ✓ \($0)" }
            lines += o.missing.map { "  ✗ missing: \($0)" }
            lines += o.grants.map { "  → would post \(Credits.format($0.tenths)) to \($0.programme) from \($0.evidence)\($0.replaces.map { " (replacing \($0))" } ?? "")" }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Preview and apply credit conversions (资历架构).", subcommands: [Preview.self, Apply.self])

    struct Preview: BankCommand {
        static let configuration = CommandConfiguration(commandName: "preview", abstract: "What every rule (or one) says about a worker: applies or not, why, what is missing. Changes nothing.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]
        @Option(help: "Only this rule.") var rule: String?
        @Flag(help: "Show only the rules that apply.") var applicable = false

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let outcomes = try bank.conversions.preview(person: person, rule: rule).filter { !applicable || $0.applies }
            try output.emit(.array(outcomes.map(\.json))) { OutcomeText.render(outcomes) }
        }
    }

    struct Apply: BankCommand {
        static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply a posting rule: credits are posted once, with the rule id, version and evidence.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]
        @Option(help: "The rule id (see skillbank rules list).") var rule: String
        @Option(help: "The programme, to be explicit (must be the rule's).") var programme: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let made = try bank.conversions.apply(person: person, rule: rule, programme: programme)
            try output.emit(.array(made.map(\.json))) {
                made.map { "\($0.id): \(Credits.format($0.tenths)) credits into \($0.programme) from \($0.evidence) (rule \($0.ruleID) v\($0.ruleVersion))" }
                    .joined(separator: "\n")
            }
        }
    }
}

struct PathwayCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathway", abstract: "What a worker holds toward sitting a level of an occupation, and what is missing.")
    static let readsOnly = true
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: String
    static let positionals: Set<String> = ["person"]
    @Option(help: "The occupation code.") var occupation: String
    @Option(help: "The target five-level code.") var level: Int

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let (outcomes, record) = try bank.conversions.pathway(person: person, occupation: occupation, level: level)
        let credits = record.balances.filter { $0.kind == "training" && $0.scope == occupation }
        let certificates = record.certificates.filter { $0.occupation == occupation }
        try output.emit([
            "target": .string("\(occupation) level \(level)"),
            "eligible": .bool(outcomes.isEmpty || outcomes.contains(where: \.applies)),
            "holds": [
                "credits": .array(credits.map { ["level": .int($0.level), "credits": .string(Credits.format($0.tenths))] }),
                "certificates": .array(certificates.map { ["number": .string($0.number), "level": .optional($0.level), "issued": .string($0.issuedOn.description)] }),
            ],
            "rules": .array(outcomes.map(\.json)),
        ]) {
            let name = bank.standards.occupation(occupation)?.zh ?? ""
            let target = bank.standards.level(code: level)?.display ?? String(level)
            var lines = ["Toward \(occupation) \(name) \(target):", "Holds:"]
            lines += credits.isEmpty ? ["  no training credits in \(occupation)"] : credits.map { "  \(Credits.format($0.tenths)) training credits at level \($0.level)" }
            lines += certificates.map { "  certificate \($0.number) level \($0.level.map(String.init) ?? "-") since \($0.issuedOn)" }
            lines.append(outcomes.isEmpty ? "No eligibility rule governs this level: open to all." : (outcomes.contains(where: \.applies) ? "ELIGIBLE" : "NOT YET ELIGIBLE"))
            lines.append(OutcomeText.render(outcomes))
            return lines.joined(separator: "\n")
        }
    }
}

struct StatementCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement", abstract: "The worker's learning-account statement as a registry-signed credential (skillbank verify accepts it).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: String
    static let positionals: Set<String> = ["person"]
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let text = try bank.accounts.statement(of: person).prettyString()
        try output.write(text, to: out)
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "The conversion rules and programmes.", subcommands: [List.self, Show.self])

    struct List: BankCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the conversion rules.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let rules = bank.standards.conversion.rules
            try output.emit(.array(rules.map(\.json))) {
                Table.render(["ID", "VERSION", "FAMILY", "STATUS", "NAME"], rules.map { [$0.id, String($0.version), $0.family.rawValue, $0.status.rawValue, $0.name] })
                    + "\n\nProgrammes:\n" + Table.render(["ID", "CREDITS", "CAP", "ONLINE CAP", "MAX QUALIFICATIONS", "NAME"], bank.standards.conversion.programmes.map {
                        [$0.id, String($0.totalCredits), $0.capPercent.map { "\($0)%" } ?? "-", $0.onlineCapPercent.map { "\($0)%" } ?? "-",
                         $0.maxQualifications.map(String.init) ?? "-", $0.name]
                    })
            }
        }
    }

    struct Show: BankCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one rule with its source.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule id.") var rule: String
        static let positionals: Set<String> = ["rule"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            guard let r = bank.standards.conversion.rule(rule) else { throw SkillError(.ruleNotFound, "no conversion rule '\(rule.prefix(40))'") }
            try output.emit(r.json) { (try? r.json.prettyString()) ?? r.id }
        }
    }
}
