import ArgumentParser
import Foundation
import SkillCore
import SkillLedger

/// How subsidy decisions read at a terminal: each rule passed or failed, and why.
enum DecisionText {
    static func render(_ d: SubsidyDecision) -> String {
        var lines = ["\(d.applies ? "ELIGIBLE" : "not eligible")  \(d.programme) for \(d.evidence)"
            + (d.amountFen.map { ", up to \(SubsidyClaim.yuan($0)) yuan" } ?? "") + (d.insuranceAsOf.map { " (insurance as of \($0))" } ?? "")]
        lines += d.checks.map { "  \($0.passed ? "✓" : "✗") \($0.rule) [\($0.status.rawValue)]: \($0.says)" }
        return lines.joined(separator: "\n")
    }

    static func claims(_ claims: [SubsidyClaim]) -> String {
        Table.render(["CLAIM", "PROGRAMME", "PERSON", "PAYEE", "EVIDENCE", "YUAN", "STATUS", "APPLIED"],
                     claims.map { [$0.id, $0.programme, $0.personID, $0.payee, $0.evidence, SubsidyClaim.yuan($0.amountFen), $0.status.rawValue, $0.appliedOn.description] })
    }
}

extension SubsidyClaimStatus: ExpressibleByArgument {}

struct InsuranceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insurance", abstract: "Unemployment-insurance figures from the social-insurance system (kept by blind index only).",
        subcommands: [Import.self])

    struct Import: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "import", abstract: "Import insurance months: id_type,id_number,months,as_of,benefit (yes/no).",
            discussion: """
                Each row replaces what an earlier import said for that ID number. The number is kept only as its blind
                index; a row for someone not registered yet waits for them. Bad rows are reported by line and column
                and nothing is written, unless --skip-bad is given.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        static let positionals: Set<String> = ["file"]
        @Flag(help: "Import the good rows and write the bad ones to the reject file.") var skipBad = false
        @Option(help: "Where rejected rows go with --skip-bad (default FILE.rejects.csv).") var rejects: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let report = try bank.subsidies.importInsurance(from: URL(fileURLWithPath: file), skipBad: skipBad)
            try ImportOutcome.emit(report, file: file, skipBad: skipBad, rejects: rejects, json: global.json, output: output)
        }
    }
}

struct SubsidyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subsidy", abstract: "Subsidies (补贴): programmes, what a worker can claim, claims, approval and payment batches.",
        subcommands: [Programmes.self, Options.self, Apply.self, Claims.self, Approve.self, Reject.self, Pay.self])

    struct Programmes: BankCommand {
        static let configuration = CommandConfiguration(commandName: "programmes", abstract: "The programmes and their rules, each with its source and status.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let programmes = bank.standards.subsidies
            try output.emit(.array(programmes.map { p in
                ["id": .string(p.id), "zh": .string(p.zh), "en": .string(p.en), "evidence": .string(p.evidence.rawValue), "payee": .string(p.payee.rawValue),
                 "status": .string(p.status.rawValue), "source": .string(p.source),
                 "rules": .array(p.rules.map { ["id": .string($0.id), "kind": .string($0.kind.rawValue), "en": .string($0.en), "status": .string($0.status.rawValue),
                                                "source": .string($0.source)] })]
            })) {
                programmes.map { p in
                    (["\(p.id)  \(p.zh) / \(p.en)  [\(p.status.rawValue)]  paid to the \(p.payee.rawValue) against a \(p.evidence.rawValue)"]
                        + p.rules.map { "  \($0.id) [\($0.status.rawValue)]: \($0.en)" }).joined(separator: "\n")
                }.joined(separator: "\n\n")
            }
        }
    }

    struct Options: BankCommand {
        static let configuration = CommandConfiguration(commandName: "options", abstract: "What a worker could claim now, rule by rule. Changes nothing.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let decisions = try bank.subsidies.options(person: person)
            try output.emit(.array(decisions.map(\.json))) {
                decisions.isEmpty ? "nothing this worker holds is covered by a subsidy programme" : decisions.map(DecisionText.render).joined(separator: "\n\n")
            }
        }
    }

    struct Apply: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply", abstract: "Apply for a subsidy: the rules decide; an eligible claim waits for approval, a refused one names its rule.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]
        @Option(help: "The programme (see subsidy programmes).") var programme: String
        @Option(help: "The certificate (or, for training subsidies, the enrolment) claimed against.") var evidence: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let claim = try bank.subsidies.apply(person: person, programme: programme, evidence: evidence)
            try output.emit(claim.json) { "\(claim.id): \(claim.programme), \(SubsidyClaim.yuan(claim.amountFen)) yuan to \(claim.payee), pending approval" }
        }
    }

    struct Claims: BankCommand {
        static let configuration = CommandConfiguration(commandName: "claims", abstract: "List claims: a worker's, or all of one status.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this worker's claims.") var person: String?
        @Option(help: "pending | approved | rejected | paid | cancelled | recovery-due") var status: SubsidyClaimStatus?
        @Option(help: "Only claims after this id.") var after: String?
        @Option(help: "At most this many.") var limit = 50

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let claims: [SubsidyClaim]
            if let person {
                claims = try bank.subsidies.claims(of: person).filter { status == nil || $0.status == status }
            } else {
                claims = try bank.subsidies.claims(status: status, after: after, limit: limit)
            }
            try output.emit(.array(claims.map(\.json))) { DecisionText.claims(claims) }
        }
    }

    struct Approve: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve", abstract: "Approve a pending claim: decided again, then posted to the subsidy ledger once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The claim id.") var claim: String
        static let positionals: Set<String> = ["claim"]
        @Option(help: "A note kept with the decision.") var reason: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let c = try bank.subsidies.approve(claim, reason: reason)
            try output.emit(c.json) { "\(c.id) approved: \(SubsidyClaim.yuan(c.amountFen)) yuan payable to \(c.payee)" }
        }
    }

    struct Reject: BankCommand {
        static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a pending claim with a reason the worker is shown.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The claim id.") var claim: String
        static let positionals: Set<String> = ["claim"]
        @Option(help: "Why (shown to the worker).") var reason: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let c = try bank.subsidies.reject(claim, reason: reason)
            try output.emit(c.json) { "\(c.id) rejected" }
        }
    }

    struct Pay: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "pay", abstract: "Put every approved claim into a new payment batch and write its CSV for the finance system.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this programme.") var programme: String?
        @Option(help: "Where the batch CSV goes (default: standard output).") var out: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let (batch, csv) = try bank.subsidies.exportBatch(programme: programme)
            if let out {
                try output.write(csv, to: out)
                try output.emit(batch.json) { "\(batch.id): \(batch.claims) claim(s), \(SubsidyClaim.yuan(batch.totalFen)) yuan → \(out) (sha256 \(batch.sha256))" }
            } else if global.json {
                var value = batch.json.objectValue!
                value["csv"] = .string(csv)
                try output.emit(.object(value)) { "" }
            } else {
                print(csv, terminator: "")
            }
        }
    }
}

struct NoticesCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "notices", abstract: "A worker's inbox (政策推送): what changed and what to do next, newest first, in Chinese and English.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: String
    static let positionals: Set<String> = ["person"]
    @Flag(help: "Only unread notices.") var unread = false
    @Flag(help: "Mark every notice read afterwards.") var markRead = false
    @Option(help: "At most this many.") var limit = 50

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let (shown, unreadCount) = try bank.notices.notices(of: person, unreadOnly: unread, limit: limit)
        let marked = markRead ? try bank.notices.markRead(person: person) : 0
        try output.emit(["unread": .int(unreadCount - marked), "notices": .array(shown.map(\.json))]) {
            var lines = ["\(unreadCount) unread" + (marked > 0 ? " (now marked read)" : "")]
            for s in shown {
                lines.append("\(s.notice.readAt == nil ? "●" : " ") \(LocalTime().text(s.notice.createdAt))  \(s.notice.kind.rawValue)  \(s.notice.id)")
                lines.append("    \(s.zh)")
                lines.append("    \(s.en)")
            }
            return lines.joined(separator: "\n")
        }
    }
}
