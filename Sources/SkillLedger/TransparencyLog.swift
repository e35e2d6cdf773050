import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// An inclusion proof in RFC 9162 form (hashes in lowercase hex when rendered).
public struct InclusionProof: Sendable, Hashable {
    public let leafIndex: Int
    public let treeSize: Int
    public let leafHash: [UInt8]
    public let path: [[UInt8]]
    public let root: [UInt8]

    public var json: JSONValue {
        ["leaf_index": .int(leafIndex), "tree_size": .int(treeSize), "leaf_hash": .string(Hex.encode(leafHash)),
         "proof": .array(path.map { .string(Hex.encode($0)) }), "root": .string(Hex.encode(root))]
    }
}

/// A consistency proof between two tree sizes.
public struct ConsistencyProof: Sendable, Hashable {
    public let first: Int
    public let second: Int
    public let firstHash: [UInt8]
    public let secondHash: [UInt8]
    public let path: [[UInt8]]

    public var json: JSONValue {
        ["first": .int(first), "second": .int(second), "first_hash": .string(Hex.encode(firstHash)), "second_hash": .string(Hex.encode(secondHash)),
         "proof": .array(path.map { .string(Hex.encode($0)) })]
    }
}

/// Subtree roots read from a store's log nodes: a perfect aligned subtree is one stored node;
/// any other range splits into O(log n) of them (RFC 9162 MTH). A node that should be stored
/// and is not is `log.node-missing`, never a hash computed in its place.
package struct StoredLogNodes: PerfectSubtreeNodes {
    let log: any EventLogStore

    package init(log: any EventLogStore) { self.log = log }

    /// The stored node, or `log.node-missing` naming it; a failed read is `store.failure`.
    package func node(level: Int, index: Int) throws(SkillError) -> [UInt8] {
        let hash: [UInt8]?
        do { hash = try log.node(level: level, index: index) } catch let error as SkillError { throw error } catch {
            throw SkillError(.storeFailure, "a log node could not be read", cause: "level \(level) index \(index): \(error)")
        }
        guard let hash else {
            throw SkillError(.logNodeMissing, "the log is damaged: the node at level \(level), index \(index) is missing", cause: "level \(level) index \(index)")
        }
        return hash
    }
}

/// The transparency log: an append-only RFC 9162 Merkle tree over the events' canonical
/// bytes, signed checkpoints (C2SP signed note), proofs, and the audit.
public struct TransparencyLog: Sendable {
    let context: BankContext

    /// The log's origin line: configurable, by default derived from the registry's name.
    public var origin: String { context.logOrigin }

    /// Stores the nodes a new leaf adds (the leaf, then each perfect subtree it completes),
    /// inside the caller's unit of work.
    /// - Parameter data: the leaf's data (`EventLeaf`).
    package static func appendLeaf(_ tx: any StoreTransaction, index: Int, data: [UInt8]) throws {
        try appendLeaves(tx, from: index, data: [data])
    }

    /// Appends consecutive leaves from `first`, and the perfect subtrees they complete, in one
    /// write (a left sibling made earlier in the same batch is taken from the batch).
    package static func appendLeaves(_ tx: any StoreTransaction, from first: Int, data: [[UInt8]]) throws {
        let stored = StoredLogNodes(log: tx.log)
        var made: [Int: [Int: [UInt8]]] = [:]  // level → index → hash
        var all: [(level: Int, index: Int, hash: [UInt8])] = []
        for (offset, leaf) in data.enumerated() {
            let nodes = try MerkleTree.appendedNodes(leafIndex: first + offset, leafHash: MerkleTree.leafHash(leaf)) { level, index throws(SkillError) in
                if let hash = made[level]?[index] { return hash }
                return try stored.node(level: level, index: index)
            }
            for node in nodes { made[node.level, default: [:]][node.index] = node.hash }
            all += nodes
        }
        try tx.log.insertNodes(all)
    }

    /// Integrates the events of a bank made before the log existed: its migration marks them,
    /// and here they become the log's first leaves, in order, in one unit of work.
    func integrateBackfill() throws(SkillError) {
        try context.write { tx in
            guard try tx.meta.value("log_backfill_pending") != nil, try tx.log.leafCount() == 0 else { return }
            var leaves: [StoredEvent] = []
            try tx.log.forEachEvent { leaves.append($0) }
            for event in leaves { try Self.appendLeaf(tx, index: event.seq - 1, data: event.canonical) }
            try tx.meta.insertValue(Timestamp.format(context.now), for: "log_backfilled_at")
        }
    }

    /// Events in order after `seq`, at most `limit`.
    public func events(after seq: Int = 0, limit: Int = 1_000) throws(SkillError) -> [StoredEvent] {
        try context.read { tx in try tx.log.events(after: seq, limit: limit) }
    }

    /// The sequence number of the newest event (0 for an empty ledger).
    public func lastEventSequence() throws(SkillError) -> Int {
        try context.read { tx in try tx.log.lastSequence() }
    }

    /// The registry's note verifier key (C2SP vkey: name+hash+base64).
    /// - Throws: `ledger.not-initialised` when the registry has no key.
    public func verifierKey() throws(SkillError) -> SignedNote.VerifierKey {
        guard let key = try context.read({ tx in try tx.keys.currentKey(of: registryOwner)?.record }) else {
            throw SkillError(.notInitialised, "the registry has no key")
        }
        return SignedNote.VerifierKey(name: origin, publicKey: key.publicKey)
    }

    /// The number of leaves: one per event, so the event sequence says it (a stored node that
    /// went missing cannot make the tree look smaller).
    public func size() throws(SkillError) -> Int {
        try context.read { tx in try tx.log.lastSequence() }
    }

    /// The latest signed checkpoint, making a new one first when the tree has grown.
    /// - Returns: the signed note.
    /// - Throws: `log.node-missing` (a damaged log), `store.*`.
    public func checkpoint() throws(SkillError) -> String {
        let date = context.now
        let origin = origin
        return try context.write { tx in
            let size = try tx.log.lastSequence()
            if let note = try tx.log.checkpoint(size: size) { return note }
            let root = try MerkleTree.root(StoredLogNodes(log: tx.log), size: size)
            let (_, key) = try context.signingKey(tx, owner: registryOwner)
            // The signed time lets a verifier demand a maximum age (C2SP allows extension lines).
            let checkpoint = Checkpoint(origin: origin, size: size, rootHash: root, extensions: ["timestamp \(Timestamp.format(date))"])
            let note = try SignedNote.sign(checkpoint.text, name: origin, key: key)
            try tx.log.insertCheckpoint(size: size, root: root, note: note, at: Timestamp.format(date))
            return note
        }
    }

    /// The sizes of the stored checkpoints, oldest first.
    public func checkpointSizes() throws(SkillError) -> [Int] {
        try context.read { tx in try tx.log.checkpoints().map(\.size) }
    }

    /// An inclusion proof for an event (by id) or a certificate's issuance event (by id or number).
    /// - Parameters:
    ///   - size: the tree size to prove against (default: the latest checkpoint's, else the whole tree).
    /// - Throws: `ledger.certificate-not-found`, `ledger.event-not-found`, `input.invalid-field` (size),
    ///   `log.node-missing`.
    public func inclusionProof(event: String? = nil, certificate: String? = nil, size: Int? = nil) throws(SkillError) -> InclusionProof {
        try context.read { tx in
            let eventID: String
            if let certificate {
                eventID = try context.requireCertificate(tx, certificate, field: "certificate").eventID
            } else {
                eventID = event ?? ""
            }
            guard let seq = try tx.log.event(id: eventID)?.seq else {
                throw SkillError(.eventNotFound, "no event '\(eventID.prefix(40))'", field: "event")
            }
            let total = try tx.log.lastSequence()
            let latest = try tx.log.checkpoints().last?.size
            let treeSize = size ?? latest.flatMap { $0 >= seq ? $0 : nil } ?? total
            guard treeSize >= seq, treeSize <= total else {
                throw SkillError(.invalidField, "the event is leaf \(seq - 1); the tree size must be \(seq)–\(total)", field: "size")
            }
            let nodes = StoredLogNodes(log: tx.log)
            guard let path = try MerkleTree.inclusionProof(nodes, index: seq - 1, size: treeSize) else {
                throw SkillError(.invalidField, "leaf \(seq - 1) is not in a tree of \(treeSize)", field: "size")
            }
            return InclusionProof(
                leafIndex: seq - 1, treeSize: treeSize, leafHash: try nodes.node(level: 0, index: seq - 1), path: path,
                root: try MerkleTree.root(nodes, size: treeSize))
        }
    }

    /// An inclusion proof for the leaf at `index`: what anyone may ask, naming nothing but a
    /// position in the tree.
    /// - Parameter size: the tree size to prove against (default: the latest checkpoint's, else the whole tree).
    /// - Throws: `input.invalid-field` (index or size), `log.node-missing`.
    public func inclusionProof(leaf index: Int, size: Int? = nil) throws(SkillError) -> InclusionProof {
        try context.read { tx in
            let total = try tx.log.lastSequence()
            guard index >= 0, index < total else { throw SkillError(.invalidField, "the log has leaves 0–\(total - 1)", field: "leaf") }
            let latest = try tx.log.checkpoints().last?.size
            let treeSize = size ?? latest.flatMap { $0 > index ? $0 : nil } ?? total
            let nodes = StoredLogNodes(log: tx.log)
            guard treeSize > index, treeSize <= total, let path = try MerkleTree.inclusionProof(nodes, index: index, size: treeSize) else {
                throw SkillError(.invalidField, "leaf \(index) needs a tree size of \(index + 1)–\(total)", field: "size")
            }
            return InclusionProof(leafIndex: index, treeSize: treeSize, leafHash: try nodes.node(level: 0, index: index), path: path,
                                  root: try MerkleTree.root(nodes, size: treeSize))
        }
    }

    /// One leaf as anyone may read it: its hash and, for a commitment (version 2), its data.
    /// A version-1 leaf's data is the event itself and is not published.
    public struct Entry: Sendable, Hashable {
        public let index: Int
        public let hash: [UInt8]
        public let data: [UInt8]?

        public var json: JSONValue {
            ["index": .int(index), "hash": .string(Hex.encode(hash)), "data": .optional(data.map { Base64URL.encode($0) })]
        }
    }

    /// The public entries `start ..< start + count` of the log.
    /// - Throws: `input.invalid-field` unless 0 ≤ start and 1 ≤ count ≤ 1,000.
    public func entries(start: Int, count: Int) throws(SkillError) -> [Entry] {
        guard start >= 0 else { throw SkillError(.invalidField, "start is a leaf index from 0", field: "start") }
        guard (1...1_000).contains(count) else { throw SkillError(.invalidField, "count is 1–1000", field: "count") }
        return try context.read { tx in
            let nodes = StoredLogNodes(log: tx.log)
            return try tx.log.events(after: start, limit: count).map { event in
                Entry(index: event.seq - 1, hash: try nodes.node(level: 0, index: event.seq - 1), data: Self.publicData(of: event))
            }
        }
    }

    /// What anyone may read of an event's leaf: its data when that is a commitment (version 2,
    /// or an erased event whose commitment is all that is left), nil for a version-1 leaf,
    /// whose data is the event itself.
    static func publicData(of event: StoredEvent) -> [UInt8]? {
        guard event.salt != nil || event.isErased else { return nil }
        return event.commitment.flatMap { $0.count == 32 ? EventLeaf.data(commitment: $0) : nil }
    }

    /// A consistency proof between two tree sizes.
    /// - Throws: `input.invalid-field` unless 0 < from ≤ to ≤ the tree size; `log.node-missing`.
    public func consistencyProof(from first: Int, to second: Int) throws(SkillError) -> ConsistencyProof {
        try context.read { tx in
            let total = try tx.log.lastSequence()
            let nodes = StoredLogNodes(log: tx.log)
            guard first > 0, first <= second, second <= total, let path = try MerkleTree.consistencyProof(nodes, first: first, second: second) else {
                throw SkillError(.invalidField, "need 0 < from ≤ to ≤ \(total)", field: "from")
            }
            return ConsistencyProof(first: first, second: second, firstHash: try MerkleTree.root(nodes, size: first),
                                    secondHash: try MerkleTree.root(nodes, size: second), path: path)
        }
    }
}
