import Foundation

/// Scratch folders for tests. They all sit in one folder per test process, which is removed when
/// the process exits, so running the suite again and again does not fill the temporary directory.
/// (A fixture cannot remove its own folder on deinit: Swift may end its life after its last use,
/// while the ledger it opened is still writing there.)
public enum ScratchFolder {
    private static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("skillbank-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: url)  // left by a crashed run that had the same pid
        atexit { try? FileManager.default.removeItem(at: ScratchFolder.root) }
        return url
    }()

    /// A new, empty folder named `prefix-UUID` inside this process's scratch folder.
    public static func make(_ prefix: String) throws -> URL {
        let folder = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
