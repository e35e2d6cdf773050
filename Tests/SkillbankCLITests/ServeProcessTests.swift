import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

    @Test func serveOverASocketAndStopCleanly() async throws {
        let cli = try CLI()
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port)]
        process.currentDirectoryURL = cli.folder
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var up = false
        for _ in 0..<100 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = (try? await get("http://127.0.0.1:\(port)/healthz"))?.0 == 200
        }
        #expect(up)
        let tokenFile = cli.folder.appendingPathComponent("skillbank.sqlite.operator-token")
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let token = try String(contentsOf: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await get("http://127.0.0.1:\(port)/v1/institutions").0 == 401)
        let (status, body) = try await get("http://127.0.0.1:\(port)/v1/institutions", token: token, method: "POST",
                                           body: #"{"name":"评价中心","kind":"social","code":"\#(CLIFlowTests.uscc("51440000MJ0000001"))","province":"44"}"#)
        #expect(status == 201 && body.contains("did:key:z6Mk"))
        let page = try await get("http://127.0.0.1:\(port)/verify")
        #expect(page.0 == 200 && page.1.contains("Certificate verification"))
        process.interrupt()  // SIGINT: in-flight requests finish, the database closes
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("verification page: http://127.0.0.1:\(port)/verify"))
        #expect(log.contains("operator token written to"))
        #expect(!log.contains(token))
        // The bank survives the restart and the token file is not remade.
        #expect(try cli.run("institution", "list").stdout.contains("评价中心"))
    }
}
