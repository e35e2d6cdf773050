import Foundation
import SkillTestSupport
import Testing

/// Which store the CLI's bank is on in a test: the default SQLite file, or a fresh PostgreSQL
/// database (`SKILLBANK_STORE_URL`) when the tests have a server (see `TestPostgres`).
typealias CLIStore = StoreKind

extension StoreKind: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// Runs the built `skillbank` binary as a user would, in a scratch folder.
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// The last line of stdout: where register/publish/enrol print the new id.
        var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    let folder: URL
    /// Variables every run gets (the store's URL for a bank on PostgreSQL).
    let baseEnvironment: [String: String]
    let store: CLIStore

    init(store: CLIStore = .sqlite) throws {
        folder = try ScratchFolder.make("skillbank-cli")
        self.store = store
        baseEnvironment = store == .postgres ? ["SKILLBANK_STORE_URL": try TestPostgres.freshDatabase("cli")] : [:]
    }

    /// The store's URL, for a bank on PostgreSQL.
    var storeURL: String? { baseEnvironment["SKILLBANK_STORE_URL"] }

    /// The binary sits beside the test bundle in the build folder.
    static let binary: URL = {
        if let explicit = ProcessInfo.processInfo.environment["SKILLBANK_BIN"] { return URL(fileURLWithPath: explicit) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("skillbank")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/skillbank")
    }()

    @discardableResult
    func run(_ arguments: String..., environment: [String: String] = [:]) throws -> Result {
        try run(arguments, environment: environment)
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        for key in ["SKILLBANK_DB", "SKILLBANK_SECRET_FILE", "SKILLBANK_STORE_URL"] { env[key] = nil }
        env.merge(baseEnvironment) { _, new in new }
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
