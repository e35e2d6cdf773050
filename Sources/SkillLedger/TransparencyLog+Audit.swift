import Foundation
import SkillCore
import SkillCredentials
import SkillStore

/// What `log audit` found.
public struct LogAuditReport: Sendable {
    public let leaves: Int
    public let checkpoints: Int
    /// The first divergence: where the stored data stops agreeing (a table, or `events.<column>`),
    /// the index or sequence number, and what is wrong.
    public let divergence: (table: String, index: Int, message: String)?
    /// Leaves of erased events, checked against the commitment kept in place of the event.
    public var commitmentsOnly = 0
    public var isClean: Bool { divergence == nil }

    public var json: JSONValue {
        [
            "clean": .bool(isClean), "leaves": .int(leaves), "checkpoints": .int(checkpoints), "commitments_only": .int(commitmentsOnly),
            "divergence": divergence.map { ["table": .string($0.table), "index": .int($0.index), "message": .string($0.message)] } ?? .null,
        ]
    }
}

extension TransparencyLog {
    /// The columns of a stored event that repeat what its canonical JSON says, and the JSON
    /// member each repeats.
    static let repeatedColumns: [(column: String, member: String, value: @Sendable (StoredEvent) -> String)] = [
        ("id", "id", \.id), ("type", "type", \.type), ("occurred_at", "time", \.occurredAt), ("actor", "actor", \.actor),
    ]

    /// Recomputes every leaf from the stored events, checks every column that repeats the
    /// canonical event, recomputes every stored subtree hash from the leaves, and checks every
    /// checkpoint's root and signature and consistency between consecutive checkpoints. Any
    /// edited, inserted or deleted row is named with its table (or column) and index.
    public func audit() throws(SkillError) -> LogAuditReport {
        let origin = origin
        return try context.read { tx in
            func diverged(_ leaves: Int, _ checkpoints: Int, _ table: String, _ index: Int, _ message: String) -> LogAuditReport {
                LogAuditReport(leaves: leaves, checkpoints: checkpoints, divergence: (table, index, message))
            }
            // 1. Events: contiguous sequence numbers, columns that agree with the canonical
            //    event, and each leaf the hash of its event.
            var leaves: [[UInt8]] = []
            var commitmentsOnly = 0
            var found: LogAuditReport?
            let storedLeaves = try tx.log.nodes(level: 0)
            var expectedSeq = 1
            try tx.log.forEachEvent { event in
                guard found == nil else { return }
                guard event.seq == expectedSeq else {
                    found = diverged(leaves.count, 0, "events", expectedSeq - 1, "event seq \(expectedSeq) is missing (deleted row)")
                    return
                }
                let index = event.seq - 1
                let leaf: [UInt8]
                switch Self.leaf(of: event) {
                case .failure(let problem):
                    found = diverged(leaves.count, 0, problem.column, index, problem.message)
                    return
                case .success(let hash):
                    leaf = hash
                }
                if event.isErased { commitmentsOnly += 1 }
                guard index < storedLeaves.count else {
                    found = diverged(leaves.count, 0, "log_nodes", index, "event seq \(event.seq) has no leaf (deleted or never appended)")
                    return
                }
                guard storedLeaves[index].index == index, storedLeaves[index].hash == leaf else {
                    found = diverged(leaves.count, 0, "events", index, "leaf \(index) does not match event seq \(event.seq): the event or its leaf was edited")
                    return
                }
                // The leaf vouches for the canonical bytes; the columns beside them must agree.
                if !event.isErased, let problem = Self.columnProblem(event) {
                    found = diverged(leaves.count, 0, "events.\(problem.column)", index, problem.message)
                    return
                }
                leaves.append(leaf)
                expectedSeq += 1
            }
            if let found { return found }
            if storedLeaves.count > leaves.count {
                return diverged(leaves.count, 0, "log_nodes", storedLeaves[leaves.count].index, "leaf \(storedLeaves[leaves.count].index) has no event (inserted row or deleted event)")
            }
            // 2. Every stored subtree hash is the hash of its children.
            var level = leaves
            var depth = 0
            var expectedNodes = leaves.count
            while level.count > 1 {
                let parents = stride(from: 0, to: level.count - 1, by: 2).map { MerkleTree.nodeHash(level[$0], level[$0 + 1]) }
                depth += 1
                let rows = try tx.log.nodes(level: depth)
                for (i, p) in parents.enumerated() where i >= rows.count || rows[i].index != i || rows[i].hash != p {
                    return diverged(leaves.count, 0, "log_nodes", i, "subtree hash at level \(depth) index \(i) is wrong or missing")
                }
                if rows.count > parents.count {
                    return diverged(leaves.count, 0, "log_nodes", parents.count, "extra subtree hash at level \(depth)")
                }
                expectedNodes += parents.count
                level = parents
            }
            let totalNodes = try tx.log.nodeCount()
            if totalNodes != expectedNodes {
                return diverged(leaves.count, 0, "log_nodes", expectedNodes, "\(totalNodes - expectedNodes) unexpected node row(s)")
            }
            // 3. Checkpoints: root at their size, signed by a registry key, consistent with the one
            //    before. The stored nodes were just checked against the recomputed tree, so roots
            //    and proofs come from them (O(log n) reads) instead of hashing the whole tree again.
            let tree = StoredLogNodes(log: tx.log)
            let verifiers = try tx.keys.keys(of: registryOwner).map { SignedNote.VerifierKey(name: origin, publicKey: $0.publicKey) }
            let checkpoints = try tx.log.checkpoints()
            var previous: Checkpoint?
            for (i, row) in checkpoints.enumerated() {
                guard row.size <= leaves.count, row.root == (try MerkleTree.root(tree, size: row.size)) else {
                    return diverged(leaves.count, i, "checkpoints", i, "checkpoint \(i) (size \(row.size)) does not match the tree")
                }
                guard let opened = try? SignedNote.open(row.note, verifiers: verifiers), let c = try? Checkpoint(text: opened.text),
                    c.size == row.size, c.rootHash == row.root
                else {
                    return diverged(leaves.count, i, "checkpoints", i, "checkpoint \(i) (size \(row.size)) is not signed by the registry or differs from its note")
                }
                if let previous, previous.size > 0, let proof = try MerkleTree.consistencyProof(tree, first: previous.size, second: row.size) {
                    guard MerkleTree.verifyConsistency(first: previous.size, second: row.size, firstRoot: previous.rootHash, secondRoot: c.rootHash, proof: proof) else {
                        return diverged(leaves.count, i, "checkpoints", i, "checkpoint \(i) is not consistent with the one before")
                    }
                }
                previous = c
            }
            return LogAuditReport(leaves: leaves.count, checkpoints: checkpoints.count, divergence: nil, commitmentsOnly: commitmentsOnly)
        }
    }

    /// A column problem, or the leaf hash an event's stored form makes (see `StoredEvent`):
    /// a version-1 event hashes its canonical bytes; a version-2 event its commitment, which must
    /// be the hash of its salt and body; an erased event what is kept in its place.
    struct LeafProblem: Error {
        let column: String
        let message: String
    }

    static func leaf(of event: StoredEvent) -> Result<[UInt8], LeafProblem> {
        if event.isErased {
            guard let kept = event.commitment, kept.count == 32 || (kept.count == 33 && kept[0] == erasedVersion1) else {
                return .failure(LeafProblem(column: "events.commitment", message: "event seq \(event.seq) was erased without its commitment"))
            }
            return .success(kept.count == 33 ? Array(kept.dropFirst()) : MerkleTree.leafHash(EventLeaf.data(commitment: kept)))
        }
        guard let salt = event.salt else {
            return .success(MerkleTree.leafHash(event.canonical))
        }
        let commitment = EventLeaf.commitment(canonical: event.canonical, salt: salt)
        guard event.commitment == commitment else {
            return .failure(LeafProblem(column: "events.commitment", message: "event seq \(event.seq): the stored commitment is not the hash of its salt and body"))
        }
        return .success(MerkleTree.leafHash(EventLeaf.data(commitment: commitment)))
    }

    /// The marker before the leaf hash kept for an erased version-1 event.
    static let erasedVersion1: UInt8 = 0x01

    /// The first column of `event` that disagrees with its canonical JSON, if any.
    static func columnProblem(_ event: StoredEvent) -> (column: String, message: String)? {
        guard let body = try? JSONParser().parse(event.canonical), case .object(let members) = body else {
            return ("canonical", "event seq \(event.seq) is not a canonical JSON object")
        }
        for (column, member, value) in repeatedColumns where members[member]?.stringValue != value(event) {
            return (column, "event seq \(event.seq): column \(column) does not match the event's \(member)")
        }
        return nil
    }
}
