import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SkillCore
import SkillLedger
import SkillServer

/// Decisions for a whole population, and webhook delivery throughput.
///
/// - Decisions: for each generated worker, every eligibility rule (`ConversionEngine.evaluate`)
///   and every subsidy option (`SubsidyEngine.options`), first on one core, then split over
///   every core. The engines are pure, so the split needs no locking.
/// - Webhooks: `--messages` events for a subscribed institution, delivered by the server's
///   `WebhookDeliverer` (lease, sign, POST, record each outcome) to a receiver in this process,
///   next to a plain loop that POSTs the same bodies with the same concurrency and records nothing.
func platformBenchmark() throws {
    let population = option("--population", 100_000)
    let messages = option("--messages", 2_000)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skillbank-bench-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let ledger = try openBank(folder.appendingPathComponent("bank.sqlite").path)

    // Decisions.
    var rng = SplitMix64(state: 26)
    let occupations = ledger.standards.occupations
    let asOf = CalendarDate(iso: "2026-12-07")!
    var people: [(LearningRecord, SubsidyFacts)] = []
    people.reserveCapacity(population)
    for i in 0..<population {
        let record = generatedWorker(i, occupations: occupations, issuedIn: 4...6, asOf: asOf, using: &rng)
        let certificates = record.certificates
        let insurance = Int.random(in: 0..<4, using: &rng) == 0 ? nil
            : InsuranceStanding(months: Int.random(in: 0...60, using: &rng), receivesBenefit: Int.random(in: 0..<10, using: &rng) == 0, asOf: asOf)
        let claims = certificates.prefix(Int.random(in: 0...1, using: &rng)).map { c in
            SubsidyClaim(id: "clm\(i)", programme: "skill-upgrade", personID: "p\(i)", payee: "p\(i)", evidence: c.id, occupation: c.occupation,
                         level: c.level ?? 5, amountFen: 100_000, status: .paid, appliedOn: asOf, appliedAt: "", decision: [:])
        }
        people.append((record, SubsidyFacts(personID: "p\(i)", certificates: certificates, completions: [], insurance: insurance, claims: claims, asOf: asOf)))
    }
    let conversion = ConversionEngine(standards: ledger.standards)
    let subsidies = SubsidyEngine(programmes: ledger.standards.subsidies)
    @Sendable func decide(_ slice: ArraySlice<(LearningRecord, SubsidyFacts)>) -> (eligible: Int, claimable: Int) {
        var eligible = 0, claimable = 0
        for (record, facts) in slice {
            eligible += conversion.evaluate(record).filter(\.applies).count
            claimable += subsidies.options(facts).filter(\.applies).count
        }
        return (eligible, claimable)
    }
    let everyone = people
    let (one, oneCore) = time { decide(everyone[...]) }
    // The two engines apart, on one core.
    let (_, subsidyOnly) = time { everyone.reduce(0) { $0 + subsidies.options($1.1).count } }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let chunk = (everyone.count + cores - 1) / cores
    let (_, allCores) = time {
        DispatchQueue.concurrentPerform(iterations: cores) { k in
            _ = decide(everyone[min(k * chunk, everyone.count)..<min((k + 1) * chunk, everyone.count)])
        }
    }
    print(String(format: "decisions, one core        %.0f workers/s (%d workers: %d eligibility outcomes apply, %d subsidy claims possible; %.2f s)",
                 Double(population) / oneCore, population, one.eligible, one.claimable, oneCore))
    print(String(format: "  of which subsidy options  %.0f workers/s alone (%.2f s); eligibility rules the rest", Double(population) / subsidyOnly, subsidyOnly))
    print(String(format: "decisions, %d cores         %.0f workers/s (%.2f s, %.2f× one core)", cores, Double(population) / allCores, allCores, oneCore / allCores))

    // Webhooks: events for a subscribed institution, then deliveries.
    let first17 = "52440300MJ0000001"
    let school = try ledger.registration.registerInstitution(.init(name: "基准培训机构", kind: .training, code: first17 + String(USCC.checkCharacter(for: first17)!),
                                                                 province: "44"))
    _ = try ledger.registration.accredit(school.id, occupation: "6-31-01-03", levels: [5, 4, 3], from: CalendarDate(iso: "2020-01-01"))
    let received = Counter()
    let port = Int.random(in: 50_000...59_000)
    let router = Router()
    router.post("/hook") { request, _ -> HTTPResponse.Status in
        _ = try await request.body.collect(upTo: 1 << 20)
        received.add()
        return .noContent
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() })
    let (webhook, _) = try ledger.webhooks.subscribe(institution: school.id, url: "http://127.0.0.1:\(port)/hook", eventTypes: ["course.*"])
    for i in 0..<messages {
        _ = try ledger.training.publishCourse(.init(institutionID: school.id, title: "课程\(i)", occupation: "6-31-01-03", level: 4, hours: 8))
    }
    let bodies = try ledger.webhooks.messages(webhook: webhook.id, limit: messages).map(\.payload)
    let result = Box<(outbox: Double, plain: Double)>()
    let done = DispatchSemaphore(value: 0)
    Task {
        defer { done.signal() }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.runService() }
                try await Task.sleep(for: .milliseconds(300))
                // The outbox, as serve runs it.
                var configuration = WebhookDeliveryConfiguration()
                configuration.pollMilliseconds = 5
                let deliverer = WebhookDeliverer(bank: ledger, configuration: configuration, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
                let start = ContinuousClock.now
                let run = Task { await deliverer.run() }
                while (try ledger.webhooks.counts()[.delivered] ?? 0) < messages { try await Task.sleep(for: .milliseconds(2)) }
                let outbox = seconds(ContinuousClock.now - start)
                run.cancel()
                // Plain POSTs of the same bodies, 8 at a time, nothing leased or recorded.
                let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
                let plainStart = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { posts in
                    var next = 0
                    func post(_ body: String) async throws {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hook")
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: body))
                        _ = try await client.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 16)
                    }
                    for _ in 0..<min(8, bodies.count) {
                        let body = bodies[next]
                        next += 1
                        posts.addTask { try await post(body) }
                    }
                    while try await posts.next() != nil, next < bodies.count {
                        let body = bodies[next]
                        next += 1
                        posts.addTask { try await post(body) }
                    }
                }
                let plain = seconds(ContinuousClock.now - plainStart)
                try await client.shutdown()
                result.value = (outbox, plain)
                group.cancelAll()
            }
        } catch {
            print("webhook run failed: \(error)")
        }
    }
    done.wait()
    if let (outbox, plain) = result.value {
        print(String(format: "webhooks, outbox           %.0f deliveries/s (%d messages leased, signed, posted and recorded; %.2f s)",
                     Double(messages) / outbox, messages, outbox))
        print(String(format: "webhooks, plain POSTs      %.0f deliveries/s (the same bodies, 8 at a time; %.2f s); outbox = %.2f× plain",
                     Double(messages) / plain, plain, plain / outbox))
        print("receiver counted \(received.value) requests")
    }
}

/// A counter several tasks add to.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

/// A value set by one task and read after it finished.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
