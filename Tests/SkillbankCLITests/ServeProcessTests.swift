import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SkillTestSupport
import Testing

/// `skillbank serve` as a real process on a real socket: first start creates the bank and
/// the operator token file, requests work over TCP, and SIGTERM shuts it down cleanly.
@Suite struct ServeProcessTests {
    func get(_ url: String, token: String? = nil, method: String = "GET", body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Starts `skillbank serve` in the CLI's folder and waits until /healthz answers.
    func serve(_ cli: CLI, port: Int, output: Any, _ extra: String...) async throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port)] + extra
        process.currentDirectoryURL = cli.folder
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var up = false
        for _ in 0..<100 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = (try? await get("http://127.0.0.1:\(port)/healthz"))?.0 == 200
        }
        #expect(up)
        return process
    }

    /// Two `serve` processes on one PostgreSQL database, over real sockets: a certificate
    /// revoked through one is revoked at the other's next verification (its cache watches the
    /// store's change counter), issuance through both at once hands out each serial once, and
    /// the log is one tree that audits clean.
    @Test(.enabled(if: TestPostgres.url != nil, Comment(rawValue: TestPostgres.skipNote)))
    func twoServeProcessesShareOnePostgreSQLBank() async throws {
        let cli = try CLI(store: .postgres)
        let url = try #require(cli.storeURL)
        #expect(try cli.run("init").status == 0)
        let evaluator = try cli.run("institution", "register", "--name", "评价中心", "--kind", "social", "--code", CLIFlowTests.uscc("51440000MJ0000001"),
                                    "--province", "44").lastLine
        #expect(try cli.run("institution", "accredit", evaluator, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2020-01-01").status == 0)
        let ports = [Int.random(in: 20_000...30_000), Int.random(in: 30_001...40_000)]
        var servers: [Process] = []
        for port in ports { servers.append(try await serve(cli, port: port, output: FileHandle.nullDevice, "--store", url)) }
        defer { for s in servers where s.isRunning { s.terminate() } }
        let token = try String(contentsOf: cli.folder.appendingPathComponent("skillbank.operator-token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let assessment = try cli.run("assessment", "schedule", "--institution", evaluator, "--occupation", "6-31-01-03", "--level", "5").lastLine

        // Forty workers, each through one server or the other, all at once.
        let numbers = try await withThrowingTaskGroup(of: String?.self) { group in
            for n in 0..<40 {
                let base = "http://127.0.0.1:\(ports[n % 2])"
                group.addTask {
                    let (created, person) = try await self.get("\(base)/v1/people", token: token, method: "POST",
                                                               body: #"{"name":"工人","id_type":"passport","id_number":"E\#(String(format: "%08d", n))"}"#)
                    guard created == 201, let id = person.firstMatch(of: /"id":"(per_[0-9A-Z]+)"/)?.1 else { return nil }
                    _ = try await self.get("\(base)/v1/assessments/\(assessment)/candidates", token: token, method: "POST", body: #"{"person":"\#(id)"}"#)
                    let (_, issued) = try await self.get("\(base)/v1/assessments/\(assessment)/results", token: token, method: "POST",
                                                         body: #"{"person":"\#(id)","theory":80,"practical":80}"#)
                    return issued.firstMatch(of: /"number":"([0-9A-Z]+)"/).map { String($0.1) }
                }
            }
            var all: [String] = []
            for try await number in group { if let number { all.append(number) } }
            return all
        }
        #expect(numbers.count == 40 && Set(numbers).count == 40, "\(numbers.count) issued, \(Set(numbers).count) distinct")

        // Verified through B, revoked through A, verified through B again.
        let cert = try #require(numbers.first)
        let exported = try cli.run("cert", "export", cert)
        #expect(exported.status == 0, "\(exported.stderr)")
        let body = #"{"credential":\#(exported.stdout)}"#
        #expect(try await get("http://127.0.0.1:\(ports[1])/v1/verify", method: "POST", body: body).1.contains(#""verdict":"valid""#))
        let (revoked, _) = try await get("http://127.0.0.1:\(ports[0])/v1/certificates/\(cert)/revoke", token: token, method: "POST",
                                         body: #"{"reason":"test"}"#)
        #expect(revoked == 200)
        let after = try await get("http://127.0.0.1:\(ports[1])/v1/verify", method: "POST", body: body).1
        #expect(after.contains(#""verdict":"invalid""#) && after.contains("revoked"), "\(after)")

        for s in servers { s.interrupt(); s.waitUntilExit() }
        let audit = try cli.run("log", "audit")
        #expect(audit.status == 0 && audit.stdout.contains("log clean"), "\(audit.stdout)")
        #expect(try cli.run("check").stdout.contains("ledger reconciles"))
    }

    @Test func serveOverASocketAndStopCleanly() async throws {
        let cli = try CLI()
        let port = Int.random(in: 20_000...40_000)
        let out = Pipe()
        let process = try await serve(cli, port: port, output: out)
        defer { if process.isRunning { process.terminate() } }
        let tokenFile = cli.folder.appendingPathComponent("skillbank.sqlite.operator-token")
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let token = try String(contentsOf: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await get("http://127.0.0.1:\(port)/v1/institutions").0 == 401)
        let (status, body) = try await get("http://127.0.0.1:\(port)/v1/institutions", token: token, method: "POST",
                                           body: #"{"name":"评价中心","kind":"social","code":"\#(CLIFlowTests.uscc("51440000MJ0000001"))","province":"44"}"#)
        #expect(status == 201 && body.contains("did:key:z6Mk"))
        let verified = try await get("http://127.0.0.1:\(port)/v1/verify", method: "POST", body: #"{"jwt":"a.b.c"}"#)
        #expect(verified.0 == 200 && verified.1.contains(#""verdict":"invalid""#))
        let page = try await get("http://127.0.0.1:\(port)/verify")
        #expect(page.0 == 200 && page.1.contains("Certificate verification"))
        // A name sent unencoded in the query is not HTTP: a problem says what to send, not an empty 400.
        let connection = try RawSocket(port: port)
        try connection.send("GET /v1/certificates/lookup?number=S1&name=李明 HTTP/1.1\r\nHost: x\r\n\r\n")
        let unencoded = connection.readAll(timeoutSeconds: 5)
        #expect(unencoded.hasPrefix("HTTP/1.1 400") && unencoded.contains("application/problem+json"), "\(unencoded)")
        #expect(unencoded.contains(#""code":"http.malformed-request""#) && unencoded.contains("percent-encode"))
        #expect(try await get("http://127.0.0.1:\(port)/healthz").0 == 200)  // and the server carries on
        process.interrupt()  // SIGINT: in-flight requests finish, the database closes
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("verification page: http://127.0.0.1:\(port)/verify"))
        // The default base URL is a loopback address: said loudly, with what to do.
        #expect(log.contains("base URL signed into certificates: http://127.0.0.1:8080"))
        #expect(log.contains("WARNING: this bank's base URL is http://127.0.0.1:8080, a loopback address") && log.contains("--base-url"))
        #expect(log.contains("operator token written to"))
        #expect(!log.contains(token))
        // The bank survives the restart and the token file is not remade.
        #expect(try cli.run("institution", "list").stdout.contains("评价中心"))
    }

    /// A slow client cannot hold a connection: one that stops mid-headers is closed after the
    /// idle timeout, one trickling a body gets 408 when the body deadline passes.
    @Test func slowClientsAreCutOff() async throws {
        let cli = try CLI()
        let port = Int.random(in: 40_001...60_000)
        // The idle timeout stays well above the trickle's gaps, so a loaded machine's late wake-ups
        // cannot turn the 408 into a hang-up (at 2 s it did, once, with the whole suite running).
        let process = try await serve(cli, port: port, output: FileHandle.nullDevice, "--idle-timeout", "4", "--body-timeout", "2")
        defer { if process.isRunning { process.terminate() } }
        // Half a request line, then silence: the server hangs up (read returns 0) without answering.
        let stalled = try RawSocket(port: port)
        try stalled.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        let start = ContinuousClock.now
        #expect(stalled.readAll(timeoutSeconds: 10).isEmpty)
        #expect(ContinuousClock.now - start < .seconds(8))
        // A body that trickles one byte per 0.3 s never finishes in time: 408. The gaps are slept
        // on this thread, not the shared task pool, which a busy suite can hold up for seconds.
        let trickle = try RawSocket(port: port)
        try trickle.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        for _ in 0..<10 {
            usleep(300_000)
            try? trickle.send("{")
        }
        let answer = trickle.readAll(timeoutSeconds: 10)
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(80))")
        // The server is still fine for everyone else.
        #expect(try await get("http://127.0.0.1:\(port)/healthz").0 == 200)
    }
}

/// A damaged bank served: the routes that read the lost log nodes answer 500 (the cause in
/// the server's log, never in the reply) and the server stays up for everything else.
@Suite struct DamagedBankServeTests {
    @Test func missingLogNodesAnswer500AndServeStaysUp() async throws {
        let cli = try CLI()
        #expect(try cli.run("demo", "--dir", "d").status == 0)
        // The operator token exists before the damage: making it is a write, and a write on top
        // of a missing last leaf is refused (the store test covers that).
        let token = try cli.run("token", "create", "--role", "operator", "--db", "d/skillbank.sqlite").lastLine
        let tokenFile = cli.folder.appendingPathComponent("d/skillbank.sqlite.operator-token").path
        #expect(FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]))
        let (number, leaf) = try DamagedBank.damage(cli.folder.appendingPathComponent("d/skillbank.sqlite").path)
        let port = Int.random(in: 20_000...40_000)
        let out = Pipe()
        let serve = ServeProcessTests()
        let process = try await serve.serve(cli, port: port, output: out, "--db", "d/skillbank.sqlite")
        defer { if process.isRunning { process.terminate() } }
        let holder = "%E6%9D%8E%E6%98%8E"  // 李明, the demo's worker
        for path in ["/v1/log/proof/inclusion?leaf=\(leaf)", "/v1/certificates/\(number)/bundle?name=\(holder)", "/v1/log/proof/consistency?from=1&to=5"] {
            let (status, body) = try await serve.get("http://127.0.0.1:\(port)\(path)")
            #expect(status == 500 && body.contains(#""code":"internal""#) && !body.contains("level 0"), "\(path): \(status) \(body)")
        }
        #expect(try await serve.get("http://127.0.0.1:\(port)/healthz").0 == 200)
        #expect(process.isRunning)
        process.interrupt()
        process.waitUntilExit()
        let log = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("log.node-missing"))
    }
}

/// A bare TCP client, to behave the way no well-mannered HTTP library will.
final class RawSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Foundation.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Everything the server sends until it closes the connection (the idle timeout sees to
    /// that after an answer) or `timeoutSeconds` pass.
    func readAll(timeoutSeconds: Int) -> String {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
