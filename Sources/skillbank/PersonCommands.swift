import ArgumentParser
import SkillCore
import SkillLedger

extension IDType: ExpressibleByArgument {}
extension ErasureReason: ExpressibleByArgument {}

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person", abstract: "Register and find workers (personal data is stored encrypted and shown masked).",
        subcommands: [Register.self, Show.self, Find.self, Link.self, Erase.self])

    struct Link: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "link", abstract: "A one-time sign-in link to the worker's own pages (/me), valid for a short time; give it to the worker only.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id.") var person: String
        static let positionals: Set<String> = ["person"]
        @Option(help: "Minutes the link stays valid (1–1440).") var minutes = 15

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let (url, expires) = try bank.sessions.issueLink(person: person, minutes: minutes)
            try output.emit(["url": .string(url), "expires_at": .string(expires)]) { "\(url)\nvalid once, until \(LocalTime().text(expires))" }
        }
    }

    struct Register: BankCommand {
        static let configuration = CommandConfiguration(commandName: "register", abstract: "Register a worker; prints the new id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The worker's name.") var name: String
        @Option(help: "resident (居民身份证) | passport | hk-macao | taiwan.") var idType: IDType
        @Option(help: "The document number (checked; stored only as a blind index and ciphertext).") var idNumber: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let p = try bank.registration.registerPerson(name: name, idType: idType, idNumber: idNumber)
            Terminal.note("registered \(p.maskedName) (\(p.idType.rawValue) \(p.maskedIDNumber))")
            try output.emit(p.json) { p.id }
        }
    }

    struct Show: BankCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a worker, masked.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id (per_…).") var person: String
        static let positionals: Set<String> = ["person"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let p = try bank.registration.person(person)
            try output.emit(p.json) { PersonCommand.describe(p) }
        }
    }

    struct Find: BankCommand {
        static let configuration = CommandConfiguration(commandName: "find", abstract: "Find a worker by identity document (exit 66 when none).")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Option(help: "The document type.") var idType: IDType = .resident
        @Option(help: "The document number.") var idNumber: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            guard let p = try bank.registration.findPerson(idType: idType, idNumber: idNumber) else {
                throw SkillError(.personNotFound, "no worker is registered with this document", field: "--id-number")
            }
            try output.emit(p.json) { PersonCommand.describe(p) }
        }
    }

    struct Erase: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "erase",
            abstract: "Destroy a worker's personal data (name, ID number, blind indexes, salts); the log, credits and certificates stay verifiable.",
            discussion: """
                The ciphertext and blind indexes go, the certificates' identity salts go, and the bodies of the events
                that name the worker go, each log leaf kept as its commitment. One person.erased event records that
                an erasure happened and why, not whose. Backups made before keep the data until they are destroyed.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person id (per_…).") var person: String
        static let positionals: Set<String> = ["person"]
        @Option(help: "request | retention | court-order | deceased") var reason: ErasureReason

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let report = try bank.registration.erase(person: person, reason: reason)
            try output.emit(report.json) {
                "erased \(person): \(report.events) event bodies dropped (their leaves kept as commitments), \(report.certificates) certificate salt(s) destroyed"
            }
        }
    }

    static func describe(_ p: PersonSummary) -> String {
        "\(p.id)  \(p.maskedName)  \(p.idType.rawValue) \(p.maskedIDNumber)  registered \(LocalTime().text(p.registeredAt))"
    }
}
