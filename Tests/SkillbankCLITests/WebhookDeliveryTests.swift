import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SkillTestSupport
import Testing

/// `Tools/webhooks/receiver.py` on a fixed loopback port: checks each signature with Python's
/// hmac (not SkillBank's code) and logs every request.
final class WebhookReceiver {
    let process = Process()
    let keepAlive = Pipe()

    init(port: Int, secret: String, log: URL, delayMilliseconds: Int = 0) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tools/webhooks/receiver.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", String(port), "--secret", secret, "--log", log.path, "--delay-ms", String(delayMilliseconds)]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = keepAlive
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is the port: the receiver is listening once it is printed.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// The webhook outbox delivered by `skillbank serve` to a real receiver that is killed and
/// restarted, while `serve` itself is killed mid-delivery and restarted: every event a
/// subscription wants is delivered, every delivery is signed as Standard Webhooks says (checked
/// by an independent implementation), and every attempt of one id carries the same payload.
@Suite struct WebhookDeliveryTests {
    static func freePort() -> Int { Int.random(in: 41_000...49_000) }

    func startServe(_ cli: CLI, port: Int, log: URL) async throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port)]
        process.currentDirectoryURL = cli.folder
        var env = ProcessInfo.processInfo.environment
        for key in ["SKILLBANK_DB", "SKILLBANK_SECRET_FILE", "SKILLBANK_STORE_URL"] { env[key] = nil }
        env.merge(cli.baseEnvironment) { _, new in new }
        // Quick retries and a short lease, so the test sees backoff and a crashed deliverer's messages come back.
        env.merge(["SKILLBANK_WEBHOOK_RETRY_MS": "100", "SKILLBANK_WEBHOOK_POLL_MS": "50", "SKILLBANK_WEBHOOK_LEASE_MS": "2000",
                   "SKILLBANK_WEBHOOK_MAX_ATTEMPTS": "60"]) { _, new in new }
        process.environment = env
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        for _ in 0..<150 {
            try await Task.sleep(for: .milliseconds(100))
            if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!), !data.isEmpty { return process }
        }
        Issue.record("serve did not come up")
        return process
    }

    struct Delivery {
        let id: String
        let valid: Bool
        let answered: Int
        let body: String
    }

    static func deliveries(_ log: URL) -> [Delivery] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Delivery(id: o["id"] as? String ?? "", valid: o["valid"] as? Bool ?? false, answered: o["answered"] as? Int ?? 0, body: o["body"] as? String ?? "")
        }
    }

    @Test(arguments: CLIStore.all)
    func everyEventIsDeliveredThroughKilledReceiversAndAKilledServer(_ store: CLIStore) async throws {
        let cli = try CLI(store: store)
        #expect(try cli.run("init").status == 0)
        let evaluator = try cli.run("institution", "register", "--name", "评价中心", "--kind", "social", "--code", CLIFlowTests.uscc("51440000MJ0000001"),
                                    "--province", "44").lastLine
        #expect(try cli.run("institution", "accredit", evaluator, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2020-01-01").status == 0)
        let receiverPort = Self.freePort()
        let subscribed = try cli.run("webhook", "subscribe", "--institution", evaluator, "--url", "http://127.0.0.1:\(receiverPort)/hook",
                                     "--events", "assessment.*,certificate.*", "--json")
        #expect(subscribed.status == 0, "\(subscribed.stderr)")
        let webhook = try #require(try subscribed.json() as? [String: Any])
        let webhookID = try #require(webhook["id"] as? String)
        let secret = try #require(webhook["secret"] as? String)
        // A subscription of another institution must receive nothing of this one's.
        let other = try cli.run("institution", "register", "--name", "另一中心", "--kind", "social", "--code", CLIFlowTests.uscc("51440000MJ0000002"),
                                "--province", "44").lastLine
        #expect(try cli.run("webhook", "subscribe", "--institution", other, "--url", "http://127.0.0.1:\(receiverPort)/other", "--events", "*").status == 0)

        let assessment = try cli.run("assessment", "schedule", "--institution", evaluator, "--occupation", "6-31-01-03", "--level", "5").lastLine
        func workers(_ range: Range<Int>) throws -> [String] {
            try range.map { n in
                let person = try cli.run("person", "register", "--name", "工人", "--id-type", "passport", "--id-number", "E\(String(format: "%08d", n))").lastLine
                #expect(try cli.run("assessment", "enrol", assessment, "--person", person, "--override", "test").status == 0)
                return person
            }
        }
        /// Records passes for `people`; returns the certificates issued.
        @discardableResult
        func results(_ people: [String], _ name: String) throws -> [String] {
            let file = try cli.write(name, (["person,theory,practical"] + people.map { "\($0),80,80" }).joined(separator: "\n"))
            let run = try cli.run("assessment", "import-results", assessment, file, "--json")
            #expect(run.status == 0, "\(run.stderr)")
            return ((try? run.json() as? [String: Any])?["created"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }

        let receiverLog = cli.folder.appendingPathComponent("deliveries.jsonl")
        let serveLog = cli.folder.appendingPathComponent("serve.log")
        let servePort = Self.freePort() + 1
        var receiver = try WebhookReceiver(port: receiverPort, secret: secret, log: receiverLog, delayMilliseconds: 40)
        var serve = try await startServe(cli, port: servePort, log: serveLog)

        // 1. Events while everything runs.
        try results(try workers(0..<10), "r1.csv")
        try await Task.sleep(for: .milliseconds(400))
        // 2. The receiver dies; events go on; deliveries fail and are retried with backoff.
        receiver.kill()
        try results(try workers(10..<20), "r2.csv")
        try await Task.sleep(for: .milliseconds(800))
        // 3. A slow receiver (half a second an answer, so a loaded machine still kills serve with
        //    deliveries in flight), more events, and serve killed as soon as their deliveries begin:
        //    what it had leased and not recorded goes out again once the lease runs out.
        receiver = try WebhookReceiver(port: receiverPort, secret: secret, log: receiverLog, delayMilliseconds: 500)
        let lateWorkers = try workers(20..<40)
        let late = try results(lateWorkers, "r3.csv")
        let certificateIssued = { (d: Delivery) in d.body.contains("certificate.issued") && late.contains { d.body.contains($0) } }
        for _ in 0..<1_000 {
            if Self.deliveries(receiverLog).contains(where: certificateIssued) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(serve.processIdentifier, SIGKILL)
        serve.waitUntilExit()
        #expect(try cli.run("cert", "revoke", try #require(late.first), "--reason", "webhook test").status == 0)
        serve = try await startServe(cli, port: servePort, log: serveLog)
        defer {
            serve.terminate()
            receiver.kill()
        }

        // Wait for the outbox to drain.
        var pending = -1
        for _ in 0..<600 {
            if pending == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
            let list = try cli.run("webhook", "list", "--json")
            pending = ((try? list.json() as? [String: Any])?["messages"] as? [String: Any])?["pending"] as? Int ?? -1
        }
        #expect(pending == 0, "the outbox did not drain")

        // What the outbox holds for the subscription, and what the receiver got.
        let messages = try #require(try cli.run("webhook", "messages", webhookID, "--limit", "500", "--json").json() as? [[String: Any]])
        let ids = Set(messages.compactMap { $0["id"] as? String })
        let events = try #require(try cli.run("events", "--limit", "100000", "--json").json() as? [[String: Any]])
        let wanted = events.filter { e in
            let type = e["type"] as? String ?? ""
            return (e["subjects"] as? [String: Any])?["institution"] as? String == evaluator && (type.hasPrefix("assessment.") || type.hasPrefix("certificate."))
        }
        #expect(messages.count == wanted.count && wanted.count >= 81, "\(messages.count) messages for \(wanted.count) events")
        #expect(Set(messages.compactMap { $0["event"] as? String }) == Set(wanted.compactMap { $0["id"] as? String }))

        let received = Self.deliveries(receiverLog).filter { ids.contains($0.id) }
        let byID = Dictionary(grouping: received, by: \.id)
        let lost = ids.subtracting(byID.filter { $0.value.contains { $0.answered == 204 } }.keys)
        let mismatched = byID.filter { Set($0.value.map(\.body)).count > 1 }
        let badSignatures = received.filter { !$0.valid }
        let retried = messages.filter { ($0["attempts"] as? Int ?? 0) > 1 }.count
        let duplicates = byID.values.filter { $0.count > 1 }.count
        print("webhook delivery (\(store.rawValue)): \(wanted.count) events, \(ids.count) messages, \(received.count) deliveries received, "
              + "\(retried) retried, \(duplicates) received more than once, \(lost.count) lost, \(mismatched.count) mismatched payloads, "
              + "\(badSignatures.count) bad signatures")
        #expect(lost.isEmpty, "lost: \(lost.sorted().prefix(5))")
        #expect(mismatched.isEmpty)
        #expect(badSignatures.isEmpty)
        #expect(messages.allSatisfy { $0["status"] as? String == "delivered" })
        // The receiver was down for a while: some messages needed more than one attempt; and
        // serve died with deliveries in flight, so some arrived twice (at least once, same payload).
        #expect(retried > 0)
        #expect(duplicates > 0)
        // Each payload is the event as the ledger recorded it, by id only.
        for d in received.prefix(5) {
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(d.body.utf8)) as? [String: Any])
            #expect(payload["type"] is String && payload["timestamp"] is String && (payload["data"] as? [String: Any])?["event"] is String)
            #expect(!d.body.contains("工人") && !d.body.contains("E0000"))
        }
        // Nothing of this institution went to the other one's subscription.
        #expect(!Self.deliveries(receiverLog).contains { !ids.contains($0.id) })
    }
}
