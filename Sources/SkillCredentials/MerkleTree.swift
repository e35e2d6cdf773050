import SkillCore
import SkillCrypto

/// RFC 9162 §2.1 Merkle tree hashing, proofs and their verification. Pure: storage supplies
/// subtree roots through `MerkleNodes`, so a store that keeps perfect-subtree hashes makes
/// proofs O(log n) reads while this math stays the same.
public enum MerkleTree {
    /// SHA-256(0x00 ‖ data) (§2.1.1).
    public static func leafHash(_ data: [UInt8]) -> [UInt8] { SHA256.hash([0x00] + data) }
    /// SHA-256(0x01 ‖ left ‖ right) (§2.1.1).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { SHA256.hash([0x01] + left + right) }
    /// MTH({}) = SHA-256 of the empty string.
    public static let emptyRoot = SHA256.hash([])

    /// The largest power of two strictly smaller than `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH over the leaf hashes `[start, start + size)` of a source.
    /// - Throws: what the source throws (a store missing a node: `log.node-missing`).
    public static func root(_ nodes: some MerkleNodes, start: Int = 0, size: Int) throws(SkillError) -> [UInt8] {
        if size == 0 { return emptyRoot }
        return try nodes.subtreeRoot(start: start, size: size)
    }

    /// The audit path for leaf `index` in the tree of the first `size` leaves (§2.1.3.1 PATH).
    /// - Returns: nil when `index` is not below `size`.
    /// - Throws: what the source throws.
    public static func inclusionProof(_ nodes: some MerkleNodes, index: Int, size: Int) throws(SkillError) -> [[UInt8]]? {
        guard index >= 0, index < size else { return nil }
        func path(_ m: Int, _ start: Int, _ n: Int) throws(SkillError) -> [[UInt8]] {
            if n <= 1 { return [] }
            let k = split(n)
            if m < k { return try path(m, start, k) + [try nodes.subtreeRoot(start: start + k, size: n - k)] }
            return try path(m - k, start + k, n - k) + [try nodes.subtreeRoot(start: start, size: k)]
        }
        return try path(index, 0, size)
    }

    /// The consistency proof between the trees of the first `first` and `second` leaves
    /// (§2.1.4.1 PROOF / SUBPROOF).
    /// - Returns: nil unless 0 < first ≤ second.
    /// - Throws: what the source throws.
    public static func consistencyProof(_ nodes: some MerkleNodes, first: Int, second: Int) throws(SkillError) -> [[UInt8]]? {
        guard first > 0, first <= second else { return nil }
        func subproof(_ m: Int, _ start: Int, _ n: Int, _ complete: Bool) throws(SkillError) -> [[UInt8]] {
            if m == n { return complete ? [] : [try nodes.subtreeRoot(start: start, size: n)] }
            let k = split(n)
            if m <= k { return try subproof(m, start, k, complete) + [try nodes.subtreeRoot(start: start + k, size: n - k)] }
            return try subproof(m - k, start + k, n - k, false) + [try nodes.subtreeRoot(start: start, size: k)]
        }
        return try subproof(first, 0, second, true)
    }

    /// Verifies an inclusion proof (§2.1.3.2).
    public static func verifyInclusion(leafIndex: Int, treeSize: Int, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard leafIndex >= 0, leafIndex < treeSize, leafHash.count == 32, root.count == 32, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Verifies a consistency proof (§2.1.4.2). As in transparency-dev: a first size of 0
    /// never verifies, and equal sizes verify only with an empty proof and equal roots.
    public static func verifyConsistency(first: Int, second: Int, firstRoot: [UInt8], secondRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard first > 0, first <= second else { return false }
        if first == second { return proof.isEmpty && firstRoot == secondRoot }
        guard firstRoot.count == 32, secondRoot.count == 32, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var path = proof
        if first & (first - 1) == 0 { path.insert(firstRoot, at: 0) }  // a power of two: the first root is a node
        guard !path.isEmpty else { return false }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }
}

/// Where proofs get subtree roots from. A store answers from saved perfect-subtree hashes;
/// `InMemoryMerkleTree` recomputes (tests and small trees).
public protocol MerkleNodes {
    /// MTH of the leaves `[start, start + size)`, size ≥ 1.
    /// - Throws: when a stored node cannot be read or is missing (`log.node-missing`,
    ///   `store.*`): never a wrong hash in its place.
    func subtreeRoot(start: Int, size: Int) throws(SkillError) -> [UInt8]
}

/// A source that holds the root of every perfect aligned subtree (a store's log nodes, a
/// directory of tiles): any other range is split into O(log n) of them (RFC 9162 MTH).
public protocol PerfectSubtreeNodes: MerkleNodes {
    /// The root of the perfect subtree of `2^level` leaves starting at leaf `index << level`.
    /// - Throws: when the node cannot be had: never a hash computed in its place.
    func node(level: Int, index: Int) throws(SkillError) -> [UInt8]
}

extension PerfectSubtreeNodes {
    public func subtreeRoot(start: Int, size: Int) throws(SkillError) -> [UInt8] {
        if size & (size - 1) == 0, start % size == 0 {
            return try node(level: size.trailingZeroBitCount, index: start / size)
        }
        let k = MerkleTree.split(size)
        return MerkleTree.nodeHash(try subtreeRoot(start: start, size: k), try subtreeRoot(start: start + k, size: size - k))
    }
}

extension MerkleTree {
    /// The nodes a new leaf adds to a tree whose perfect subtrees are stored: the leaf hash at
    /// level 0 and, while the new node is a right child, its parent one level up (the root of
    /// a perfect subtree it completes).
    /// - Parameters:
    ///   - leafIndex: the new leaf's index (the tree's size before it).
    ///   - leafHash: its hash.
    ///   - leftSibling: reads the stored node at a level and index (the left sibling of a new node).
    /// - Returns: every node to store, lowest level first.
    /// - Throws: what `leftSibling` throws.
    public static func appendedNodes(
        leafIndex: Int, leafHash: [UInt8], leftSibling: (_ level: Int, _ index: Int) throws(SkillError) -> [UInt8]
    ) throws(SkillError) -> [(level: Int, index: Int, hash: [UInt8])] {
        var nodes = [(level: 0, index: leafIndex, hash: leafHash)]
        var (level, index, hash) = (0, leafIndex, leafHash)
        while index & 1 == 1 {
            hash = nodeHash(try leftSibling(level, index - 1), hash)
            level += 1
            index >>= 1
            nodes.append((level, index, hash))
        }
        return nodes
    }
}

/// A tree held in memory as leaf hashes.
public struct InMemoryMerkleTree: MerkleNodes, Sendable {
    public private(set) var leafHashes: [[UInt8]]

    public init(leafHashes: [[UInt8]] = []) { self.leafHashes = leafHashes }

    /// Appends a leaf (its data, hashed as a leaf).
    public mutating func append(_ data: [UInt8]) { leafHashes.append(MerkleTree.leafHash(data)) }

    public func subtreeRoot(start: Int, size: Int) -> [UInt8] {
        if size == 1 { return leafHashes[start] }
        let k = MerkleTree.split(size)
        return MerkleTree.nodeHash(subtreeRoot(start: start, size: k), subtreeRoot(start: start + k, size: size - k))
    }

    public var root: [UInt8] { leafHashes.isEmpty ? MerkleTree.emptyRoot : subtreeRoot(start: 0, size: leafHashes.count) }
}
