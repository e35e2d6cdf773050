import Foundation
import SkillCore
import SkillCrypto
import SkillStore

/// The registry: its store, the Standards it was made with, and its use cases, each a type
/// named for what it does. Every change commits in one unit of work together with the event
/// that records it and that event's log leaf.
public struct Bank: Sendable {
    /// How to reach the bank's secrets and what is fixed when it is created.
    public struct Configuration: Sendable {
        /// The registry secret (personal-data keys are derived from it), mode 0600.
        public var secretPath: String
        /// The file holding the private-key passphrase (used when `keyPassphrase` is not given).
        public var keyPassphrasePath: String
        /// The private-key passphrase itself (from `SKILLBANK_KEY_PASSPHRASE`), if given.
        public var keyPassphrase: SecretBytes?
        /// The base of the stable URLs put into credentials (status lists); fixed when the bank is created.
        public var baseURL: String
        /// The registry's name, from which the log's origin line is derived.
        public var registryName: String
        /// The transparency log's origin line (default: derived from `registryName`); fixed at creation.
        public var logOrigin: String?
        /// Folder to load Standards from when the bank is created.
        public var standardsDirectory: URL?
        /// Open the registry's key while opening the bank, so a wrong passphrase is refused before
        /// any work. Commands that only read turn this off and never decrypt a private key;
        /// making a key or signing checks it anyway.
        public var checksKeyPassphrase = true

        /// Makes a configuration whose secret files sit beside `databasePath` (`.secret`, `.keypass`)
        /// unless given.
        public init(
            besideDatabase databasePath: String, secretPath: String? = nil, standardsDirectory: URL? = nil, keyPassphrasePath: String? = nil,
            keyPassphrase: SecretBytes? = nil, baseURL: String = "http://127.0.0.1:8080", registryName: String = "SkillBank Registry",
            logOrigin: String? = nil
        ) {
            self.secretPath = secretPath ?? databasePath + ".secret"
            self.keyPassphrasePath = keyPassphrasePath ?? databasePath + ".keypass"
            self.keyPassphrase = keyPassphrase
            self.baseURL = baseURL
            self.registryName = registryName
            self.logOrigin = logOrigin
            self.standardsDirectory = standardsDirectory
        }

        /// The origin line: the configured one, or the registry's name lower-cased with runs of
        /// other characters as '-', then "/log" ("SkillBank Registry" → "skillbank-registry/log").
        public var effectiveLogOrigin: String {
            if let logOrigin, !logOrigin.isEmpty { return logOrigin }
            var out = ""
            for ch in registryName.lowercased() {
                if ch.isLetter || ch.isNumber || ch == "." { out.append(ch) } else if out.last != "-" { out.append("-") }
            }
            let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
            return (trimmed.isEmpty ? "skillbank" : trimmed) + "/log"
        }
    }

    let context: BankContext

    /// The Standards this bank was initialised with (kept in the store).
    public var standards: Standards { context.standards }
    /// The base of the stable URLs in credentials, fixed at creation.
    public var baseURL: String { context.baseURL }
    /// Where the bank's store is (a file path or a database URL without its password).
    public var location: String { context.store.location }
    /// The store itself, for the edges that manage it (backups, benchmarks).
    public var store: any Store { context.store }

    /// Institutions, their scopes and keys, and workers.
    public var registration: Registration { Registration(context: context) }
    /// Courses, enrolments and completions.
    public var training: Training { Training(context: context) }
    /// Bulk CSV imports of people, enrolments and completions.
    public var imports: Imports { Imports(context: context) }
    /// Assessments, candidates, results and the certificates a pass issues.
    public var issuance: Issuance { Issuance(context: context) }
    /// Certificates once issued: reading, exporting, status changes, look-ups, status lists, bundles.
    public var certificates: Certificates { Certificates(context: context) }
    /// The qualifications framework: previews, pathways, applying and reversing conversions.
    public var conversions: Conversions { Conversions(context: context) }
    /// Workers' records, balances and statements, and reconciliation of the credit ledger.
    public var accounts: Accounts { Accounts(context: context) }
    /// The transparency log: events, checkpoints, proofs, audit.
    public var log: TransparencyLog { TransparencyLog(context: context) }
    /// Bearer tokens and idempotent responses.
    public var tokens: Tokens { Tokens(context: context) }
    /// Subsidy programmes, claims, the subsidy ledger and payment batches.
    public var subsidies: Subsidies { Subsidies(context: context) }
    /// Workers' inboxes (policy push).
    public var notices: Notices { Notices(context: context) }
    /// Webhook subscriptions, the outbox and its delivery.
    public var webhooks: Webhooks { Webhooks(context: context) }
    /// The talent pool and job recommendation, by consent.
    public var talent: TalentPool { TalentPool(context: context) }
    /// Workers' sign-in links and page sessions.
    public var sessions: WorkerSessions { WorkerSessions(context: context) }

    /// Opens a bank on `store`, initialising it (Standards, secret, registry key) when the store
    /// holds none yet.
    /// - Parameters:
    ///   - store: where the ledger lives.
    ///   - configuration: secrets and what is fixed at creation.
    ///   - clock: the time source (tests pass a fixed clock).
    /// - Returns: the bank and whether this call created it.
    /// - Throws: `standards.*` when the Standards directory is broken, `secret.*` when the
    ///   secret is missing, has loose permissions or does not match the store, `store.*`.
    public static func open(
        _ store: any Store, configuration: Configuration, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(SkillError) -> (bank: Bank, created: Bool) {
        let initialised = try store.read { tx in try tx.meta.value("secret_check") != nil }
        var standardsToLoad: Standards?
        if !initialised {
            _ = try RegistryAddress.validate(configuration.baseURL, field: "base_url")
            guard let dir = configuration.standardsDirectory ?? StandardsLocator.find() else {
                throw SkillError(.standardsMissing, "no Standards directory found to initialise a new bank; pass --standards DIR or set SKILLBANK_STANDARDS")
            }
            standardsToLoad = try Standards.load(directory: dir)
        }
        let secret = try SecretFile.loadOrCreate(at: configuration.secretPath, create: !initialised)
        let passphrase: SecretBytes
        if let given = configuration.keyPassphrase {
            passphrase = given
        } else {
            passphrase = try SecretFile.loadOrCreate(at: configuration.keyPassphrasePath, create: !initialised, what: "key passphrase", asText: true)
        }
        let vault = try PersonalDataVault(secret: secret)
        let check = Hex.encode(vault.fingerprint())
        let created = clock()
        let standards = try store.write { tx throws -> Standards in
            let stored = try tx.meta.value("secret_check")
            if let stored, stored != check {
                throw SkillError(.secretInvalid, "the registry secret does not belong to this bank", field: configuration.secretPath)
            }
            if stored == nil {
                try tx.meta.insertValue(check, for: "secret_check")
                try tx.meta.insertValue(Timestamp.format(created), for: "created_at")
                try tx.meta.insertValue(configuration.baseURL, for: "base_url")
                try tx.meta.insertValue(configuration.effectiveLogOrigin, for: "log_origin")
            }
            let files = try tx.meta.standardsFiles()
            if let fresh = standardsToLoad, files.isEmpty {
                for file in fresh.files { try tx.meta.insertStandardsFile(file, sha256: Hex.encode(SHA256.hash(file.data))) }
                return fresh
            }
            guard !files.isEmpty else {
                throw SkillError(.notInitialised, "this bank has no Standards loaded; remove it and run skillbank init")
            }
            // A bank made before a later Standards file existed (the occupation catalogue, the
            // subsidy programmes) gets the Standards folder's copy once, when one is found;
            // without it, credentials describe occupations by name only and no subsidy applies.
            let missing = Standards.laterFileNames.filter { name in !files.contains { $0.name == name } }
            if !missing.isEmpty, let dir = configuration.standardsDirectory ?? StandardsLocator.find() {
                var added: [StandardsFile] = []
                for name in missing {
                    let file = try Standards.checkedFile(name, in: dir)
                    try tx.meta.insertStandardsFile(file, sha256: Hex.encode(SHA256.hash(file.data)))
                    added.append(file)
                }
                return try Standards.load(stored: files + added)
            }
            return try Standards.load(stored: files)
        }
        let (baseURL, origin) = try store.read { tx in (try tx.meta.value("base_url"), try tx.meta.value("log_origin")) }
        let context = BankContext(
            store: store, standards: standards, vault: vault, keyPassphrase: passphrase,
            keyPassphraseSource: configuration.keyPassphrase == nil ? configuration.keyPassphrasePath : "SKILLBANK_KEY_PASSPHRASE",
            baseURL: baseURL ?? configuration.baseURL, logOrigin: origin ?? configuration.effectiveLogOrigin, clock: clock)
        let bank = Bank(context: context)
        try context.ensureRegistryKey()
        try bank.log.integrateBackfill()
        if configuration.checksKeyPassphrase { try context.requireKeyPassphrase() }
        return (bank, !initialised)
    }

    /// The current change version: it differs from an earlier one exactly when something was
    /// committed in between (by this process or another).
    /// - Throws: `store.failure`.
    public func changeVersion() throws(SkillError) -> ChangeVersion { try context.store.changeVersion() }

    /// The institution a course, enrolment, assessment or certificate belongs to, or nil when
    /// the id names nothing. The HTTP edge uses it so an institution acts only on its own records.
    /// - Throws: `store.*`.
    public func owningInstitution(of id: String) throws(SkillError) -> String? {
        try context.store.read { tx -> String? in
            switch IdentifierKind(prefixOf: id) {
            case .course: return try tx.training.course(id)?.institutionID
            case .enrolment: return try tx.training.enrolment(id).flatMap { try tx.training.course($0.courseID)?.institutionID }
            case .assessment: return try tx.assessments.assessment(id)?.institutionID
            default: return try tx.certificates.certificate(id)?.summary.institutionID
            }
        }
    }
}
