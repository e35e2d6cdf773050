import Foundation
import SkillCore
import SkillCrypto
import SkillLedger
import SkillStore
import SkillStoreSQLite

/// The repository's Standards folder.
public let repositoryStandards = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Standards")

/// Opening banks the way the CLI does, on the embedded store.
public enum TestBanks {
    /// Opens (creating on first use) a bank in a SQLite file, its secrets beside it.
    public static func open(
        sqlite path: String, standards: URL? = repositoryStandards, keyPassphrase: SecretBytes? = nil, checksKeyPassphrase: Bool = true,
        secretPath: String? = nil, singleConnection: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(SkillError) -> (bank: Bank, created: Bool) {
        var configuration = Bank.Configuration(besideDatabase: path, secretPath: secretPath, standardsDirectory: standards, keyPassphrase: keyPassphrase)
        configuration.checksKeyPassphrase = checksKeyPassphrase
        let store = try SQLiteStore(path: path, options: .init(singleConnection: singleConnection))
        return try Bank.open(store, configuration: configuration, clock: clock)
    }
}
