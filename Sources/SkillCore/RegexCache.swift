import Foundation
import Synchronization

/// Compiled regular expressions shared by the schema validator and the certificate-number
/// schemes, so each pattern is compiled once per process rather than once per value.
enum RegexCache {
    private static let compiled = Mutex<[String: NSRegularExpression]>([:])

    /// Whether `pattern` finds a match in `text` (anchors in the pattern decide how much must
    /// match). An invalid pattern matches nothing.
    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let re = regex(pattern) else { return false }
        return re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The compiled pattern, or nil when it is not a valid regular expression.
    static func regex(_ pattern: String) -> NSRegularExpression? {
        if let hit = compiled.withLock({ $0[pattern] }) { return hit }
        guard let re = try? NSRegularExpression(pattern: pattern) else { return nil }
        compiled.withLock { $0[pattern] = re }
        return re
    }
}
