import Foundation
import SkillCore
import SkillCrypto

/// The transparency log as static files, in the C2SP tlog-tiles layout: any static host or CDN
/// can mirror it, and anyone can build proofs from it without the registry.
///
/// - A tile at level L holds up to 256 consecutive hashes of the tree's level 8·L (level 0: leaf
///   hashes), 32 bytes each: `tile/<L>/<N>`, or `tile/<L>/<N>.p/<W>` for the rightmost tile of a
///   level while it holds only W < 256 hashes.
/// - An entry bundle holds the leaves' data of the level-0 tile with the same index, each as a
///   big-endian uint16 length and the bytes: `tile/entries/<N>[.p/<W>]`.
/// - `N` is written in groups of three digits, all but the last prefixed with `x`
///   (1234067 → `x001/x234/067`).
///
/// Every tile is fixed by its level, index and width, so a file once written never changes.
public enum LogTiles {
    /// Tree levels per tile.
    public static let height = 8
    /// Hashes in a full tile; leaves in a full entry bundle.
    public static let width = 1 << height

    /// One tile of the tree.
    public struct Tile: Sendable, Hashable {
        public let level: Int
        public let index: Int
        /// 1–256: how many hashes it holds.
        public let width: Int

        public init(level: Int, index: Int, width: Int) {
            self.level = level
            self.index = index
            self.width = width
        }

        /// `tile/<L>/<N>[.p/<W>]`.
        public var path: String { "tile/\(level)/" + LogTiles.indexPath(index) + partialSuffix }
        /// `tile/entries/<N>[.p/<W>]`: the entry bundle of a level-0 tile.
        public var entriesPath: String { "tile/entries/" + LogTiles.indexPath(index) + partialSuffix }

        var partialSuffix: String { width == LogTiles.width ? "" : ".p/\(width)" }
    }

    /// `N` as path elements: three-digit groups, all but the last prefixed with `x`.
    public static func indexPath(_ index: Int) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.append(String(repeating: "0", count: 3 - group.count) + group)
            rest /= 1000
        } while rest > 0
        return groups.reversed().enumerated().map { $0.offset == groups.count - 1 ? $0.element : "x" + $0.element }.joined(separator: "/")
    }

    /// Every tile of the tree of `size` leaves, level by level: the full tiles and, where a
    /// level's count is not a multiple of 256, its rightmost partial tile.
    public static func tiles(treeSize size: Int) -> [Tile] {
        var tiles: [Tile] = []
        var level = 0
        while size >> (height * level) > 0 {
            let count = size >> (height * level)
            for index in 0..<(count / width) { tiles.append(Tile(level: level, index: index, width: width)) }
            if count % width > 0 { tiles.append(Tile(level: level, index: count / width, width: count % width)) }
            level += 1
        }
        return tiles
    }

    /// The tile's bytes: its hashes, in order.
    /// - Parameter node: a stored node at a tree level and index (`PerfectSubtreeNodes.node`).
    public static func data(of tile: Tile, node: (_ level: Int, _ index: Int) throws(SkillError) -> [UInt8]) throws(SkillError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tile.width * 32)
        for offset in 0..<tile.width { bytes += try node(tile.level * height, tile.index * width + offset) }
        return bytes
    }

    /// An entry bundle: each entry as a big-endian uint16 length and its bytes.
    /// - Throws: `input.invalid-field` for an entry longer than 65,535 bytes.
    public static func entryBundle(_ entries: [[UInt8]]) throws(SkillError) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            guard entry.count <= Int(UInt16.max) else { throw SkillError(.invalidField, "a log entry is longer than 65,535 bytes", field: "entry") }
            bytes += [UInt8(entry.count >> 8), UInt8(entry.count & 0xFF)] + entry
        }
        return bytes
    }

    /// The entries of a bundle.
    /// - Throws: `log.tile-invalid` when a length runs past the end.
    public static func entries(ofBundle bytes: [UInt8], path: String) throws(SkillError) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var at = 0
        while at < bytes.count {
            guard at + 2 <= bytes.count else { throw SkillError(.tileInvalid, "the entry bundle ends inside a length", field: path) }
            let length = Int(bytes[at]) << 8 | Int(bytes[at + 1])
            guard at + 2 + length <= bytes.count else { throw SkillError(.tileInvalid, "entry \(entries.count) runs past the bundle's end", field: path) }
            entries.append(Array(bytes[(at + 2)..<(at + 2 + length)]))
            at += 2 + length
        }
        return entries
    }
}

/// The tree of one checkpoint's size read from tiles: proofs and roots without the registry.
///
/// Each node is computed from the one tile that holds its subtree (a node at level k sits over
/// 2^(k mod 8) hashes of a tile at level k / 8), so a proof reads O(log n) tiles.
public final class TiledTree: PerfectSubtreeNodes {
    /// The tree size (the checkpoint's).
    public let size: Int
    let read: (String) throws(SkillError) -> [UInt8]
    private var cache: [LogTiles.Tile: [UInt8]] = [:]

    /// - Parameters:
    ///   - size: the tree size whose tiles to read.
    ///   - read: the bytes at a path under the tiles' root (`tile/0/000`), or `input.file-unreadable`.
    public init(size: Int, read: @escaping (String) throws(SkillError) -> [UInt8]) {
        self.size = size
        self.read = read
    }

    /// The tile of this tree at `level` and `index` (partial when it is the rightmost), its
    /// length checked.
    /// - Throws: `log.tile-invalid` when it is not `width × 32` bytes; what `read` throws.
    public func tile(level: Int, index: Int) throws(SkillError) -> (tile: LogTiles.Tile, hashes: [UInt8]) {
        let count = size >> (LogTiles.height * level)
        let tile = LogTiles.Tile(level: level, index: index, width: min(LogTiles.width, count - index * LogTiles.width))
        if let hashes = cache[tile] { return (tile, hashes) }
        let hashes = try read(tile.path)
        guard hashes.count == tile.width * 32 else {
            throw SkillError(.tileInvalid, "the tile holds \(hashes.count) bytes; a tile of \(tile.width) hashes holds \(tile.width * 32)", field: tile.path)
        }
        cache[tile] = hashes
        return (tile, hashes)
    }

    public func node(level: Int, index: Int) throws(SkillError) -> [UInt8] {
        let tileLevel = level / LogTiles.height
        let rise = level % LogTiles.height
        let first = index << rise
        guard level >= 0, index >= 0, (first + (1 << rise)) <= size >> (LogTiles.height * tileLevel) else {
            throw SkillError(.invalidField, "the tree of \(size) leaves has no node at level \(level), index \(index)", field: "leaf")
        }
        let (_, hashes) = try tile(level: tileLevel, index: first / LogTiles.width)
        return Self.fold(hashes, from: first % LogTiles.width, count: 1 << rise)
    }

    /// The root of the perfect subtree over `count` (a power of two) hashes of a tile from `start`.
    private static func fold(_ hashes: [UInt8], from start: Int, count: Int) -> [UInt8] {
        var row = (start..<(start + count)).map { Array(hashes[($0 * 32)..<($0 * 32 + 32)]) }
        while row.count > 1 { row = stride(from: 0, to: row.count, by: 2).map { MerkleTree.nodeHash(row[$0], row[$0 + 1]) } }
        return row[0]
    }

    /// The root of the tree.
    public func root() throws(SkillError) -> [UInt8] { try MerkleTree.root(self, size: size) }

    /// Checks every tile of the tree: each level-0 hash against its entry bundle's data where
    /// the bundle is published, each higher tile's hashes against the tiles below, and the root.
    /// - Parameters:
    ///   - root: the checkpoint's root hash.
    /// - Returns: how many tiles and entry bundles were checked, and the bundles not published.
    /// - Throws: `log.tile-invalid` naming the first tile that does not recompute; what `read` throws.
    public func check(root expected: [UInt8]) throws(SkillError) -> (tiles: Int, bundles: Int, unpublished: Int) {
        var bundles = 0
        var unpublished = 0
        let tiles = LogTiles.tiles(treeSize: size)
        for tile in tiles {
            let (_, hashes) = try self.tile(level: tile.level, index: tile.index)
            if tile.level == 0 {
                let bundle: [UInt8]
                do { bundle = try read(tile.entriesPath) } catch where error.code == .fileUnreadable {
                    unpublished += 1
                    continue
                }
                let entries = try LogTiles.entries(ofBundle: bundle, path: tile.entriesPath)
                guard entries.count == tile.width else {
                    throw SkillError(.tileInvalid, "the bundle holds \(entries.count) entries; its tile \(tile.width)", field: tile.entriesPath)
                }
                for (offset, entry) in entries.enumerated() where MerkleTree.leafHash(entry) != Array(hashes[(offset * 32)..<(offset * 32 + 32)]) {
                    throw SkillError(.tileInvalid, "entry \(offset) does not hash to leaf \(tile.index * LogTiles.width + offset)", field: tile.entriesPath)
                }
                bundles += 1
            } else {
                for offset in 0..<tile.width {
                    let index = tile.index * LogTiles.width + offset
                    let below = try subtreeFromTiles(level: tile.level, index: index)
                    guard below == Array(hashes[(offset * 32)..<(offset * 32 + 32)]) else {
                        throw SkillError(.tileInvalid, "hash \(offset) is not the root of the 256 hashes below it", field: tile.path)
                    }
                }
            }
        }
        guard try root() == expected else { throw SkillError(.tileInvalid, "the tiles' root is not the checkpoint's", field: "checkpoint") }
        return (tiles.count, bundles, unpublished)
    }

    /// The hash at tile level `level` (tree level 8·level), index `index`, recomputed from the
    /// 256 hashes of the tile level below.
    private func subtreeFromTiles(level: Int, index: Int) throws(SkillError) -> [UInt8] {
        let (_, below) = try tile(level: level - 1, index: index)
        return Self.fold(below, from: 0, count: LogTiles.width)
    }
}

extension CertificateBundle {
    /// The bundle with its inclusion proof and checkpoint taken from published tiles instead of
    /// the registry: the proof of the bundle's leaf in the tiles' tree, and the tiles'
    /// checkpoint. The bundle's own checkpoint stays as `earlier_checkpoint` with a consistency
    /// proof from the tiles that the newer tree extends it. `verify` then checks both
    /// checkpoints' signatures against the trust list, so tiles from any mirror can be used.
    /// - Parameters:
    ///   - read: the bytes at a path under the tiles' root (`checkpoint`, `tile/0/000`).
    /// - Throws: `json.malformed` (no leaf index, or a checkpoint that does not parse);
    ///   `input.invalid-field` when the leaf is not in the tiles' tree or the tiles are older than
    ///   the bundle's checkpoint; `log.tile-invalid`; what `read` throws.
    public static func provedFromTiles(_ bundle: JSONValue, read: @escaping (String) throws(SkillError) -> [UInt8]) throws(SkillError) -> JSONValue {
        guard let index = bundle["inclusion_proof"]?["leaf_index"]?.intValue else {
            throw SkillError(.jsonMalformed, "the bundle names no leaf index", field: "inclusion_proof.leaf_index")
        }
        let note = String(decoding: try read("checkpoint"), as: UTF8.self)
        let checkpoint = try Checkpoint(unverifiedNote: note)
        let tree = TiledTree(size: checkpoint.size, read: read)
        guard let path = try MerkleTree.inclusionProof(tree, index: index, size: checkpoint.size) else {
            throw SkillError(.invalidField, "leaf \(index) is not in the tiles' tree of \(checkpoint.size) leaves", field: "inclusion_proof.leaf_index")
        }
        let proof: JSONValue = [
            "leaf_index": .int(index), "tree_size": .int(checkpoint.size), "leaf_hash": .string(Hex.encode(try tree.node(level: 0, index: index))),
            "proof": .array(path.map { .string(Hex.encode($0)) }), "root": .string(Hex.encode(try tree.root())),
        ]
        guard case .object(var members) = bundle else { throw SkillError(.jsonMalformed, "a bundle is a JSON object") }
        if let earlier = bundle["checkpoint"]?.stringValue, let first = try? Checkpoint(unverifiedNote: earlier), first.size > 0 {
            guard first.size <= checkpoint.size else {
                throw SkillError(.invalidField, "the tiles' tree (\(checkpoint.size) leaves) is older than the bundle's checkpoint (\(first.size))", field: "checkpoint")
            }
            let path = try MerkleTree.consistencyProof(tree, first: first.size, second: checkpoint.size) ?? []
            members["earlier_checkpoint"] = .string(earlier)
            members["consistency_proof"] = .array(path.map { .string(Hex.encode($0)) })
        }
        members["inclusion_proof"] = proof
        members["checkpoint"] = .string(note)
        return .object(members)
    }
}

extension LogTiles {
    /// Reads paths under a directory of tiles; a missing file is `input.file-unreadable` naming it.
    public static func directoryReader(_ directory: String) -> (String) throws(SkillError) -> [UInt8] {
        { path throws(SkillError) in
            guard let data = FileManager.default.contents(atPath: directory + "/" + path) else {
                throw SkillError(.fileUnreadable, "the file is not there", field: directory + "/" + path)
            }
            return Array(data)
        }
    }
}
