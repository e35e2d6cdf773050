import Foundation
import SkillCore
import SkillLedger
import SkillStore
import SkillStorePostgres
import SkillStoreSQLite

/// The PostgreSQL server tests run against: `SKILLBANK_TEST_POSTGRES_URL` (which `.ci/run` exports
/// after starting a throw-away cluster). Without it the PostgreSQL runs are skipped, and say so;
/// under CI (`CI` set) its absence fails the suite.
public enum TestPostgres {
    public static let url: String? = ProcessInfo.processInfo.environment["SKILLBANK_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    public static let isCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false
    public static let skipNote = "PostgreSQL runs skipped: SKILLBANK_TEST_POSTGRES_URL is not set (.ci/run starts a server and sets it)"

    /// A new, empty database on the test server, as a store URL. Each test gets its own.
    public static func freshDatabase(_ prefix: String = "t") throws -> String {
        guard let url else { throw SkillError(.usage, skipNote) }
        let address = try PostgresStore.Address(url: url)
        let name = "skillbank_\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try PostgresStore.createDatabase(name, on: address)
        var copy = address
        copy.database = name
        return copy.url
    }
}

/// The kind of store a test's bank is on: the default SQLite file, or a fresh PostgreSQL
/// database when the tests have a server.
public enum StoreKind: String, Sendable, CaseIterable {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"

    /// The kinds there are to test on here.
    public static let all: [StoreKind] = TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A new store of this kind: a file in `folder`, or a new database.
    public func makeStore(in folder: URL) throws -> any Store {
        switch self {
        case .sqlite: try SQLiteStore(path: folder.appendingPathComponent("bank.sqlite").path)
        case .postgres: try PostgresStore(url: try TestPostgres.freshDatabase("bank"))
        }
    }

    /// A new bank on a new store of this kind, its secrets in `folder`.
    public func openBank(in folder: URL, standards: URL = repositoryStandards, clock: @escaping @Sendable () -> Date = { Date() }) throws -> Bank {
        let configuration = Bank.Configuration(besideDatabase: folder.appendingPathComponent("bank").path, standardsDirectory: standards)
        return try Bank.open(try makeStore(in: folder), configuration: configuration, clock: clock).bank
    }

    /// Everything the store holds, as bytes a scan can search: the SQLite file and its WAL, or a
    /// `pg_dump` of the database with every bytea value also decoded from its hex form.
    public func rawContents(of store: any Store) throws -> [(what: String, bytes: [UInt8])] {
        switch self {
        case .sqlite:
            return try ["", "-wal"].map { suffix in
                (store.location + suffix, Array(try Data(contentsOf: URL(fileURLWithPath: store.location + suffix))))
            }
        case .postgres:
            guard let pg = store as? PostgresStore else { return [] }
            let dump = Process()
            dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            dump.arguments = ["pg_dump", "--no-owner", "-h", pg.address.host, "-p", String(pg.address.port), "-U", pg.address.user, pg.address.database]
            let out = Pipe()
            dump.standardOutput = out
            try dump.run()
            let text = out.fileHandleForReading.readDataToEndOfFile()
            dump.waitUntilExit()
            guard dump.terminationStatus == 0 else { throw SkillError(.storeFailure, "pg_dump failed", field: pg.location) }
            // Every bytea value (`\\x` and hex digits) decoded, each followed by a 0; one pass
            // over the dump (the stored Standards hold a 1.4 MB catalogue).
            var decoded: [UInt8] = []
            let bytes = [UInt8](text)
            var i = 0
            while i + 1 < bytes.count {
                guard bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "x") else { i += 1; continue }
                i += 2
                var any = false
                while i + 1 < bytes.count, let high = Self.nibble(bytes[i]), let low = Self.nibble(bytes[i + 1]) {
                    decoded.append(high << 4 | low)
                    i += 2
                    any = true
                }
                if any { decoded.append(0) }
            }
            return [("pg_dump of \(pg.location)", Array(text)), ("bytea values of \(pg.location)", decoded)]
        }
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
