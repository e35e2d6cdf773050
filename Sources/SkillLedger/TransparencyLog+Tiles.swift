import Foundation
import SkillCore
import SkillCredentials
import SkillStore

extension TransparencyLog {
    /// What an export wrote and what it left.
    public struct TileExport: Sendable, Hashable {
        /// The tree size of the checkpoint the tiles are of.
        public let size: Int
        /// Tiles (hash tiles and entry bundles) written by this run.
        public let written: Int
        /// Tiles already there from an earlier run (a tile never changes, so it is kept).
        public let kept: Int
        /// Entry bundles not published because a leaf in them is a version-1 leaf, whose data
        /// is the event itself: their hash tiles are published, so proofs still work.
        public let withheld: Int

        public var json: JSONValue {
            ["tree_size": .int(size), "written": .int(written), "kept": .int(kept), "entry_bundles_withheld": .int(withheld)]
        }
    }

    /// Writes the log under `directory` in the C2SP tlog-tiles layout: every tile of the
    /// latest checkpoint's tree, the entry bundles (commitments only), and `checkpoint` last, so
    /// a mirror never sees a checkpoint whose tiles are not there yet (and never one older than
    /// the one it has). Incremental: a tile is
    /// fixed by its path, so one already written is kept. Files are written whole (a temporary
    /// file renamed into place) and are public (0644).
    /// - Throws: `input.file-unreadable` naming a path that cannot be written; `log.node-missing`; `store.*`.
    public func exportTiles(to directory: String) throws(SkillError) -> TileExport {
        let note = try checkpoint()
        let size = try Checkpoint(unverifiedNote: note).size
        let root = URL(fileURLWithPath: directory)
        var written = 0
        var kept = 0
        var withheld = 0
        try context.read { tx in
            let nodes = StoredLogNodes(log: tx.log)
            for tile in LogTiles.tiles(treeSize: size) {
                if Self.exists(root, tile.path) {
                    kept += 1
                } else {
                    try Self.write(try LogTiles.data(of: tile) { level, index throws(SkillError) in try nodes.node(level: level, index: index) }, root, tile.path)
                    written += 1
                }
                guard tile.level == 0 else { continue }
                if Self.exists(root, tile.entriesPath) {
                    kept += 1
                    continue
                }
                let events = try tx.log.events(after: tile.index * LogTiles.width, limit: tile.width)
                let data = events.map(Self.publicData(of:))
                guard events.count == tile.width, data.allSatisfy({ $0 != nil }) else {
                    withheld += 1
                    continue
                }
                try Self.write(try LogTiles.entryBundle(data.compactMap { $0 }), root, tile.entriesPath)
                written += 1
            }
        }
        // Never replace a mirror's checkpoint with an older one (an export that started earlier
        // and finished later): clients that saw the newer tree would see the log shrink.
        let published = FileManager.default.contents(atPath: root.appendingPathComponent("checkpoint").path)
            .flatMap { try? Checkpoint(unverifiedNote: String(decoding: $0, as: UTF8.self)) }
        if (published?.size ?? -1) < size { try Self.write(Array(note.utf8), root, "checkpoint") }
        return TileExport(size: size, written: written, kept: kept, withheld: withheld)
    }

    private static func exists(_ root: URL, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    private static func write(_ bytes: [UInt8], _ root: URL, _ path: String) throws(SkillError) {
        let url = root.appendingPathComponent(path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        } catch {
            throw SkillError(.fileUnreadable, "cannot write the tile", field: url.path, cause: "\(error)")
        }
    }
}
