import Foundation
import SkillCore

/// The registry's public base URL: signed into every certificate (its status list, the
/// catalogue pages its alignments point at, the JSON-LD context), so it is fixed when the bank
/// is created and must be an address others can reach.
public enum RegistryAddress {
    /// The default, for trying SkillBank out on one machine.
    public static let trial = "http://127.0.0.1:8080"

    /// Checks a base URL and returns it without a trailing slash.
    /// - Throws: `input.invalid-field` at `field` unless it is `http(s)://host[:port][/path]`
    ///   with no query, fragment or credentials.
    public static func validate(_ text: String, field: String) throws(SkillError) -> String {
        var trimmed = text.trimmingSpaces
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URLComponents(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else {
            throw SkillError(.invalidField, "expected the registry's address as http(s)://host[:port][/path], got '\(text.prefix(80))'", field: field)
        }
        return trimmed
    }

    /// Whether the URL's host is this machine only (127.0.0.0/8, ::1, localhost, 0.0.0.0).
    public static func isLoopback(_ text: String) -> Bool {
        guard let host = URLComponents(string: text)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1" || host == "[::1]" || host == "0.0.0.0"
    }
}
