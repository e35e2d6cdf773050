import ArgumentParser
import Foundation
import SkillCore
import SkillCrypto
import SkillLedger
import SkillStore
import SkillStorePostgres
import SkillStoreSQLite

/// Options every command takes. Values come from flags, then `SKILLBANK_*` variables, then defaults.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The bank's SQLite file (env SKILLBANK_DB).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "Where the bank is: a SQLite file, or a PostgreSQL database as postgres://user[:password]@host[:port]/db[?pool=N] (env SKILLBANK_STORE_URL).",
        valueName: "url|path"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("The registry secret file (env SKILLBANK_SECRET_FILE; default <db>.secret).", valueName: "path"))
    var secretFile: String?

    @Option(name: .long, help: ArgumentHelp("Standards folder used when a new bank is created (env SKILLBANK_STANDARDS).", valueName: "dir"))
    var standards: String?

    @Option(name: .long, help: ArgumentHelp(
        "The registry's public address, used when a new bank is created and signed into every certificate it issues (status lists, catalogue pages, JSON-LD context), e.g. https://skills.example.gov.cn (env SKILLBANK_BASE_URL; default http://127.0.0.1:8080, for trying it out only).",
        valueName: "url"))
    var baseURL: String?

    @Option(name: .long, help: ArgumentHelp("File holding the private-key passphrase (env SKILLBANK_KEY_PASSPHRASE_FILE; default <db>.keypass). SKILLBANK_KEY_PASSPHRASE overrides it.", valueName: "path"))
    var keyPassphraseFile: String?

    @Flag(name: .long, help: "Print JSON instead of tables.")
    var json = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Where the bank is: `--store`, `--db`, `SKILLBANK_STORE_URL`, `SKILLBANK_DB`, else `./skillbank.sqlite`.
    var storeLocation: String {
        store ?? db ?? environment["SKILLBANK_STORE_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["SKILLBANK_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "skillbank.sqlite"
    }

    /// Whether the bank is on a PostgreSQL server rather than in a file.
    var usesServer: Bool { PostgresStore.isURL(storeLocation) }

    /// The bank's SQLite file, or for a bank on a server the base of its local files
    /// (`./skillbank.secret`, `./skillbank.keypass`, `./skillbank.operator-token`).
    var databasePath: String { usesServer ? "skillbank" : storeLocation }

    var configuration: Bank.Configuration {
        let secret = secretFile ?? environment["SKILLBANK_SECRET_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let dir = (standards ?? environment["SKILLBANK_STANDARDS"]).flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        let passFile = keyPassphraseFile ?? environment["SKILLBANK_KEY_PASSPHRASE_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let pass = environment["SKILLBANK_KEY_PASSPHRASE"].flatMap { $0.isEmpty ? nil : SecretBytes(Array($0.utf8)) }
        let base = baseURL ?? environment["SKILLBANK_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? RegistryAddress.trial
        return Bank.Configuration(
            besideDatabase: databasePath, secretPath: secret, standardsDirectory: dir, keyPassphrasePath: passFile, keyPassphrase: pass, baseURL: base,
            registryName: environment["SKILLBANK_REGISTRY_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "SkillBank Registry",
            logOrigin: environment["SKILLBANK_LOG_ORIGIN"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// How the store is opened: `SKILLBANK_SYNCHRONOUS=FULL` asks for an fsync per commit.
    func storeOptions(oneConnection: Bool) -> SQLiteStore.Options {
        SQLiteStore.Options(synchronousFull: environment["SKILLBANK_SYNCHRONOUS"]?.uppercased() == "FULL", singleConnection: oneConnection)
    }

    /// Opens (creating on first use) the bank. A command does one thing and exits, so it takes
    /// one connection (the server takes a pool: `oneConnection: false`). A command that only reads
    /// opens it without decrypting the registry's key (see `Bank.Configuration.checksKeyPassphrase`).
    /// - Parameter alwaysWarn: say it when the base URL is a loopback address even when the bank
    ///   is not new (`serve`); other commands say it once, when they create the bank.
    func openBank(readsOnly: Bool = false, oneConnection: Bool = true, alwaysWarn: Bool = false) throws(SkillError) -> Bank {
        let (bank, created) = try open(readsOnly: readsOnly, oneConnection: oneConnection)
        if created {
            Terminal.note("created a new bank at \(bank.location) (secret: \(configuration.secretPath), mode 0600)")
        }
        if created || alwaysWarn { warnIfLoopback(bank) }
        return bank
    }

    /// Says loudly that a bank whose base URL is a loopback address signs an address nobody
    /// else can reach into every certificate.
    func warnIfLoopback(_ bank: Bank) {
        guard RegistryAddress.isLoopback(bank.baseURL) else { return }
        Terminal.note("""
            WARNING: this bank's base URL is \(bank.baseURL), a loopback address. Every certificate it signs carries \
            that address (its status list, catalogue pages and JSON-LD context), and no one else can reach it. Fine \
            for trying SkillBank out; for real certificates make a new bank with --base-url https://your.registry \
            (the address cannot change once certificates are signed).
            """)
    }

    /// Opens the store at `location` (a file is created, a database migrated, on first use).
    /// - Returns: the store, and whether it was made now.
    func openStore(_ location: String, field: String = "--store", oneConnection: Bool = true) throws(SkillError) -> (store: any Store, isNew: Bool) {
        if PostgresStore.isURL(location) {
            let store = try PostgresStore(try PostgresStore.Address(url: location, field: field))
            return (store, store.isNew)
        }
        let store = try SQLiteStore(path: location, options: storeOptions(oneConnection: oneConnection))
        return (store, store.isNew)
    }

    /// Opens the store and the bank on it. A file this call created is removed again when the
    /// bank cannot be made in it (bad Standards, a secret that does not match), so a failed
    /// first command leaves nothing behind.
    func open(readsOnly: Bool = false, oneConnection: Bool = true) throws(SkillError) -> (bank: Bank, created: Bool) {
        var configuration = configuration
        configuration.checksKeyPassphrase = !readsOnly
        configuration.baseURL = try RegistryAddress.validate(
            configuration.baseURL, field: baseURL != nil ? "--base-url" : environment["SKILLBANK_BASE_URL"].map { _ in "SKILLBANK_BASE_URL" } ?? "--base-url")
        let (store, isNew) = try openStore(storeLocation, oneConnection: oneConnection)
        do throws(SkillError) {
            let opened = try Bank.open(store, configuration: configuration)
            if baseURL != nil, opened.bank.baseURL != configuration.baseURL {
                throw SkillError(.invalidField, "this bank signs with \(opened.bank.baseURL); a bank's address cannot change once it exists (make a new bank for another)", field: "--base-url")
            }
            return opened
        } catch {
            if isNew, !usesServer { SQLiteStore.removeFiles(storeLocation) }
            throw error
        }
    }
}

/// A command that works on the bank: parse, call one use case, render.
protocol BankCommand: ParsableCommand {
    var global: GlobalOptions { get }
    /// True when the command signs nothing and makes no key: it then never decrypts one.
    static var readsOnly: Bool { get }
    /// The command's positional arguments, by the domain field names errors use.
    static var positionals: Set<String> { get }
    func run(on bank: Bank, output: Output) throws(SkillError)
}

extension BankCommand {
    static var readsOnly: Bool { false }
    static var positionals: Set<String> { [] }

    func run() throws {
        let output = Output(json: global.json)
        do {
            let bank = try global.openBank(readsOnly: Self.readsOnly)
            try run(on: bank, output: output)
        } catch {
            throw output.fail(error, positionals: Self.positionals)
        }
    }
}
