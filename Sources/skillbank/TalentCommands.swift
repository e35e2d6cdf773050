import ArgumentParser
import Foundation
import SkillCore
import SkillLedger

/// How candidates read at a terminal: the handle, the masked name, the fit and why.
enum CandidateText {
    static func render(_ candidates: [TalentPool.Candidate]) -> String {
        if candidates.isEmpty { return "no consenting worker matches" }
        return candidates.map { c in
            var lines = ["\(c.fit.score)  \(c.maskedName)  \(c.district ?? "-")  \(c.handle)"]
            lines += c.fit.because.map { "  ✓ \($0)" } + c.fit.against.map { "  ✗ \($0)" }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

struct TalentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "talent", abstract: "The talent pool (人才储备) and job recommendation (就业推荐), by the worker's consent.",
        subcommands: [OptIn.self, OptOut.self, Post.self, Close.self, Search.self, Candidates.self, Recommend.self, Contact.self, Answer.self,
                      Disclosures.self])

    struct OptIn: BankCommand {
        static let configuration = CommandConfiguration(commandName: "opt-in", abstract: "A worker consents to be found, choosing what is shown (again: change it).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]
        @Option(help: "Certificates shown, comma-separated ids or numbers (default: every active one).") var certificates: String?
        @Option(help: "The district the worker lives in.") var district: String?
        @Option(help: "Districts they are willing to work in, comma-separated.") var areas: String?
        @Option(help: "A contact channel shared only when they accept a request (kept sealed).") var contact: String?
        @Flag(help: "Do not share certificate bundles on acceptance.") var noBundles = false

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let split = { (s: String?) in s?.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty } }
            let profile = try bank.talent.optIn(person: person, .init(certificates: split(certificates), district: district, areas: split(areas) ?? [],
                                                                       contact: contact, sharesBundles: !noBundles))
            try output.emit(profile.json) { "\(person) is in the talent pool, showing \(profile.certificates.count) certificate(s)" }
        }
    }

    struct OptOut: BankCommand {
        static let configuration = CommandConfiguration(commandName: "opt-out", abstract: "A worker leaves the pool at once; pending requests are withdrawn.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let profile = try bank.talent.optOut(person: person)
            try output.emit(profile.json) { "\(person) left the talent pool" }
        }
    }

    struct Post: BankCommand {
        static let configuration = CommandConfiguration(commandName: "post", abstract: "Post a vacancy for an employer institution.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The employer institution id.") var institution: String
        @Option(help: "The job title.") var title: String
        @Option(help: "The occupation code.") var occupation: String
        @Option(help: "The lowest five-level code accepted (5 = 初级 … 1 = 高级技师).") var minLevel: Int
        @Option(help: "The district.") var district: String
        @Option(help: "How many.") var count = 1

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let v = try bank.talent.postVacancy(institution: institution, title: title, occupation: occupation, minLevel: minLevel, district: district, count: count)
            try output.emit(v.json) { v.id }
        }
    }

    struct Close: BankCommand {
        static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a vacancy.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The vacancy id.") var vacancy: String
        static let positionals: Set<String> = ["vacancy"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let v = try bank.talent.closeVacancy(vacancy)
            try output.emit(v.json) { "\(v.id) closed" }
        }
    }

    struct Search: BankCommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "Search the pool for an employer (each worker listed is told).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The employer institution id.") var institution: String
        @Option(help: "The occupation code.") var occupation: String
        @Option(help: "The lowest five-level code accepted.") var minLevel: Int
        @Option(help: "The district, for ranking.") var district: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let found = try bank.talent.search(institution: institution, occupation: occupation, minLevel: minLevel, district: district)
            try output.emit(.array(found.map(\.json))) { CandidateText.render(found) }
        }
    }

    struct Candidates: BankCommand {
        static let configuration = CommandConfiguration(commandName: "candidates", abstract: "Consenting workers ranked for a vacancy, with why.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The vacancy id.") var vacancy: String
        static let positionals: Set<String> = ["vacancy"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let found = try bank.talent.candidates(for: vacancy)
            try output.emit(.array(found.map(\.json))) { CandidateText.render(found) }
        }
    }

    struct Recommend: BankCommand {
        static let configuration = CommandConfiguration(commandName: "recommend", abstract: "Open vacancies ranked for a worker, with why.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let ranked = try bank.talent.vacancies(for: person)
            try output.emit(.array(ranked.map { ["vacancy": $0.vacancy.json, "employer": .string($0.employer), "fit": $0.fit.json] })) {
                ranked.isEmpty ? "no open vacancy fits" : ranked.map { r in
                    (["\(r.fit.score)  \(r.vacancy.title)  \(r.employer)  \(r.vacancy.district)  \(r.vacancy.id)"] + r.fit.because.map { "  ✓ \($0)" }
                        + r.fit.against.map { "  ✗ \($0)" }).joined(separator: "\n")
                }.joined(separator: "\n")
            }
        }
    }

    struct Contact: BankCommand {
        static let configuration = CommandConfiguration(commandName: "contact", abstract: "An employer asks to contact a candidate from its results.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The employer institution id.") var institution: String
        @Option(help: "The candidate handle from a search (cand_…).") var candidate: String
        @Option(help: "The vacancy it is about.") var vacancy: String?
        @Option(help: "A message to the worker.") var message: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let r = try bank.talent.requestContact(institution: institution, candidate: candidate, vacancy: vacancy, message: message)
            try output.emit(r.json) { r.id }
        }
    }

    struct Answer: BankCommand {
        static let configuration = CommandConfiguration(commandName: "answer", abstract: "A worker accepts or declines a contact request.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The contact request id.") var contact: String
        static let positionals: Set<String> = ["contact"]
        @Option(help: "The worker.") var person: String
        @Flag(help: "Accept (share what was chosen).") var accept = false
        @Flag(help: "Decline.") var decline = false

        func run(on bank: Bank, output: Output) throws(SkillError) {
            guard accept != decline else { throw SkillError(.usage, "give --accept or --decline", field: "--accept") }
            let r = try bank.talent.answer(contact, person: person, accept: accept)
            try output.emit(r.json) { "\(r.id) \(r.status.rawValue)" }
        }
    }

    struct Disclosures: BankCommand {
        static let configuration = CommandConfiguration(commandName: "disclosures", abstract: "Who saw what of a worker: listings, requests, shares.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let log = try bank.talent.disclosures(of: person)
            try output.emit(.array(log.map { d, name in
                ["at": .string(d.at), "institution": .string(d.institutionID), "institution_name": .string(name), "kind": .string(d.kind.rawValue),
                 "reference": .optional(d.reference)]
            })) {
                Table.render(["DAY", "UTC", "INSTITUTION", "WHAT", "ABOUT"],
                             log.map { [LocalTime().day($0.0.at)?.zh ?? "", $0.0.at, $0.1, $0.0.kind.rawValue, $0.0.reference ?? ""] })
            }
        }
    }
}
