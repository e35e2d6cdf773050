@testable import SkillCore
import Testing

/// JCS member order is compared on UTF-8 bytes with one correction; these tests hold it to
/// the definition (UTF-16 code unit order) over the characters where the two orders differ.
@Suite struct KeyOrderTests {
    /// ASCII, two- and three-byte characters below and above U+E000, and four-byte ones.
    static let alphabet: [Character] = ["a", "b", "Z", "0", "é", "ß", "€", "中", "\u{D7FF}", "\u{E000}", "\u{FB33}", "\u{FFFD}", "😀", "\u{10000}", "\u{10FFFF}"]

    @Test func agreesWithUTF16OrderOnEveryPairOfShortKeys() {
        var rng = SystemRandomNumberGenerator()
        var keys: [String] = Self.alphabet.map { String($0) }
        for _ in 0..<2_000 {
            keys.append(String((0..<Int.random(in: 0...4, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }))
        }
        var disagreements = 0
        for a in keys {
            for b in keys.prefix(300) where JSONValue.precedesInUTF16(a, b) != a.utf16.lexicographicallyPrecedes(b.utf16) {
                disagreements += 1
            }
        }
        #expect(disagreements == 0)
    }

    @Test func aSupplementaryCharacterSortsBeforeTheTopOfTheBasicPlane() {
        // Code point order would put U+E000 first; UTF-16 (surrogates D800–DFFF) puts 😀 first.
        #expect(JSONValue.precedesInUTF16("😀", "\u{E000}"))
        #expect(!JSONValue.precedesInUTF16("\u{FFFD}", "😀"))
        #expect(JSONValue.precedesInUTF16("€", "😀"))
        #expect(JSONValue.precedesInUTF16("ab", "abc"))
        #expect(!JSONValue.precedesInUTF16("abc", "abc"))
    }
}
