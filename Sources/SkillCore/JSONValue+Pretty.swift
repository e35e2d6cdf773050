/// Human-readable JSON output with sorted keys (stable across runs, unlike `JSONEncoder`).
extension JSONValue {
    /// Indented JSON, members sorted as in JCS, strings escaped as in JCS.
    /// - Throws: `json.not-canonicalizable` for NaN or an infinity.
    public func prettyString(indent: Int = 0) throws(SkillError) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .array(let elements) where !elements.isEmpty:
            var parts: [String] = []
            for e in elements { parts.append(inner + (try e.prettyString(indent: indent + 1))) }
            return "[\n" + parts.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let members) where !members.isEmpty:
            var parts: [String] = []
            for key in members.keys.sorted(by: JSONValue.precedesInUTF16) {
                let k = try JSONValue.string(key).canonicalString()
                parts.append(inner + k + ": " + (try members[key]!.prettyString(indent: indent + 1)))
            }
            return "{\n" + parts.joined(separator: ",\n") + "\n" + pad + "}"
        default:
            return try canonicalString()
        }
    }
}
