import ArgumentParser
import Foundation
import SkillCore
import SkillCrypto
import SkillLedger

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create and migrate the bank, load Standards, and make the registry secret.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let output = Output(json: global.json)
        do {
            let (bank, created) = try global.open()
            global.warnIfLoopback(bank)
            let s = bank.standards
            let files = s.files.map { f -> JSONValue in
                ["name": .string(f.name), "sha256": .string(Hex.encode(SHA256.hash(f.data)))]
            }
            try output.emit(
                [
                    "database": .string(bank.location), "secret_file": .string(global.configuration.secretPath), "created": .bool(created),
                    "base_url": .string(bank.baseURL),
                    "standards": .array(files), "default_framework": .string(s.defaultFramework.id),
                ]
            ) {
                var lines = [created ? "created bank \(bank.location)" : "bank \(bank.location) is already initialised; nothing changed"]
                lines.append("registry secret: \(global.configuration.secretPath) (mode 0600; back it up: without it personal data cannot be read)")
                lines.append("base URL: \(bank.baseURL) (signed into every certificate)")
                lines.append("standards: \(s.levels.count) levels, \(s.occupations.count) occupations, \(s.frameworks.count) frameworks, \(s.numberSchemes.count) number schemes")
                lines.append("courses earn credits by \(s.defaultFramework.id) (\(Int(s.defaultFramework.hoursPerCredit!.value)) hours per credit) unless they name a framework")
                return lines.joined(separator: "\n")
            }
        } catch {
            throw output.fail(error)
        }
    }
}

struct CheckCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check that the credit and subsidy ledgers reconcile (exit 1 if they do not).")
    static let readsOnly = true

    @OptionGroup var global: GlobalOptions

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let report = try bank.accounts.reconcile()
        try output.emit(report.json) {
            var lines = ["events: \(report.events)", "postings: \(report.postings)", "credits deposited: \(Credits.format(report.depositedTenths))"]
            lines.append(report.isBalanced ? "ledger reconciles" : "LEDGER DOES NOT RECONCILE")
            lines += report.problems.map { "  - \($0)" }
            return lines.joined(separator: "\n")
        }
        if !report.isBalanced { Foundation.exit(1) }
    }
}

struct EventsCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "List ledger events in order, with their canonical JSON (each log leaf is a commitment to one).")
    static let readsOnly = true

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only events after this sequence number.") var after = 0
    @Option(help: "At most this many events.") var limit = 50

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let events = try bank.log.events(after: after, limit: limit)
        // An erased person's events keep only what the columns say.
        let values = try events.map { e throws(SkillError) -> JSONValue in
            e.isErased ? ["id": .string(e.id), "type": .string(e.type), "time": .string(e.occurredAt), "actor": .string(e.actor), "erased": true]
                : try JSONParser().parse(e.canonical)
        }
        try output.emit(.array(values)) {
            Table.render(["SEQ", "EVENT", "TYPE", "TIME", "ACTOR"], events.map { [String($0.seq), $0.id, $0.type, $0.occurredAt, $0.actor] })
        }
    }
}
