/// The one error type of SkillBank.
///
/// `code` is stable (never renamed or reused) and is what callers, tests and the edges
/// (CLI exit codes, HTTP problem types) compare; `message` is safe to show to a user and
/// never contains a name, an ID number or key material; `field` says where the problem is
/// (a flag, a JSON path, `line 3, column id_number`); `cause` is for logs only.
public struct SkillError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Code
    public let message: String
    public let field: String?
    public let cause: String?

    /// Makes an error.
    /// - Parameters:
    ///   - code: the stable code.
    ///   - message: what was wrong, safe to show.
    ///   - field: where (flag, JSON path, CSV line and column), if known.
    ///   - cause: details for logs only.
    public init(_ code: Code, _ message: String, field: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.cause = cause
    }

    public var description: String {
        if let field { return "\(code.rawValue): \(field): \(message)" }
        return "\(code.rawValue): \(message)"
    }

    /// The same error, placed at `field` (prefixing any field it already names).
    public func at(_ where: String) -> SkillError {
        SkillError(code, message, field: field.map { "\(`where`), \($0)" } ?? `where`, cause: cause)
    }

    /// What sort of failure a code is; each edge maps kinds to its own signals.
    public enum Kind: String, Sendable, CaseIterable {
        case usage, badData, notFound, notAllowed, unauthenticated, busy, config, `internal`
    }

    /// A stable error code such as `ledger.enrolment-exists`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public let kind: Kind
        init(_ rawValue: String, _ kind: Kind) {
            self.rawValue = rawValue
            self.kind = kind
        }
        public var description: String { rawValue }
    }
}

extension SkillError.Code {
    // Input and parsing
    public static let usage = Self("input.usage", .usage)
    public static let invalidField = Self("input.invalid-field", .badData)
    public static let jsonMalformed = Self("json.malformed", .badData)
    public static let jsonNotCanonicalizable = Self("json.not-canonicalizable", .badData)
    public static let fileUnreadable = Self("input.file-unreadable", .notFound)
    public static let csvMalformed = Self("import.csv-malformed", .badData)
    public static let csvHeader = Self("import.header-invalid", .badData)
    public static let importBadRows = Self("import.bad-rows", .badData)

    // Standards
    public static let standardsMissing = Self("standards.missing", .config)
    public static let standardsSchema = Self("standards.schema-violation", .badData)
    public static let standardsReference = Self("standards.cross-reference", .badData)
    public static let occupationUnknown = Self("standards.occupation-unknown", .badData)
    public static let levelUnknown = Self("standards.level-unknown", .badData)
    public static let frameworkUnknown = Self("standards.framework-unknown", .badData)
    public static let standardNotFound = Self("standards.not-found", .notFound)

    // Identity validators
    public static let usccInvalid = Self("institution.uscc-invalid", .badData)
    public static let provinceInvalid = Self("institution.province-invalid", .badData)
    public static let idNumberInvalid = Self("person.id-number-invalid", .badData)
    public static let nameInvalid = Self("person.name-invalid", .badData)
    public static let certificateNumberInvalid = Self("certificate.number-invalid", .badData)

    // Ledger
    public static let notInitialised = Self("ledger.not-initialised", .config)
    public static let institutionNotFound = Self("ledger.institution-not-found", .notFound)
    public static let institutionExists = Self("ledger.institution-exists", .badData)
    public static let institutionSuspended = Self("ledger.institution-suspended", .notAllowed)
    public static let outOfScope = Self("ledger.out-of-accreditation-scope", .notAllowed)
    public static let kindNotAllowed = Self("ledger.institution-kind-not-allowed", .notAllowed)
    public static let personNotFound = Self("ledger.person-not-found", .notFound)
    public static let personExists = Self("ledger.person-exists", .badData)
    public static let courseNotFound = Self("ledger.course-not-found", .notFound)
    public static let courseFull = Self("ledger.course-full", .notAllowed)
    public static let courseClosed = Self("ledger.course-closed", .notAllowed)
    /// A completion or failure recorded before the course starts.
    public static let courseNotStarted = Self("ledger.course-not-started", .notAllowed)
    public static let enrolmentNotFound = Self("ledger.enrolment-not-found", .notFound)
    public static let enrolmentExists = Self("ledger.enrolment-exists", .badData)
    public static let transitionInvalid = Self("ledger.transition-invalid", .notAllowed)
    public static let unbalanced = Self("ledger.unbalanced", .internal)
    public static let assessmentNotFound = Self("ledger.assessment-not-found", .notFound)
    public static let candidateExists = Self("ledger.candidate-exists", .badData)
    public static let candidateNotFound = Self("ledger.candidate-not-found", .notFound)
    public static let certificateNotFound = Self("ledger.certificate-not-found", .notFound)
    public static let statusListFull = Self("ledger.status-list-full", .notAllowed)
    /// Every serial of a certificate-number prefix (999,999 a year) has been handed out.
    public static let serialsExhausted = Self("ledger.serials-exhausted", .notAllowed)
    /// An issuer has no status list yet (it has issued no certificate).
    public static let statusListNotFound = Self("ledger.status-list-not-found", .notFound)
    public static let keyRetired = Self("ledger.key-retired", .notAllowed)

    // Credentials and the log
    public static let proofInvalid = Self("credentials.proof-invalid", .badData)
    public static let eventNotFound = Self("ledger.event-not-found", .notFound)
    /// A node the log needs is missing from the store (a damaged bank): named with its level and index.
    public static let logNodeMissing = Self("log.node-missing", .internal)
    /// A published tile or entry bundle that is the wrong size or does not recompute (named by its path).
    public static let tileInvalid = Self("log.tile-invalid", .badData)

    // Access
    public static let tokenNotFound = Self("ledger.token-not-found", .notFound)
    public static let unauthenticated = Self("auth.unauthenticated", .unauthenticated)
    public static let forbidden = Self("auth.forbidden", .notAllowed)
    public static let rateLimited = Self("http.rate-limited", .busy)
    public static let bodyTooLarge = Self("http.body-too-large", .badData)
    /// A body in a media type the route does not take (JSON sent as text/plain, say).
    public static let unsupportedMediaType = Self("http.unsupported-media-type", .badData)
    public static let methodNotAllowed = Self("http.method-not-allowed", .usage)
    /// Bytes that are not an HTTP request (a raw space or non-ASCII character in the path or query).
    public static let malformedRequest = Self("http.malformed-request", .usage)
    public static let overloaded = Self("http.overloaded", .busy)
    public static let requestTimeout = Self("http.request-timeout", .busy)
    public static let routeNotFound = Self("http.not-found", .notFound)

    // Conversion
    public static let ruleNotFound = Self("conversion.rule-not-found", .notFound)
    public static let notPostable = Self("conversion.not-postable", .badData)
    public static let alreadyApplied = Self("conversion.already-applied", .badData)
    public static let notApplicable = Self("conversion.not-applicable", .notAllowed)
    public static let notEligible = Self("conversion.not-eligible", .notAllowed)
    public static let storeBusy = Self("store.busy", .busy)
    public static let storeFailure = Self("store.failure", .internal)
    /// The store's files can be read by other users of the machine.
    public static let storePermissions = Self("store.permissions", .config)
    /// The database server cannot be reached or refuses the connection (down, wrong address,
    /// wrong credentials): a retry may succeed once it is back.
    public static let storeUnreachable = Self("store.unreachable", .busy)

    // Secrets and crypto
    public static let secretMissing = Self("secret.missing", .config)
    public static let secretInvalid = Self("secret.invalid", .config)
    public static let cryptoFailure = Self("crypto.failure", .internal)
    public static let decryptionFailed = Self("crypto.decryption-failed", .internal)
    // Subsidies
    public static let programmeNotFound = Self("subsidy.programme-not-found", .notFound)
    public static let claimNotFound = Self("subsidy.claim-not-found", .notFound)
    /// A claim a subsidy rule refuses; `field` names the rule.
    public static let subsidyRefused = Self("subsidy.refused", .notAllowed)
    /// A payment batch asked for when no approved claim waits for payment.
    public static let nothingToPay = Self("subsidy.nothing-to-pay", .notFound)

    // Webhooks
    public static let webhookNotFound = Self("webhook.not-found", .notFound)

    // Workers' pages
    /// A sign-in link that is unknown, used already or expired (all said alike).
    public static let signInLinkInvalid = Self("auth.signin-link-invalid", .unauthenticated)

    // The talent pool
    public static let notInPool = Self("talent.not-in-pool", .notFound)
    public static let vacancyNotFound = Self("talent.vacancy-not-found", .notFound)
    public static let contactNotFound = Self("talent.contact-not-found", .notFound)
    /// A candidate who opted out of the pool after the search that found them.
    public static let candidateUnavailable = Self("talent.candidate-unavailable", .notFound)

    // Backups
    public static let backupTargetExists = Self("backup.target-exists", .usage)
    public static let backupInvalid = Self("backup.invalid", .badData)

    /// Every code, for the tests that check each edge maps all of them.
    public static let all: [SkillError.Code] = [
        .usage, .invalidField, .jsonMalformed, .jsonNotCanonicalizable, .fileUnreadable, .csvMalformed, .csvHeader,
        .importBadRows, .standardsMissing, .standardsSchema, .standardsReference, .occupationUnknown, .levelUnknown,
        .frameworkUnknown, .standardNotFound, .usccInvalid, .provinceInvalid, .idNumberInvalid, .nameInvalid,
        .certificateNumberInvalid, .notInitialised, .institutionNotFound, .institutionExists, .institutionSuspended,
        .outOfScope, .kindNotAllowed, .personNotFound, .personExists, .courseNotFound, .courseFull, .courseClosed,
        .enrolmentNotFound, .enrolmentExists, .transitionInvalid, .unbalanced, .storeBusy, .storeFailure,
        .secretMissing, .secretInvalid, .cryptoFailure, .decryptionFailed, .assessmentNotFound, .candidateExists,
        .candidateNotFound, .certificateNotFound, .statusListFull, .keyRetired, .ruleNotFound, .notPostable, .alreadyApplied,
        .notApplicable, .notEligible, .proofInvalid, .eventNotFound, .tokenNotFound, .unauthenticated, .forbidden, .rateLimited, .bodyTooLarge, .routeNotFound,
        .backupTargetExists, .backupInvalid, .requestTimeout, .methodNotAllowed, .overloaded, .serialsExhausted, .statusListNotFound,
        .logNodeMissing, .storePermissions, .tileInvalid, .storeUnreachable, .courseNotStarted, .unsupportedMediaType, .malformedRequest,
        .programmeNotFound, .claimNotFound, .subsidyRefused, .nothingToPay, .webhookNotFound,
        .notInPool, .vacancyNotFound, .contactNotFound, .candidateUnavailable, .signInLinkInvalid,
    ]
}
