import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SkillCore
import SkillLedger
import SkillServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the verification page (creates the bank on first start; SIGINT/SIGTERM stop it cleanly).")

    @Option(help: "Address to listen on (env SKILLBANK_HOST).") var host: String?
    @Option(help: "Port (env SKILLBANK_PORT).") var port: Int?
    @Option(help: "Public look-ups and verifications per client address per minute.") var rateLimit = 120
    @Option(help: "API requests handled at once; more are refused with 503 and Retry-After.") var maxInFlight = 512
    @Option(help: "Close a connection that sends nothing for this many seconds.") var idleTimeout = 30
    @Option(help: "Refuse (408) a request body that has not arrived whole within this many seconds.") var bodyTimeout = 30
    @Option(help: "Sign a log checkpoint at most this often (seconds) when the tree has grown.") var checkpointInterval = 60
    @Option(help: "A browser origin (https://portal.example) allowed to call the routes that take a token; repeat for several (env SKILLBANK_CORS_ORIGINS, comma-separated). Public routes allow any origin.")
    var corsOrigin: [String] = []
    @Option(help: "Webhook attempts before a message becomes a dead letter (env SKILLBANK_WEBHOOK_MAX_ATTEMPTS).") var webhookMaxAttempts: Int?
    @Option(help: "First webhook retry delay in milliseconds, doubling each time up to an hour, with jitter (env SKILLBANK_WEBHOOK_RETRY_MS).")
    var webhookRetryMs: Int?
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let output = Output(json: global.json)
        let env = ProcessInfo.processInfo.environment
        let bank: Bank
        let tokenFile: String
        do {
            bank = try global.openBank(oneConnection: false, alwaysWarn: true)
            tokenFile = global.databasePath + ".operator-token"
            if !FileManager.default.fileExists(atPath: tokenFile) {
                let (_, secret) = try bank.tokens.create(role: .operator, actor: Actor("operator:serve"))
                guard FileManager.default.createFile(atPath: tokenFile, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw SkillError(.secretInvalid, "cannot write the operator token file", field: tokenFile)
                }
                Terminal.note("operator token written to \(tokenFile) (mode 0600); use it as: Authorization: Bearer <token>")
            }
        } catch {
            throw output.fail(error)
        }
        var config = ServerConfiguration(publicRequestsPerMinute: rateLimit, idleTimeoutSeconds: idleTimeout, bodyTimeoutSeconds: bodyTimeout, maxConcurrentRequests: maxInFlight)
        config.host = host ?? env["SKILLBANK_HOST"] ?? "127.0.0.1"
        config.port = port ?? env["SKILLBANK_PORT"].flatMap(Int.init) ?? 8080
        let origins = corsOrigin.isEmpty ? (env["SKILLBANK_CORS_ORIGINS"] ?? "").split(separator: ",").map { $0.trimmingSpaces } : corsOrigin
        config.corsOrigins = Set(origins.filter { !$0.isEmpty })
        for origin in config.corsOrigins {
            // An origin is scheme://host[:port]: a path or a trailing slash never matches what a browser sends.
            guard let url = URLComponents(string: origin), url.scheme == "https" || url.scheme == "http", url.host != nil, url.path.isEmpty else {
                throw output.fail(SkillError(.invalidField, "expected an origin like https://portal.example, got '\(origin.prefix(80))'", field: "--cors-origin"))
            }
        }
        var logger = Logger(label: "skillbank") { LineLogHandler(label: $0) }
        logger.logLevel = env["SKILLBANK_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let app = SkillServer.application(bank: bank, configuration: config, logger: logger)
        print("SkillBank is serving \(bank.location) at http://\(config.host):\(config.port)")
        print("verification page: http://\(config.host):\(config.port)/verify")
        print("operator token file: \(tokenFile)")
        print("base URL signed into certificates: \(bank.baseURL)")
        // Said before the first request, also when stdout is a pipe or a file (block-buffered).
        fflush(nil)
        // Checkpoints: at most one per interval, and only when the tree has grown.
        let interval = max(1, checkpointInterval)
        let checkpoints = Task.detached {
            var last = -1
            while !Task.isCancelled {
                do throws(SkillError) {
                    let size = try bank.log.size()
                    if size != last {
                        _ = try bank.log.checkpoint()
                        last = size
                    }
                } catch {
                    // A busy store tries again next time; a damaged log is said, not swallowed.
                    logger.error("checkpoint failed", metadata: ["code": .string(error.code.rawValue), "cause": .string(error.cause ?? error.message)])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
        defer { checkpoints.cancel() }
        // The webhook outbox, delivered from here at least once.
        var delivery = WebhookDeliveryConfiguration()
        delivery.policy = RetryPolicy(baseMilliseconds: max(1, webhookRetryMs ?? env["SKILLBANK_WEBHOOK_RETRY_MS"].flatMap(Int.init) ?? 5_000),
                                      maxAttempts: max(1, webhookMaxAttempts ?? env["SKILLBANK_WEBHOOK_MAX_ATTEMPTS"].flatMap(Int.init) ?? 8))
        delivery.pollMilliseconds = env["SKILLBANK_WEBHOOK_POLL_MS"].flatMap(Int.init) ?? 500
        delivery.leaseMilliseconds = env["SKILLBANK_WEBHOOK_LEASE_MS"].flatMap(Int.init) ?? 30_000
        let deliverer = WebhookDeliverer(bank: bank, configuration: delivery, logger: logger)
        let webhooks = Task.detached { await deliverer.run() }
        defer { webhooks.cancel() }
        try await app.runService()
    }
}

extension Role: ExpressibleByArgument {}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Bearer tokens for the HTTP API (only their SHA-256 is stored).",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: BankCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Make a token; it is printed once, alone on the last line.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "operator | institution | worker") var role: Role
        @Option(help: "The institution an institution token acts for.") var institution: String?
        @Option(help: "The person a worker token belongs to.") var person: String?
        @Option(help: "Last day the token works, YYYY-MM-DD.") var expires: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let until = try expires.map { t throws(SkillError) in try CalendarDate.parse(t, field: "--expires") }
            let (record, secret) = try bank.tokens.create(role: role, institution: institution, person: person, expires: until)
            if global.json {
                var value = record.json.objectValue!
                value["token"] = .string(secret)
                print(try JSONValue.object(value).prettyString())
            } else {
                print("\(record.id) \(record.role.rawValue)\(record.institutionID.map { " for " + $0 } ?? "")\(record.personID.map { " for " + $0 } ?? "")\(record.expiresAt.map { " until " + $0 } ?? "")")
                print(secret)
            }
        }
    }

    struct List: BankCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (never the secrets).")
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let all = try bank.tokens.all()
            try output.emit(.array(all.map(\.json))) {
                Table.render(["ID", "ROLE", "FOR", "CREATED", "EXPIRES", "REVOKED"], all.map {
                    [$0.id, $0.role.rawValue, $0.institutionID ?? $0.personID ?? "-", $0.createdAt, $0.expiresAt ?? "-", $0.revokedAt ?? "-"]
                })
            }
        }
    }

    struct Revoke: BankCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token id (tok_…).") var token: String
        static let positionals: Set<String> = ["token"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let t = try bank.tokens.revoke(token)
            try output.emit(t.json) { "\(t.id) revoked" }
        }
    }
}
