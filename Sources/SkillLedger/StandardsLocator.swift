import Foundation
import SkillCore

/// Finds the Standards directory for a new bank: `SKILLBANK_STANDARDS`, else a `Standards`
/// folder in the working directory or above it, else one above the executable.
public enum StandardsLocator {
    /// The directory, or nil when none is found.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let explicit = environment["SKILLBANK_STANDARDS"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let starts = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("Standards")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("schema/levels.schema.json").path) {
                    return candidate
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }
}
