import ArgumentParser
import SkillCore
import SkillLedger

extension InstitutionKind: ExpressibleByArgument {}

struct InstitutionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institution", abstract: "Register institutions and their accreditation scopes.",
        subcommands: [Register.self, Accredit.self, List.self, Show.self, Suspend.self, Reinstate.self, RotateKey.self])

    struct Register: BankCommand {
        static let configuration = CommandConfiguration(commandName: "register", abstract: "Register (备案) an institution; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The registered name.") var name: String
        @Option(help: "training | employer (Y) | social (S) | international.") var kind: InstitutionKind
        @Option(help: "统一社会信用代码 (18 characters); an international body's own registration code.") var code: String
        @Option(help: "Province code, e.g. 44 (广东); optional for international bodies.") var province: String?
        @Option(help: "评价机构代码 for certificate numbers: 4 digits, 0000 when filed with a province.") var evaluatorCode = "0000"
        @Option(help: "机构(站点)序列码 for certificate numbers: 6 digits assigned by the province.") var site = "000001"

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let i = try bank.registration.registerInstitution(.init(
                name: name, kind: kind, code: code, province: province, evaluatorCode: evaluatorCode, siteSequence: site))
            Terminal.note("registered \(i.kind.rawValue) institution \(i.name)")
            try output.emit(i.json) { i.id }
        }
    }

    struct Accredit: BankCommand {
        static let configuration = CommandConfiguration(commandName: "accredit", abstract: "Add an accreditation scope: an occupation, levels, and dates.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The institution id (ins_…).") var institution: String
        static let positionals: Set<String> = ["institution"]
        @Option(help: "Occupation code from the 2022 大典, e.g. 6-31-01-03.") var occupation: String
        @Option(help: "Five-level codes, comma-separated: 5 = 初级工 … 1 = 高级技师.") var levels: String
        @Option(help: "First valid day, YYYY-MM-DD (default today).") var from: String?
        @Option(help: "Last valid day, YYYY-MM-DD (default open-ended).") var until: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            var codes: [Int] = []
            for part in levels.split(separator: ",") {
                guard let n = Int(part.trimmingSpaces) else {
                    throw SkillError(.invalidField, "levels must be numbers like 5,4,3; got '\(part.prefix(10))'", field: "--levels")
                }
                codes.append(n)
            }
            let start = try from.map { t throws(SkillError) in try CalendarDate.parse(t, field: "--from") }
            let end = try until.map { t throws(SkillError) in try CalendarDate.parse(t, field: "--until") }
            let scope = try bank.registration.accredit(institution, occupation: occupation, levels: codes, from: start, until: end)
            try output.emit(scope.json) {
                "\(scope.id): \(scope.occupation) levels \(scope.levels.map(String.init).joined(separator: ",")) from \(scope.validFrom) until \(scope.validUntil?.description ?? "further notice")"
            }
        }
    }

    struct List: BankCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List institutions.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let all = try bank.registration.institutions()
            try output.emit(.array(all.map(\.json))) {
                Table.render(["ID", "KIND", "STATUS", "PROVINCE", "CODE", "SCOPES", "NAME"], all.map {
                    [$0.id, $0.kind.rawValue, $0.isSuspended ? "suspended" : "active", $0.province ?? "-", $0.code,
                     String($0.accreditations.count), $0.name]
                })
            }
        }
    }

    struct Show: BankCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an institution and its accreditation scopes.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The institution id.") var institution: String
        static let positionals: Set<String> = ["institution"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let i = try bank.registration.institution(institution)
            try output.emit(i.json) { Self.describe(i, bank.standards) }
        }

        static func describe(_ i: Institution, _ standards: Standards) -> String {
            var lines = [
                "\(i.id)  \(i.name)", "kind: \(i.kind.rawValue)   status: \(i.isSuspended ? "suspended" : "active")   province: \(i.province ?? "-")",
                "code: \(i.code)   registered: \(LocalTime().text(i.registeredAt))", "accreditation scopes:",
            ]
            if i.accreditations.isEmpty { lines.append("  (none: it may not train or certify yet)") }
            lines.append(Table.render(["  SCOPE", "OCCUPATION", "LEVELS", "FROM", "UNTIL"], i.accreditations.map {
                ["  " + $0.id, "\($0.occupation) \(standards.occupation($0.occupation)?.zh ?? "")",
                 $0.levels.map(String.init).joined(separator: ","), $0.validFrom.description, $0.validUntil?.description ?? "-"]
            }))
            if !i.keys.isEmpty {
                lines.append("keys:")
                lines += i.keys.map { "  \($0.did)  from \($0.validFrom)\($0.validUntil.map { " until " + $0 } ?? " (current)")" }
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Suspend: BankCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Suspend an institution: it can no longer publish, enrol or record results.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The institution id.") var institution: String
        static let positionals: Set<String> = ["institution"]
        @Option(help: "Why (kept in the event).") var reason: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let i = try bank.registration.setInstitutionSuspended(institution, true, reason: reason)
            try output.emit(i.json) { "\(i.id) suspended" }
        }
    }

    struct RotateKey: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key", abstract: "Give an issuing institution a new key; the old one stays in the history so what it signed still verifies.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The institution id.") var institution: String
        static let positionals: Set<String> = ["institution"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let key = try bank.registration.rotateKey(of: institution)
            try output.emit(key.json) { "\(institution) now signs with \(key.did)" }
        }
    }

    struct Reinstate: BankCommand {
        static let configuration = CommandConfiguration(commandName: "reinstate", abstract: "Reinstate a suspended institution.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The institution id.") var institution: String
        static let positionals: Set<String> = ["institution"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let i = try bank.registration.setInstitutionSuspended(institution, false)
            try output.emit(i.json) { "\(i.id) active" }
        }
    }
}
