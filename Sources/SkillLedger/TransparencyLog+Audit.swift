import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto

/// What `log audit` found.
public struct LogAuditReport: Sendable {
    public let leaves: Int
    public let checkpoints: Int
    /// The first divergence: the table and index where the stored data stops agreeing.
    public let divergence: (table: String, index: Int, message: String)?
    public var isClean: Bool { divergence == nil }

    public var json: JSONValue {
        [
            "clean": .bool(isClean), "leaves": .int(leaves), "checkpoints": .int(checkpoints),
            "divergence": divergence.map { ["table": .string($0.table), "index": .int($0.index), "message": .string($0.message)] } ?? .null,
        ]
    }
}

extension Ledger {
    /// Recomputes every leaf from the stored events, every stored subtree hash from the leaves,
    /// every checkpoint's root and signature, and consistency between consecutive checkpoints.
    /// Any edited, inserted or deleted row in `events`, `log_nodes` or `checkpoints` is named.
    public func auditLog() throws(SkillError) -> LogAuditReport {
        let origin = logOrigin
        return try read { db in
            // 1. Events: contiguous sequence numbers, and each leaf is the hash of its event.
            var leaves: [[UInt8]] = []
            var expectedSeq = 1
            let events = try Row.fetchCursor(db, sql: "SELECT seq, canonical FROM events ORDER BY seq")
            let stored = try Row.fetchCursor(db, sql: "SELECT idx, hash FROM log_nodes WHERE level = 0 ORDER BY idx")
            while let e = try events.next() {
                let seq: Int = e[0]
                if seq != expectedSeq {
                    return LogAuditReport(leaves: leaves.count, checkpoints: 0, divergence: ("events", expectedSeq - 1, "event seq \(expectedSeq) is missing (deleted row)"))
                }
                let leaf = MerkleTree.leafHash(Array(e[1] as Data))
                guard let s = try stored.next() else {
                    return LogAuditReport(leaves: leaves.count, checkpoints: 0, divergence: ("log_nodes", seq - 1, "event seq \(seq) has no leaf (deleted or never appended)"))
                }
                guard s[0] as Int == seq - 1, Array(s[1] as Data) == leaf else {
                    return LogAuditReport(leaves: leaves.count, checkpoints: 0,
                                          divergence: ("events", seq - 1, "leaf \(seq - 1) does not match event seq \(seq): the event or its leaf was edited"))
                }
                leaves.append(leaf)
                expectedSeq += 1
            }
            if let extra = try stored.next() {
                return LogAuditReport(leaves: leaves.count, checkpoints: 0, divergence: ("log_nodes", extra[0], "leaf \(extra[0] as Int) has no event (inserted row or deleted event)"))
            }
            // 2. Every stored subtree hash is the hash of its children.
            var level = leaves
            var depth = 0
            var expectedNodes = leaves.count
            while level.count > 1 {
                let parents = stride(from: 0, to: level.count - 1, by: 2).map { MerkleTree.nodeHash(level[$0], level[$0 + 1]) }
                depth += 1
                let rows = try Row.fetchAll(db, sql: "SELECT idx, hash FROM log_nodes WHERE level = ? ORDER BY idx", arguments: [depth])
                for (i, p) in parents.enumerated() where i >= rows.count || rows[i][0] as Int != i || Array(rows[i][1] as Data) != p {
                    return LogAuditReport(leaves: leaves.count, checkpoints: 0, divergence: ("log_nodes", i, "subtree hash at level \(depth) index \(i) is wrong or missing"))
                }
                if rows.count > parents.count {
                    return LogAuditReport(leaves: leaves.count, checkpoints: 0, divergence: ("log_nodes", parents.count, "extra subtree hash at level \(depth)"))
                }
                expectedNodes += parents.count
                level = parents
            }
            let totalNodes = try Int.fetchOne(db, sql: "SELECT count(*) FROM log_nodes") ?? 0
            if totalNodes != expectedNodes {
                return LogAuditReport(leaves: leaves.count, checkpoints: 0, divergence: ("log_nodes", expectedNodes, "\(totalNodes - expectedNodes) unexpected node row(s)"))
            }
            // 3. Checkpoints: root at their size, signed by a registry key, consistent with the one before.
            // The stored nodes were just checked against the recomputed tree, so roots and proofs
            // can come from them (O(log n) reads) instead of hashing the whole tree again.
            let tree = StoredLogNodes(db: db)
            let verifiers = try Ledger.keys(db, Ledger.registryOwner).map { SignedNote.VerifierKey(name: origin, publicKey: $0.publicKey) }
            let checkpoints = try Row.fetchAll(db, sql: "SELECT size, root, note FROM checkpoints ORDER BY size")
            var previous: Checkpoint?
            for (i, row) in checkpoints.enumerated() {
                let size: Int = row[0]
                guard size <= leaves.count, Array(row[1] as Data) == MerkleTree.root(tree, size: size) else {
                    return LogAuditReport(leaves: leaves.count, checkpoints: i, divergence: ("checkpoints", i, "checkpoint \(i) (size \(size)) does not match the tree"))
                }
                guard let opened = try? SignedNote.open(row[2], verifiers: verifiers), let c = try? Checkpoint(text: opened.text),
                    c.size == size, c.rootHash == Array(row[1] as Data)
                else {
                    return LogAuditReport(leaves: leaves.count, checkpoints: i, divergence: ("checkpoints", i, "checkpoint \(i) (size \(size)) is not signed by the registry or differs from its note"))
                }
                if let previous, previous.size > 0 {
                    let proof = MerkleTree.consistencyProof(tree, first: previous.size, second: size)!
                    guard MerkleTree.verifyConsistency(first: previous.size, second: size, firstRoot: previous.rootHash, secondRoot: c.rootHash, proof: proof) else {
                        return LogAuditReport(leaves: leaves.count, checkpoints: i, divergence: ("checkpoints", i, "checkpoint \(i) is not consistent with the one before"))
                    }
                }
                previous = c
            }
            return LogAuditReport(leaves: leaves.count, checkpoints: checkpoints.count, divergence: nil)
        }
    }
}
