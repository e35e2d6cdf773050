import ArgumentParser
import Foundation
import SkillCore
import SkillLedger

extension WebhookMessageStatus: ExpressibleByArgument {}

struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook subscriptions (Standard Webhooks), their outbox and dead letters. serve delivers them.",
        subcommands: [Subscribe.self, List.self, Disable.self, Messages.self, Replay.self])

    struct Subscribe: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "subscribe", abstract: "Subscribe an institution to events about it; prints the signing secret once.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The institution id.") var institution: String
        @Option(help: "Where to deliver: https, or http to a loopback address.") var url: String
        @Option(help: "Event types, comma-separated: certificate.issued, certificate.*, or * for all.") var events: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let types = events.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            let (webhook, secret) = try bank.webhooks.subscribe(institution: institution, url: url, eventTypes: types)
            var value = webhook.json.objectValue!
            value["secret"] = .string(secret)
            try output.emit(.object(value)) { "\(webhook.id)\nsigning secret (shown once; verify webhook-signature with it): \(secret)" }
        }
    }

    struct List: BankCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Subscriptions, and how many messages are pending, delivered and dead.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this institution's.") var institution: String?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let webhooks = try bank.webhooks.webhooks(institution: institution)
            let counts = try bank.webhooks.counts()
            try output.emit(["items": .array(webhooks.map(\.json)),
                             "messages": .object(Dictionary(uniqueKeysWithValues: WebhookMessageStatus.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) }))]) {
                Table.render(["WEBHOOK", "INSTITUTION", "URL", "EVENTS", "STATE"],
                             webhooks.map { [$0.id, $0.institutionID, $0.url, $0.eventTypes.joined(separator: ","), $0.disabledAt == nil ? "active" : "disabled"] })
                    + "\nmessages: " + WebhookMessageStatus.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            }
        }
    }

    struct Disable: BankCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "End a subscription; what still waits for it becomes a dead letter.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The webhook id.") var webhook: String
        static let positionals: Set<String> = ["webhook"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let w = try bank.webhooks.disable(webhook)
            try output.emit(w.json) { "\(w.id) disabled" }
        }
    }

    struct Messages: BankCommand {
        static let configuration = CommandConfiguration(commandName: "messages", abstract: "A subscription's outbox: each message, its attempts and last error.")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The webhook id.") var webhook: String
        static let positionals: Set<String> = ["webhook"]
        @Option(help: "pending | delivered | dead") var status: WebhookMessageStatus?
        @Option(help: "Only messages after this id.") var after: String?
        @Option(help: "At most this many.") var limit = 50

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let messages = try bank.webhooks.messages(webhook: webhook, status: status, after: after, limit: limit)
            try output.emit(.array(messages.map(\.json))) {
                Table.render(["MESSAGE", "TYPE", "STATUS", "ATTEMPTS", "LAST ERROR"],
                             messages.map { [$0.id, $0.eventType, $0.status.rawValue, String($0.attempts), $0.lastError ?? ""] })
            }
        }
    }

    struct Replay: BankCommand {
        static let configuration = CommandConfiguration(commandName: "replay", abstract: "Send a dead (or delivered) message again: same id, same payload.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The message id (msg_…).") var message: String
        static let positionals: Set<String> = ["message"]

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let m = try bank.webhooks.replay(message: message)
            try output.emit(m.json) { "\(m.id) queued again" }
        }
    }
}
