import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// What moving a bank to another store copied and proved.
public struct StoreMigrationReport: Sendable {
    public let source: String
    public let target: String
    /// Rows copied, by table, in copy order.
    public let tables: [(name: String, rows: Int)]
    public let logLeaves: Int
    /// The log's root at `logLeaves`, the same on both stores.
    public let root: [UInt8]
    /// Checkpoints on the copy, every one verified with the registry's key.
    public let checkpoints: Int

    public var json: JSONValue {
        [
            "source": .string(source), "target": .string(target),
            "tables": .object(Dictionary(uniqueKeysWithValues: tables.map { ($0.name, JSONValue.int($0.rows)) })),
            "log_leaves": .int(logLeaves), "root": .string(Hex.encode(root)), "checkpoints": .int(checkpoints), "audit": "clean", "reconciles": true,
        ]
    }
}

extension Bank {
    /// Copies the bank in `source` into the empty store `target`, table by table in batches, in
    /// one unit of work on the target read from one snapshot of the source. Before that unit
    /// commits, the copy is opened as a bank (with the same secret) and must show the same rows per
    /// table, the same log root, every checkpoint verified with the registry's key, a clean log
    /// audit and a ledger that reconciles; anything short of that rolls the whole copy back and
    /// the error says what differed.
    /// - Parameters:
    ///   - progress: called after each batch with the table, rows copied and rows in all.
    /// - Throws: `ledger.not-initialised` when the source holds no bank, `input.usage` when the
    ///   target already holds a bank or rows, `backup.invalid` when the copy differs (nothing is left
    ///   in the target), `secret.*`, `store.*`.
    public static func migrate(
        from source: any Store, to target: any Store, configuration: Configuration, batch: Int = 5_000,
        progress: (String, Int, Int) -> Void = { _, _, _ in }
    ) throws(SkillError) -> StoreMigrationReport {
        // The source must be a bank (never one made here by opening an empty store) that this secret opens.
        guard try source.read({ tx in try tx.meta.value("secret_check") != nil }) else {
            throw SkillError(.notInitialised, "there is no bank in \(source.location) to copy", field: "--store")
        }
        _ = try Bank.open(source, configuration: configuration)
        return try source.read { from in
            try target.write { to in
                let copied = try StoreTable.copyLedger(from: from, to: to, batch: batch, progress: progress)
                // The log: the same size and root, the same newest checkpoint.
                let leaves = try from.log.leafCount()
                let root = try MerkleTree.root(StoredLogNodes(log: from.log), size: leaves)
                guard try to.log.leafCount() == leaves, try MerkleTree.root(StoredLogNodes(log: to.log), size: leaves) == root else {
                    throw differed("the log's root at \(leaves) leaves is not the source's")
                }
                guard try from.log.checkpoints().last?.note == to.log.checkpoints().last?.note else {
                    throw differed("the newest checkpoint is not the source's")
                }
                // The copy as a bank: it opens with this secret, its log audits clean (every
                // checkpoint verified with the registry's key) and its ledger reconciles.
                let copy = try Bank.open(PinnedStore(to, location: target.location), configuration: configuration).bank
                let audit = try copy.log.audit()
                if let d = audit.divergence { throw differed("the copy's log does not audit: \(d.table) \(d.index): \(d.message)") }
                let reconciliation = try copy.accounts.reconcile()
                guard reconciliation.isBalanced else {
                    throw differed("the copy's ledger does not reconcile: \(reconciliation.problems.prefix(3).joined(separator: "; "))")
                }
                return StoreMigrationReport(
                    source: source.location, target: target.location, tables: copied, logLeaves: leaves, root: root, checkpoints: audit.checkpoints)
            }
        }
    }

    private static func differed(_ what: String) -> SkillError {
        SkillError(.backupInvalid, "the copy differs from the source, so nothing was written: \(what)", field: "--to")
    }
}

/// A store whose every unit of work runs inside one open unit of work of another: a bank opened on
/// it sees (and checks) what that unit has written before it commits.
final class PinnedStore: Store, @unchecked Sendable {
    let transaction: any StoreTransaction
    let location: String

    init(_ transaction: any StoreTransaction, location: String) {
        self.transaction = transaction
        self.location = location
    }

    func read<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T {
        do { return try body(transaction) } catch { throw Self.skillError(error) }
    }

    func write<T>(_ body: (any StoreTransaction) throws -> T) throws(SkillError) -> T {
        do { return try transaction.nested { try body(transaction) } } catch { throw Self.skillError(error) }
    }

    /// What a store throws: a `SkillError` as it is, anything else as a store failure.
    private static func skillError(_ error: any Error) -> SkillError {
        error as? SkillError ?? SkillError(.storeFailure, "the store failed", cause: "\(error)")
    }

    func changeVersion() throws(SkillError) -> ChangeVersion { ChangeVersion(source: -1, version: 0) }

    func backup(to path: String) throws(SkillError) -> StoreCopy {
        throw SkillError(.usage, "a store pinned inside a unit of work cannot be backed up", field: path)
    }

    func purgeFreedSpace() throws(SkillError) {}

    func integrityProblems() throws(SkillError) -> [String] { [] }
}
