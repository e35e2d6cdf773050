import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto

/// Appends leaves to the stored tree inside the caller's transaction: the leaf hash at level 0,
/// then each completed perfect subtree's root one level up.
///
/// A node above the leaves needs its left sibling. An appender remembers the last node it wrote
/// at each level and reads a sibling only when it did not write it itself, so a run of appends
/// through one appender reads nothing. Stored nodes are never changed, so what it remembers stays
/// true unless a savepoint rolls it back and someone else then writes that node again: after a
/// rollback, either keep appending through the same appender (it remembers the new node in
/// place of the old) or start a new one (`IssuanceContext.rowRolledBack()` does).
public struct LogAppender {
    /// Per level, the index and hash of the last node this appender wrote there.
    private var lastWritten: [(index: Int, hash: [UInt8])?] = []

    public init() {}

    /// The `log_nodes` table (also made by the ledger's migration), for tools that measure the log alone.
    public static let tableDefinition = "CREATE TABLE log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID"

    /// Appends the leaf for an event's canonical bytes as leaf `index` (the event's seq − 1; the
    /// caller knows it, so no count of the tree is needed).
    public mutating func append(_ db: Database, index leafIndex: Int, canonical: [UInt8]) throws {
        var hash = MerkleTree.leafHash(canonical)
        var level = 0
        var index = leafIndex
        let insert = try db.cachedStatement(sql: "INSERT INTO log_nodes(level, idx, hash) VALUES (?, ?, ?)")
        while true {
            try insert.execute(arguments: [level, index, Data(hash)])
            let left = index & 1 == 1 ? try leftSibling(db, level: level, index: index) : nil
            if lastWritten.count == level { lastWritten.append(nil) }
            lastWritten[level] = (index, hash)
            guard let left else { return }
            hash = MerkleTree.nodeHash(left, hash)
            level += 1
            index >>= 1
        }
    }

    /// The hash of node `index - 1` at `level`: remembered if this appender wrote it, else read.
    private func leftSibling(_ db: Database, level: Int, index: Int) throws -> [UInt8] {
        if level < lastWritten.count, let last = lastWritten[level], last.index == index - 1 { return last.hash }
        return Array(try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?"), arguments: [level, index - 1])!)
    }
}

/// Subtree roots read from `log_nodes`: a perfect aligned subtree is one row; any other range
/// splits into O(log n) of them (RFC 9162 MTH).
public struct StoredLogNodes: MerkleNodes {
    let db: Database

    public init(db: Database) { self.db = db }

    public func subtreeRoot(start: Int, size: Int) -> [UInt8] {
        if size & (size - 1) == 0, start % size == 0 {
            let level = size.trailingZeroBitCount
            if let hash = try? Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?"),
                                             arguments: [level, start / size]) {
                return Array(hash)
            }
        }
        var k = 1
        while k << 1 < size { k <<= 1 }
        return MerkleTree.nodeHash(subtreeRoot(start: start, size: k), subtreeRoot(start: start + k, size: size - k))
    }
}

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

extension Ledger {
    /// The log's origin line: configurable, by default derived from the registry's name.
    public var logOrigin: String {
        (try? read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'log_origin'") } ?? nil) ?? Configuration(databasePath: "").effectiveLogOrigin
    }

    /// The registry's note verifier key (C2SP vkey: name+hash+base64).
    public func logVerifierKey() throws(SkillError) -> SignedNote.VerifierKey {
        let key = try read { db in try Ledger.keys(db, Ledger.registryOwner).last { $0.validUntil == nil } }
        guard let key else { throw SkillError(.notInitialised, "the registry has no key") }
        return SignedNote.VerifierKey(name: logOrigin, publicKey: key.publicKey)
    }

    /// The number of leaves.
    public func logSize() throws(SkillError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(idx) + 1, 0) FROM log_nodes WHERE level = 0") ?? 0 }
    }

    /// The latest signed checkpoint, making a new one first when the tree has grown.
    /// - Returns: the signed note.
    public func checkpoint() throws(SkillError) -> String {
        let date = now
        let origin = logOrigin
        return try write { db in
            let size = try Int.fetchOne(db, sql: "SELECT coalesce(max(idx) + 1, 0) FROM log_nodes WHERE level = 0") ?? 0
            if let note = try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = ?", arguments: [size]) { return note }
            let root = MerkleTree.root(StoredLogNodes(db: db), size: size)
            let (_, key) = try signingKey(db, owner: Ledger.registryOwner)
            // The signed time lets a verifier demand a maximum age (C2SP allows extension lines).
            let checkpoint = Checkpoint(origin: origin, size: size, rootHash: root, extensions: ["timestamp \(Timestamp.format(date))"])
            let note = try SignedNote.sign(checkpoint.text, name: origin, key: key)
            try db.execute(sql: "INSERT INTO checkpoints(size, root, note, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [size, Data(root), note, Timestamp.format(date)])
            return note
        }
    }

    /// The sizes of the stored checkpoints, oldest first.
    public func checkpointSizes() throws(SkillError) -> [Int] {
        try read { db in try Int.fetchAll(db, sql: "SELECT size FROM checkpoints ORDER BY size") }
    }

    /// An inclusion proof for an event (by id) or a certificate's issuance event (by id or number).
    /// - Parameters:
    ///   - size: the tree size to prove against (default: the latest checkpoint's, else the whole tree).
    /// - Throws: `ledger.certificate-not-found`, `ledger.event-not-found`, `input.invalid-field` (size).
    public func inclusionProof(event: String? = nil, certificate: String? = nil, size: Int? = nil) throws(SkillError) -> InclusionProof {
        try read { db in
            let eventID: String
            if let certificate {
                guard let e = try String.fetchOne(db.cachedStatement(sql: "SELECT event_id FROM certificates WHERE id = ? OR number = ?"), arguments: [certificate, certificate]) else {
                    throw SkillError(.certificateNotFound, "no certificate '\(certificate.prefix(40))'", field: "--certificate")
                }
                eventID = e
            } else {
                eventID = event ?? ""
            }
            guard let seq = try Int.fetchOne(db.cachedStatement(sql: "SELECT seq FROM events WHERE id = ?"), arguments: [eventID]) else {
                throw SkillError(.eventNotFound, "no event '\(eventID.prefix(40))'", field: "--event")
            }
            let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(idx) + 1, 0) FROM log_nodes WHERE level = 0")) ?? 0
            let latest = try Int.fetchOne(db.cachedStatement(sql: "SELECT max(size) FROM checkpoints"))
            let treeSize = size ?? latest.flatMap { $0 >= seq ? $0 : nil } ?? total
            guard treeSize >= seq, treeSize <= total else {
                throw SkillError(.invalidField, "the event is leaf \(seq - 1); the tree size must be \(seq)–\(total)", field: "--size")
            }
            let nodes = StoredLogNodes(db: db)
            return InclusionProof(
                leafIndex: seq - 1, treeSize: treeSize, leafHash: nodes.subtreeRoot(start: seq - 1, size: 1),
                path: MerkleTree.inclusionProof(nodes, index: seq - 1, size: treeSize)!, root: MerkleTree.root(nodes, size: treeSize))
        }
    }

    /// A consistency proof between two tree sizes.
    /// - Throws: `input.invalid-field` unless 0 < from ≤ to ≤ the tree size.
    public func consistencyProof(from first: Int, to second: Int) throws(SkillError) -> ConsistencyProof {
        try read { db in
            let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(idx) + 1, 0) FROM log_nodes WHERE level = 0")) ?? 0
            guard first > 0, first <= second, second <= total else {
                throw SkillError(.invalidField, "need 0 < from ≤ to ≤ \(total)", field: "--from")
            }
            let nodes = StoredLogNodes(db: db)
            return ConsistencyProof(first: first, second: second, firstHash: MerkleTree.root(nodes, size: first),
                                    secondHash: MerkleTree.root(nodes, size: second),
                                    path: MerkleTree.consistencyProof(nodes, first: first, second: second)!)
        }
    }
}

extension Ledger {
    /// Everything an employer needs to check a certificate offline, in one JSON document: the
    /// credential, the registry's signed trust list, the issuer's status lists as of now, the
    /// issuance event, its inclusion proof and the signed checkpoint it was proven against.
    public func bundle(_ certificate: String) throws(SkillError) -> JSONValue {
        let note = try checkpoint()
        let credential = try JSONParser().parse(try export(certificate, format: .vc))
        let proof = try inclusionProof(certificate: certificate)
        let summary = try self.certificate(certificate)
        let event = try read { db in try Data.fetchOne(db.cachedStatement(sql: "SELECT e.canonical FROM events e JOIN certificates c ON c.event_id = e.id WHERE c.id = ?"), arguments: [summary.id]) }
        let lists = try Ledger.statusPurposes.map { purpose throws(SkillError) in try statusList(of: summary.institutionID, purpose: purpose) }
        return [
            "type": .string(CertificateBundle.type),
            "credential": credential,
            "trust_list": try trustList(),
            "status_lists": .array(lists),
            "issuance_event": .string(String(decoding: event ?? Data(), as: UTF8.self)),
            "inclusion_proof": proof.json,
            "checkpoint": .string(note),
        ]
    }
}
