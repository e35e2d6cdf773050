import Foundation
import SkillCore
import SkillStorePostgres

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
