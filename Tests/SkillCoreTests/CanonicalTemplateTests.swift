import Testing
@testable import SkillCore

/// A filled template must be byte for byte what canonicalising the filled document gives.
@Suite struct CanonicalTemplateTests {
    /// Text pieces that need every kind of JCS string handling: plain ASCII, a quote and a
    /// backslash, control characters (short and \u escapes), two- to four-byte UTF-8, and
    /// private-use characters like the markers' own.
    static let pieces = ["", "a", "Z9", "\"", "\\", "\n", "\u{1}", "\u{1F}", "/", "é", "中文", "😀", "\u{E000}", "\u{E001}", "\u{7F}", "#"]

    static func text(_ rng: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// A random document with markers inside some strings (alone, at either end, in the middle,
    /// twice), in member values, array elements and nested objects. Returns the document built
    /// twice: once with the markers and once with `values` in their place.
    static func document(
        markers: [String], values: [String], depth: Int = 0, _ rng: inout some RandomNumberGenerator
    ) -> (template: JSONValue, filled: JSONValue) {
        func string() -> (JSONValue, JSONValue) {
            var withMarkers = ""
            var filled = ""
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                if Bool.random(using: &rng) {
                    let m = Int.random(in: 0..<markers.count, using: &rng)
                    withMarkers += markers[m]
                    filled += values[m]
                } else {
                    let t = text(&rng)
                    withMarkers += t
                    filled += t
                }
            }
            return (.string(withMarkers), .string(filled))
        }
        switch depth < 3 ? Int.random(in: 0...3, using: &rng) : 0 {
        case 0: return string()
        case 1:
            var a: [JSONValue] = []
            var b: [JSONValue] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let (x, y) = document(markers: markers, values: values, depth: depth + 1, &rng)
                a.append(x)
                b.append(y)
            }
            return (.array(a), .array(b))
        case 2:
            let n = JSONValue.number(Double(Int.random(in: -5...5, using: &rng)) / 4)
            return (n, n)
        default:
            var a: [String: JSONValue] = [:]
            var b: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let name = text(&rng)
                let (x, y) = document(markers: markers, values: values, depth: depth + 1, &rng)
                a[name] = x
                b[name] = y
            }
            return (.object(a), .object(b))
        }
    }

    @Test func aFilledTemplateIsTheCanonicalFormOfTheFilledDocument() throws {
        var rng = SystemRandomNumberGenerator()
        var failures: [String] = []
        for _ in 0..<3_000 {
            let markers = CanonicalTemplate.markers(3)
            let values = (0..<3).map { _ in Self.text(&rng) }
            let (withMarkers, filled) = Self.document(markers: markers, values: values, &rng)
            let template = try CanonicalTemplate(withMarkers, markers: markers)
            if template.filling(values) != (try filled.canonicalBytes()) { failures.append("\(filled)") }
        }
        #expect(failures.count == 0, "\(failures.prefix(2))")
    }

    /// The insertion point survives filling: adding a member to the filled object gives what
    /// canonicalising the filled object with that member gives, whatever the lengths filled in
    /// before the point.
    @Test func theInsertionPointMovesWithWhatIsFilledBeforeIt() throws {
        var rng = SystemRandomNumberGenerator()
        var failures: [String] = []
        for _ in 0..<1_000 {
            let markers = CanonicalTemplate.markers(2)
            let values = (0..<2).map { _ in Self.text(&rng) }
            var a: [String: JSONValue] = [:]
            var b: [String: JSONValue] = [:]
            for name in ["@context", "id", "name", "type", "zz"] where Bool.random(using: &rng) {
                let m = Int.random(in: 0..<2, using: &rng)
                a[name] = .string("urn:" + markers[m] + ":" + markers[1 - m])
                b[name] = .string("urn:" + values[m] + ":" + values[1 - m])
            }
            let template = try CanonicalTemplate(.object(a), markers: markers, insertionPointFor: "proof")
            let proof: JSONValue = ["proofValue": "z1", "type": "DataIntegrityProof"]
            let spliced = template.fillingObject(values).adding(canonicalValue: try proof.canonicalBytes())
            b["proof"] = proof
            if spliced != (try JSONValue.object(b).canonicalBytes()) { failures.append("\(b)") }
        }
        #expect(failures.count == 0, "\(failures.prefix(2))")
    }

    @Test func markersAreFreshAndNeedNoEscaping() throws {
        let a = CanonicalTemplate.markers(2)
        let b = CanonicalTemplate.markers(2)
        #expect(Set(a + b).count == 4)
        for m in a { #expect(try JSONValue.string(m).canonicalBytes() == Array("\"\(m)\"".utf8)) }
    }
}
