import Foundation
import SkillCore
import Testing

@Suite struct JCSTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let expectedHex: String
        var testDescription: String { name }
    }

    static func canonicalizationCases() throws -> [Case] {
        let rfc = try Fixture.json("rfc8785_jcs_rfc_examples")
        let cyber = try Fixture.json("jcs_cyberphone_testdata")
        let rows = (rfc["canonicalization"]?.arrayValue ?? []) + (cyber["vectors"]?.arrayValue ?? [])
        return rows.map {
            Case(name: $0["name"]!.stringValue!, input: $0["input_json_text"]!.stringValue!,
                 expectedHex: $0["expected_utf8_hex"]!.stringValue!)
        }
    }

    @Test("RFC 8785 and cyberphone canonicalization vectors", arguments: try canonicalizationCases())
    func canonicalization(_ c: Case) throws {
        let value = try JSONParser().parse(c.input)
        #expect(try value.canonicalBytes() == Fixture.hex(c.expectedHex))
    }

    @Test func vectorCountIsWhatTheFilesHold() throws {
        #expect(try Self.canonicalizationCases().count >= 8)
    }

    @Test("RFC 8785 §3.2.3 property sorting by UTF-16 code units")
    func propertySorting() throws {
        let rows = try Fixture.json("rfc8785_jcs_rfc_examples")["property_sorting"]!.arrayValue!
        #expect(rows.count == 2)
        for row in rows {
            let canonical = try JSONParser().parse(row["input_json_text"]!.stringValue!).canonicalString()
            if let order = row["expected_value_order"]?.arrayValue {
                // Values appear in the canonical text in the expected order.
                var cursor = canonical.startIndex
                for v in order.compactMap(\.stringValue) {
                    let r = try #require(canonical.range(of: "\"\(v)\"", range: cursor..<canonical.endIndex))
                    cursor = r.upperBound
                }
            }
            if let keys = row["expected_key_order"]?.arrayValue {
                var cursor = canonical.startIndex
                for k in keys.compactMap(\.stringValue) {
                    let r = try #require(canonical.range(of: "\"\(k)\":", range: cursor..<canonical.endIndex))
                    cursor = r.upperBound
                }
            }
        }
    }

    @Test("RFC 8785 Appendix B number samples, including NaN and Infinity refused")
    func rfcNumbers() throws {
        let vectors = try Fixture.json("rfc8785_jcs_rfc_examples")["number_serialization"]!["vectors"]!.arrayValue!
        #expect(vectors.count > 10)
        for v in vectors {
            let d = Fixture.double(hex: v["ieee754_hex"]!.stringValue!)
            if let expected = v["expected"]?.stringValue {
                #expect(try JCSNumber.format(d) == expected, "\(v["ieee754_hex"]!)")
            } else {
                #expect(throws: SkillError.self) { try JCSNumber.format(d) }
            }
        }
    }

    @Test("ES6 number samples and the first 1000 lines of es6testfile100m")
    func es6Numbers() throws {
        let file = try Fixture.json("jcs_es6_numbers")
        for v in file["samples"]!.arrayValue! {
            #expect(try JCSNumber.format(Fixture.double(hex: v["ieee754_hex"]!.stringValue!)) == v["expected"]!.stringValue!)
        }
        for v in file["invalid"]!.arrayValue! {
            #expect(throws: SkillError.self) { try JCSNumber.format(Fixture.double(hex: v["ieee754_hex"]!.stringValue!)) }
        }
        let lines = try Fixture.json("jcs_es6_numbers_first1000")["lines"]!.arrayValue!.compactMap(\.stringValue)
        #expect(lines.count == 1000)
        var mismatches: [String] = []
        for line in lines {
            let parts = line.split(separator: ",")
            let d = Double(bitPattern: UInt64(parts[0], radix: 16)!)
            if try JCSNumber.format(d) != String(parts[1]) { mismatches.append(line) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}

@Suite struct JSONParserTests {
    @Test(arguments: [
        ("{\"a\":1,\"a\":2}", "duplicate"),
        ("\"\\ud800\"", "lone high surrogate"),
        ("\"\\udc00\"", "lone low surrogate"),
        ("[1,]", "unexpected character"),
        ("01", "leading zero"),
        ("1e400", "out of range"),
        ("{\"a\":1} x", "after the value"),
        ("\"a\u{01}\"", "control character"),
        ("nul", "end of input"), ("nulx", "invalid literal"),
    ])
    func rejects(_ input: String, _ reason: String) {
        #expect {
            _ = try JSONParser().parse(input)
        } throws: { error in
            guard let e = error as? SkillError else { return false }
            return e.code == .jsonMalformed && e.message.contains(reason)
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: SkillError.self) { try JSONParser().parse([0x22, 0xFF, 0x22]) }
    }

    /// The parser accepts a string's bytes exactly when Swift's strict validator does, with and
    /// without an escape before them: overlong forms, surrogates, code points past U+10FFFF,
    /// truncated and stray continuation bytes, and a literal U+FFFD (valid, kept as it is).
    @Test func acceptsExactlyTheValidUTF8() {
        var rng = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            [0x61], [0xC3, 0xA9], [0xE4, 0xB8, 0xAD], [0xF0, 0x9D, 0x84, 0x9E], [0xEF, 0xBF, 0xBD], [0xC0, 0xAF], [0xE0, 0x80, 0xAF],
            [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0x80], [0xBF], [0xC3], [0xE4, 0xB8], [0xF0, 0x9D, 0x84], [0xFE], [0xFF],
        ]
        var (accepted, refused) = (0, 0)
        for _ in 0..<4_000 {
            let body = (0..<Int.random(in: 1...6, using: &rng)).flatMap { _ in pieces.randomElement(using: &rng)! }
            let valid = String(validating: body, as: UTF8.self)
            for prefix in [[], Array(#"\n"#.utf8)] as [[UInt8]] {
                let parsed = try? JSONParser().parse([0x22] + prefix + body + [0x22])
                let expected = valid.map { (prefix.isEmpty ? "" : "\n") + $0 }
                #expect(parsed?.stringValue == expected, "bytes \(body)")
            }
            if valid == nil { refused += 1 } else { accepted += 1 }
        }
        #expect(accepted > 200 && refused > 200)
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: SkillError.self) { try JSONParser().parse(deep) }
        #expect((try? JSONParser().parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))) != nil)
    }

    @Test func roundTripsThroughCanonicalForm() throws {
        let text = #"{"b":[1,2.5,"x\ny"],"a":{"z":null,"y":true},"€":-0}"#
        let v = try JSONParser().parse(text)
        let canonical = try v.canonicalString()
        #expect(canonical == #"{"a":{"y":true,"z":null},"b":[1,2.5,"x\ny"],"€":0}"#)
        #expect(try JSONParser().parse(canonical) == v)
    }
}
