import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillStore
import SkillStorePostgres
import SkillStoreSQLite

/// `skillbank-bench stores`: the same flows on the SQLite file and on PostgreSQL, in one run.
///
/// A bank of `--people` workers with `--per-person` completed courses each (a million postings
/// at the defaults) is built in a SQLite file through the CSV imports, then moved into a new
/// PostgreSQL database with `Bank.migrate` (timed: it is what an operator runs). From the same
/// starting rows, each store then runs `record` for random workers, results one per transaction,
/// results imported 1,000 per transaction, verifications as the server makes them (the change
/// version read, then the cached verifier), and HTTP verification with wrk against one and two
/// `serve` processes.
func storesBenchmark() throws {
    guard let server = stringOption("--postgres") ?? ProcessInfo.processInfo.environment["SKILLBANK_BENCH_POSTGRES_URL"] else {
        print("usage: skillbank-bench stores --postgres postgres://user@host:port/db [--people 100000] [--per-person 10] [--results 500]")
        print("                              [--bulk 10000] [--verifications 5000] [--record-samples 1000] [--cli .build/release/skillbank]")
        print("                              [--http-seconds 10]   (the URL names a database to connect to; a new one is created)")
        exit(64)
    }
    let peopleCount = option("--people", 100_000)
    let perPerson = option("--per-person", 10)
    let singles = option("--results", 500)
    let bulk = option("--bulk", 10_000)
    let verifications = option("--verifications", 5_000)
    let recordSamples = option("--record-samples", 1_000)
    let httpSeconds = option("--http-seconds", 10)
    let cli = stringOption("--cli")
    var rng = SplitMix64(state: 20_261_206)

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skillbank-bench-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let sqlitePath = folder.appendingPathComponent("bank.sqlite").path
    let configuration = Bank.Configuration(besideDatabase: sqlitePath, standardsDirectory: standardsFolder)
    let sqlite = try Bank.open(try SQLiteStore(path: sqlitePath), configuration: configuration).bank
    print("bench folder: \(folder.path); \(peopleCount) people × \(perPerson) completions")

    // Set-up (not measured): the population, an evaluator and candidates for both issuance runs.
    let (setup, setupSeconds) = try time { try populate(sqlite, folder: folder, people: peopleCount, perPerson: perPerson, singles: singles, bulk: bulk, rng: &rng) }
    print(String(format: "set-up on SQLite           %.1f s", setupSeconds))

    // The move: every row into PostgreSQL, checked as a bank before it commits.
    var address = try PostgresStore.Address(url: server)
    let database = "skillbank_bench_\(UUID().uuidString.prefix(8).lowercased())"
    try PostgresStore.createDatabase(database, on: address)
    address.database = database
    let pgStore = try PostgresStore(address)
    let (moved, moveSeconds) = try time { try Bank.migrate(from: sqlite.store, to: pgStore, configuration: configuration) }
    let rows = moved.tables.reduce(0) { $0 + $1.rows }
    print(String(format: "migrate-store to PostgreSQL %d rows in %.1f s = %.0f rows/s (copy, audit and reconcile in one transaction)",
                 rows, moveSeconds, Double(rows) / moveSeconds))
    let postgres = try Bank.open(pgStore, configuration: configuration).bank

    var lines: [String] = []
    var figures: [String: [String: Double]] = [:]
    for (name, bank) in [("SQLite", sqlite), ("PostgreSQL", postgres)] {
        var f: [String: Double] = [:]
        // record at a million postings.
        var samples: [Double] = []
        for _ in 0..<recordSamples {
            let person = setup.people.randomElement(using: &rng)!
            samples.append(try time { try bank.accounts.record(of: person) }.1)
        }
        f["record median ms"] = percentile(samples, 0.5) * 1000
        f["record p99 ms"] = percentile(samples, 0.99) * 1000
        // Results one per transaction (the first warms the status lists and the key).
        let candidates = setup.candidates
        _ = try bank.issuance.recordResult(assessment: setup.single, person: candidates[0], theory: 80, practical: 80)
        let (_, singleSeconds) = try time {
            for p in candidates[1..<singles] { _ = try bank.issuance.recordResult(assessment: setup.single, person: p, theory: 80, practical: 80) }
        }
        f["single results/s"] = Double(singles - 1) / singleSeconds
        // Results imported 1,000 per transaction.
        var issued = 0
        var bulkSeconds = 0.0
        for chunk in stride(from: singles, to: singles + bulk, by: 1_000) {
            let slice = Array(candidates[chunk..<min(chunk + 1_000, singles + bulk)])
            let url = folder.appendingPathComponent("results-\(name)-\(chunk).csv")
            try writeCSV(url, header: "person,theory,practical", rows: slice.count) { "\(slice[$0]),75,82" }
            let (count, s) = try time { try bank.issuance.importResults(assessment: setup.bulk, from: url).certificates }
            issued += count
            bulkSeconds += s
        }
        precondition(issued == bulk, "\(name): bulk issuance issued \(issued) of \(bulk)")
        f["bulk issuance/s"] = Double(issued) / bulkSeconds
        // Verification as the server makes it: the change version read from the store, then the
        // verifier built from the trust list and status lists (rebuilt only when it moved).
        let exported = try bank.certificates.certificates(of: candidates[1]).map { try JSONParser().parse(try bank.certificates.export($0.id, format: .vc)) }
        var version = try bank.changeVersion()
        var verifier = CredentialVerifier(trustList: try bank.registration.trustList(), statusLists: try bank.certificates.allStatusLists())
        let (_, verifySeconds) = try time {
            for i in 0..<verifications {
                let now = try bank.changeVersion()
                if now != version {
                    verifier = CredentialVerifier(trustList: try bank.registration.trustList(), statusLists: try bank.certificates.allStatusLists())
                    version = now
                }
                precondition(verifier.verify(credential: exported[i % exported.count]).isValid)
            }
        }
        f["verifications/s"] = Double(verifications) / verifySeconds
        figures[name] = f
    }

    // HTTP verification with wrk, against one and then two serve processes on each store.
    if let cli {
        let number = try sqlite.certificates.certificates(of: setup.candidates[1])[0].id
        let credential = try sqlite.certificates.export(number, format: .vc)
        let body = folder.appendingPathComponent("body.json")
        try Data(#"{"credential":\#(credential)}"#.utf8).write(to: body)
        let script = folder.appendingPathComponent("verify.lua")
        try Data("""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            local f = io.open("\(body.path)", "r"); wrk.body = f:read("*a"); f:close()
            """.utf8).write(to: script)
        let secrets = ["--secret-file", configuration.secretPath, "--key-passphrase-file", configuration.keyPassphrasePath]
        for (name, store) in [("SQLite", ["--db", sqlitePath]), ("PostgreSQL", ["--store", address.url])] {
            for servers in [1, 2] {
                let ports = (0..<servers).map { 18_600 + $0 }
                let processes = try ports.map { port in
                    try startServe(cli, store + secrets + ["--port", String(port), "--rate-limit", "1000000000"], folder: folder, port: port)
                }
                defer { for p in processes { p.terminate(); p.waitUntilExit() } }
                let results = try runWrk(script: script.path, ports: ports, seconds: httpSeconds)
                figures[name, default: [:]]["http verify req/s, \(servers) serve"] = results.rate
                figures[name, default: [:]]["http verify p99 ms, \(servers) serve"] = results.p99
            }
        }
    } else {
        lines.append("(HTTP runs skipped: pass --cli .build/release/skillbank)")
    }

    print("")
    print("figure                                  SQLite   PostgreSQL   PostgreSQL/SQLite")
    let order = ["bulk issuance/s", "single results/s", "verifications/s", "record median ms", "record p99 ms",
                 "http verify req/s, 1 serve", "http verify p99 ms, 1 serve", "http verify req/s, 2 serve", "http verify p99 ms, 2 serve"]
    for key in order {
        guard let a = figures["SQLite"]?[key], let b = figures["PostgreSQL"]?[key] else { continue }
        print(key.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: " %10.2f %12.2f %12.2f", a, b, b / a))
    }
    for line in lines { print(line) }
    print(String(format: "(record at %d postings, %d samples; %d single results; %d bulk; %d verifications)", setup.postings, recordSamples,
                 singles - 1, bulk, verifications))
}

/// What `populate` made.
struct Population {
    let people: [String]
    let candidates: [String]
    let single: String
    let bulk: String
    let postings: Int
}

/// Institutions, courses, `people` workers with `perPerson` completed (or failed, or withdrawn)
/// courses each, through the CSV imports; an evaluator with two assessments, the first `singles`
/// workers candidates in one and the next `bulk` in the other.
func populate(_ bank: Bank, folder: URL, people count: Int, perPerson: Int, singles: Int, bulk bulkCount: Int, rng: inout SplitMix64) throws -> Population {
    var courses: [String] = []
    let occupations = bank.standards.occupations
    for n in 0..<5 {
        let first17 = "52440300MJ" + String(format: "%07d", n)
        let i = try bank.registration.registerInstitution(.init(
            name: "基准培训机构\(n)", kind: .training, code: first17 + String(USCC.checkCharacter(for: first17)!), province: "44"))
        for o in occupations { _ = try bank.registration.accredit(i.id, occupation: o.code, levels: o.levels, from: CalendarDate(iso: "2020-01-01")) }
        for c in 0..<100 {
            let o = occupations[(n * 7 + c) % occupations.count]
            courses.append(try bank.training.publishCourse(.init(
                institutionID: i.id, title: "课程\(n)-\(c)", occupation: o.code, level: o.levels[c % o.levels.count],
                hours: Int.random(in: 8...160, using: &rng))).id)
        }
    }
    let peopleCSV = folder.appendingPathComponent("people.csv")
    try writeCSV(peopleCSV, header: "name,id_type,id_number", rows: count) { "工人\($0),resident,\(residentID($0))" }
    let peopleReport = try bank.imports.importCSV(.people, from: peopleCSV)
    precondition(peopleReport.committed, "people import failed: \(peopleReport.problems.prefix(3))")
    let ids = try column(bank, StoreTable("people", ["id"], orderBy: "id"))
    let enrolCSV = folder.appendingPathComponent("enrolments.csv")
    try writeCSV(enrolCSV, header: "person,course", rows: ids.count * perPerson) { i in
        "\(ids[i / perPerson]),\(courses[((i / perPerson) * 31 + (i % perPerson) * 17) % courses.count])"
    }
    let enrolled = try bank.imports.importCSV(.enrolments, from: enrolCSV)
    precondition(enrolled.committed, "enrolment import failed: \(enrolled.problems.prefix(3))")
    let enrolments = try column(bank, StoreTable("enrolments", ["id"], orderBy: "id"))
    let completionCSV = folder.appendingPathComponent("completions.csv")
    var outcomes: [String] = []
    for _ in enrolments {
        let r = Int.random(in: 0..<100, using: &rng)
        outcomes.append(r < 90 ? "completed" : (r < 97 ? "failed" : "withdrawn"))
    }
    try writeCSV(completionCSV, header: "enrolment,outcome", rows: enrolments.count) { "\(enrolments[$0]),\(outcomes[$0])" }
    let completed = try bank.imports.importCSV(.completions, from: completionCSV)
    precondition(completed.committed, "completion import failed: \(completed.problems.prefix(3))")

    let first17 = "51440000MJ0000001"
    let evaluator = try bank.registration.registerInstitution(.init(
        name: "基准评价机构", kind: .social, code: first17 + String(USCC.checkCharacter(for: first17)!), province: "44"))
    _ = try bank.registration.accredit(evaluator.id, occupation: "6-31-01-03", levels: [5, 4, 3], from: CalendarDate(iso: "2020-01-01"))
    let single = try bank.issuance.scheduleAssessment(institution: evaluator.id, occupation: "6-31-01-03", level: 4)
    let bulk = try bank.issuance.scheduleAssessment(institution: evaluator.id, occupation: "6-31-01-03", level: 3)
    precondition(ids.count >= singles + bulkCount, "--people must be at least --results + --bulk")
    let chosen = Array(ids.prefix(singles + bulkCount))
    for (i, p) in chosen.enumerated() {
        try bank.issuance.enrolCandidate(assessment: i < singles ? single.id : bulk.id, person: p, override: "benchmark")
    }
    let postings = try bank.store.read { tx in try tx.tables.count(StoreTable("postings", ["id"], orderBy: "id")) }
    return Population(people: ids, candidates: chosen, single: single.id, bulk: bulk.id, postings: postings)
}

/// The first column of a table's rows, in order, from any store.
func column(_ bank: Bank, _ table: StoreTable) throws -> [String] {
    try bank.store.read { tx in
        var values: [String] = []
        try tx.tables.forEachBatch(of: table, batch: 10_000) { rows in
            for row in rows { if case .text(let s) = row[0] { values.append(s) } }
        }
        return values
    }
}

/// Starts `skillbank serve` and waits until it answers.
func startServe(_ cli: String, _ arguments: [String], folder: URL, port: Int) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: cli)
    process.arguments = ["serve"] + arguments
    process.currentDirectoryURL = folder
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    for _ in 0..<200 {
        if (try? output(of: "/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/healthz"], discardingErrors: true)) != nil { return process }
        Thread.sleep(forTimeInterval: 0.05)
    }
    process.terminate()
    throw SkillError(.storeFailure, "serve did not start", field: arguments.joined(separator: " "))
}

/// wrk against every port at once (one wrk each): summed requests per second and the worst p99.
func runWrk(script: String, ports: [Int], seconds: Int) throws -> (rate: Double, p99: Double) {
    let runs = try ports.map { port -> (Process, Pipe) in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t1", "-c16", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)/v1/verify"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        return (process, pipe)
    }
    var rate = 0.0
    var p99 = 0.0
    for (process, pipe) in runs {
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.first == "Requests/sec:", let value = Double(fields[1]) { rate += value }
            if fields.first == "99%", fields.count > 1 { p99 = max(p99, milliseconds(String(fields[1]))) }
            if fields.first == "Non-2xx" { print("wrk: \(line)") }
        }
    }
    return (rate, p99)
}

/// wrk's latency text ("812.00us", "3.21ms", "1.02s") in milliseconds.
func milliseconds(_ text: String) -> Double {
    for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(suffix) {
        return (Double(text.dropLast(suffix.count)) ?? .nan) * scale
    }
    return .nan
}
