import SkillCore
import SkillCredentials
import SkillCrypto
import Testing

/// The C2SP tlog-tiles layout, and proofs built from tiles checked against a tree recomputed
/// from its leaves (a separate code path: `InMemoryMerkleTree`).
@Suite struct LogTilesTests {
    @Test func pathsFollowTheSpec() {
        #expect(LogTiles.indexPath(0) == "000")
        #expect(LogTiles.indexPath(999) == "999")
        #expect(LogTiles.indexPath(1000) == "x001/000")
        #expect(LogTiles.indexPath(1_234_067) == "x001/x234/067")
        #expect(LogTiles.Tile(level: 0, index: 1_234_067, width: 256).path == "tile/0/x001/x234/067")
        #expect(LogTiles.Tile(level: 1, index: 5, width: 8).path == "tile/1/005.p/8")
        #expect(LogTiles.Tile(level: 0, index: 1_234_067, width: 8).entriesPath == "tile/entries/x001/x234/067.p/8")
    }

    @Test func aTreeHasItsFullTilesAndOnePartialTilePerLevel() {
        #expect(LogTiles.tiles(treeSize: 0).isEmpty)
        #expect(LogTiles.tiles(treeSize: 256) == [.init(level: 0, index: 0, width: 256), .init(level: 1, index: 0, width: 1)])
        let tiles = LogTiles.tiles(treeSize: 100_000)
        // 100,000 = 390 × 256 + 160; 390 = 1 × 256 + 134; 1.
        #expect(tiles.filter { $0.level == 0 }.count == 391 && tiles.last { $0.level == 0 }?.width == 160)
        #expect(tiles.filter { $0.level == 1 } == [.init(level: 1, index: 0, width: 256), .init(level: 1, index: 1, width: 134)])
        #expect(tiles.filter { $0.level == 2 } == [.init(level: 2, index: 0, width: 1)])
        #expect(tiles.count == 394)
    }

    @Test func entryBundlesRoundTripAndRejectTruncation() throws {
        let entries: [[UInt8]] = [[], [1, 2, 3], Array(repeating: 7, count: 300)]
        let bundle = try LogTiles.entryBundle(entries)
        #expect(Array(bundle.prefix(2)) == [0, 0] && Array(bundle[2..<4]) == [0, 3] && Array(bundle[7..<9]) == [1, 44])
        #expect(try LogTiles.entries(ofBundle: bundle, path: "b") == entries)
        #expect(throws: SkillError.self) { try LogTiles.entries(ofBundle: Array(bundle.dropLast()), path: "b") }
        #expect(throws: SkillError.self) { try LogTiles.entryBundle([Array(repeating: 0, count: 65_536)]) }
    }

    /// Writes the tiles of a tree held in memory into a dictionary, path → bytes.
    static func publish(_ tree: InMemoryMerkleTree, leaves: [[UInt8]]) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for tile in LogTiles.tiles(treeSize: tree.leafHashes.count) {
            files[tile.path] = try LogTiles.data(of: tile) { level, index in tree.subtreeRoot(start: index << level, size: 1 << level) }
            if tile.level == 0 {
                let first = tile.index * LogTiles.width
                files[tile.entriesPath] = try LogTiles.entryBundle(Array(leaves[first..<(first + tile.width)]))
            }
        }
        return files
    }

    static func reader(_ files: [String: [UInt8]]) -> (String) throws(SkillError) -> [UInt8] {
        { path throws(SkillError) in
            guard let bytes = files[path] else { throw SkillError(.fileUnreadable, "missing", field: path) }
            return bytes
        }
    }

    @Test func aHundredThousandLeavesRecomputeAndProveFromTiles() throws {
        var tree = InMemoryMerkleTree()
        let leaves = (0..<100_000).map { n -> [UInt8] in EventLeaf.data(commitment: SHA256.hash(Array("event \(n)".utf8))) }
        for leaf in leaves { tree.append(leaf) }
        var files = try Self.publish(tree, leaves: leaves)
        #expect(files.count == 394 + 391)
        let tiled = TiledTree(size: 100_000, read: Self.reader(files))
        let checked = try tiled.check(root: tree.root)
        #expect(checked.tiles == 394 && checked.bundles == 391 && checked.unpublished == 0)
        for index in [0, 1, 255, 256, 65_535, 65_536, 99_839, 99_840, 99_999, 31_337] {
            let proof = try #require(try MerkleTree.inclusionProof(tiled, index: index, size: 100_000))
            #expect(proof == (try MerkleTree.inclusionProof(tree, index: index, size: 100_000)))
            #expect(MerkleTree.verifyInclusion(leafIndex: index, treeSize: 100_000, leafHash: MerkleTree.leafHash(leaves[index]), proof: proof, root: tree.root))
        }
        // A smaller tree's proofs from the same full tiles and its own partial tiles.
        let small = TiledTree(size: 70_000, read: Self.reader(try Self.publish(InMemoryMerkleTree(leafHashes: Array(tree.leafHashes.prefix(70_000))), leaves: leaves)))
        #expect(try small.root() == InMemoryMerkleTree(leafHashes: Array(tree.leafHashes.prefix(70_000))).root)

        // Damage is named by the tile's path.
        var level1 = try #require(files["tile/1/000"])
        level1[40] ^= 1
        files["tile/1/000"] = level1
        let damaged = #expect(throws: SkillError.self) { try TiledTree(size: 100_000, read: Self.reader(files)).check(root: tree.root) }
        #expect(damaged?.code == .tileInvalid && damaged?.field == "tile/1/000")
        files["tile/1/000"] = try #require(try Self.publish(tree, leaves: leaves)["tile/1/000"])
        var bundle = try #require(files["tile/entries/300"])
        bundle[10] ^= 1
        files["tile/entries/300"] = bundle
        let badEntry = #expect(throws: SkillError.self) { try TiledTree(size: 100_000, read: Self.reader(files)).check(root: tree.root) }
        #expect(badEntry?.code == .tileInvalid && badEntry?.field == "tile/entries/300")
        files["tile/entries/300"] = nil
        #expect(try TiledTree(size: 100_000, read: Self.reader(files)).check(root: tree.root).unpublished == 1)
        let wrongRoot = #expect(throws: SkillError.self) { try TiledTree(size: 100_000, read: Self.reader(files)).check(root: MerkleTree.emptyRoot) }
        #expect(wrongRoot?.field == "checkpoint")
    }
}
