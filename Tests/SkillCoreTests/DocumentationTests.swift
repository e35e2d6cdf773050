import Foundation
import SkillCore
import Testing

/// The README's table of error codes names every code the program can give.
@Suite struct DocumentationTests {
    @Test func readmeListsEveryErrorCode() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "## Error codes and exit codes"))
        let end = try #require(readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex))
        let table = readme[start.upperBound..<end.lowerBound]
        let missing = SkillError.Code.all.filter { !table.contains("`\($0.rawValue)`") }
        #expect(missing.isEmpty, "README's error table lacks \(missing.map(\.rawValue))")
    }
}
