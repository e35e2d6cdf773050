/// 统一社会信用代码 (unified social credit code), GB 32100-2015.
///
/// 18 characters from the 31-character set `0-9 A-H J-N P-R T-U W-Y` (no I, O, Z, S, V):
/// 登记管理部门代码 (1), 机构类别代码 (1), 登记管理机关行政区划码 (6 digits),
/// 主体标识码 (9, the organisation code), and a check character computed with the
/// weights 3^i mod 31 over the first 17 characters (GB 32100-2015 §5).
public struct USCC: Sendable, Hashable, CustomStringConvertible {
    /// The 18-character code, upper case.
    public let value: String

    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// Validates a code.
    /// - Parameter text: the code as written (surrounding spaces are ignored, letters may be lower case).
    /// - Throws: `institution.uscc-invalid` naming what is wrong (length, a character, or the check character).
    public init(_ text: String) throws(SkillError) {
        let chars = Array(text.trimmingSpaces.uppercased())
        guard chars.count == 18 else {
            throw SkillError(.usccInvalid, "a unified social credit code has 18 characters, got \(chars.count)")
        }
        for (i, ch) in chars.enumerated() where !Self.alphabet.contains(ch) {
            throw SkillError(.usccInvalid, "character \(i + 1) '\(ch)' is not allowed (I, O, Z, S, V are never used)")
        }
        for i in 2..<8 where !chars[i].isASCIIDigit {
            throw SkillError(.usccInvalid, "characters 3–8 are the registering authority's region code and must be digits")
        }
        let expected = Self.checkCharacter(for: String(chars.prefix(17)))!
        guard chars[17] == expected else {
            throw SkillError(.usccInvalid, "check character is '\(chars[17])', expected '\(expected)'")
        }
        value = String(chars)
    }

    /// The check character for the first 17 characters of a code, or nil if one is not in the alphabet.
    public static func checkCharacter(for first17: String) -> Character? {
        let chars = Array(first17.uppercased())
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (i, ch) in chars.enumerated() {
            guard let v = alphabet.firstIndex(of: ch) else { return nil }
            sum += v * weights[i]
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// The 6-digit administrative division code of the registering authority (characters 3–8).
    public var regionCode: String { String(Array(value)[2..<8]) }
    public var description: String { value }
}

extension Character {
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and line breaks.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
