@testable import SkillCore
import Testing

/// JCS member order is compared on UTF-8 bytes with one correction; these tests hold it to
/// the definition (UTF-16 code unit order) over the characters where the two orders differ.
@Suite struct KeyOrderTests {
    /// ASCII, two- and three-byte characters below and above U+E000, and four-byte ones.
    static let alphabet: [Character] = ["a", "b", "Z", "0", "é", "ß", "€", "中", "\u{D7FF}", "\u{E000}", "\u{FB33}", "\u{FFFD}", "😀", "\u{10000}", "\u{10FFFF}"]

    /// Every pair of keys of up to two characters (241 keys, 58,081 pairs), then random keys of
    /// up to six characters against all of them.
    @Test func agreesWithUTF16OrderOnEveryPairOfShortKeys() {
        let one = Self.alphabet.map { String($0) }
        let short = [""] + one + one.flatMap { a in one.map { a + $0 } }
        #expect(short.count == 241)
        var rng = SystemRandomNumberGenerator()
        let long = (0..<500).map { _ in String((0..<Int.random(in: 3...6, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }) }
        var disagreements: [(String, String)] = []
        for a in short + long {
            for b in short where JSONValue.precedesInUTF16(a, b) != a.utf16.lexicographicallyPrecedes(b.utf16) {
                disagreements.append((a, b))
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    @Test func aSupplementaryCharacterSortsBeforeTheTopOfTheBasicPlane() {
        // Code point order would put U+E000 first; UTF-16 (surrogates D800–DFFF) puts 😀 first.
        #expect(JSONValue.precedesInUTF16("😀", "\u{E000}"))
        #expect(!JSONValue.precedesInUTF16("\u{FFFD}", "😀"))
        #expect(JSONValue.precedesInUTF16("€", "😀"))
        #expect(JSONValue.precedesInUTF16("ab", "abc"))
        #expect(!JSONValue.precedesInUTF16("abc", "abc"))
    }

    /// Objects sort their members through an eight-byte prefix when every name is ASCII. Names
    /// that share long prefixes, are prefixes of each other, or hold NUL and DEL must still come
    /// out in UTF-16 order, and so must objects with one non-ASCII name among them.
    @Test func objectMemberOrderIsUTF16OrderWithAndWithoutThePrefixShortcut() {
        let asciiParts = ["", "a", "credential", "credentialS", "credentialSubject", "credentialStatus", "@context", "\u{0}", "\u{7F}", "Z", "id", "idx"]
        let wide = ["é", "中", "\u{E000}", "😀"]
        var rng = SystemRandomNumberGenerator()
        var failures: [[String]] = []
        for round in 0..<2_000 {
            let pool = round % 4 == 3 ? asciiParts + wide : asciiParts
            var names = Set<String>()
            for _ in 0..<Int.random(in: 1...14, using: &rng) {
                names.insert((0..<Int.random(in: 1...3, using: &rng)).map { _ in pool.randomElement(using: &rng)! }.joined())
            }
            let members = Dictionary(uniqueKeysWithValues: names.map { ($0, JSONValue.null) })
            let got = JSONValue.memberOrder(members).map { members[$0].key }
            let want = names.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            if got != want { failures.append(got) }
        }
        #expect(failures.count == 0, "\(failures.prefix(2))")
    }
}
