import Foundation
import SkillCore
import SkillCredentials
@testable import SkillLedger
@testable import SkillFuzzTargets
import Testing

/// Every input a fuzzer ever crashed on (Tools/Fuzz/regressions/TARGET/) and the hostile inputs
/// the issue names, through the same entry points the fuzzers call. A crash here is a crash
/// there; passing means each input is accepted or refused cleanly.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/Fuzz")

    static func files(_ folder: String, _ target: FuzzTarget) -> [[UInt8]] {
        let dir = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().compactMap { FileManager.default.contents(atPath: dir.appendingPathComponent($0).path).map(Array.init) }
    }

    /// Deep nesting, huge numbers, lone surrogates, duplicate keys, NUL bytes, invalid UTF-8: none
    /// of it is JSON the strict parser accepts.
    static let malformedJSON: [[UInt8]] = [
        Array(String(repeating: "[", count: 100_000).utf8),
        Array((String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)).utf8),
        Array("1\(String(repeating: "0", count: 100_000))".utf8),
        Array("[1e999999999, -1e-999999999, 123456789012345678901234567890]".utf8),
        Array(#"["\ud800", "\udc00x", "\ud800\ud800"]"#.utf8),
        Array(#"{"a":1,"a":2}"#.utf8),
        [0x7B, 0x22, 0x61, 0x00, 0x22, 0x3A, 0x31, 0x7D], [0x22, 0x00, 0x22], [0x00],
        [0x22, 0xC3, 0x28, 0x22], [0x22, 0xF0, 0x9F, 0x98, 0x22], [0xFF, 0xFE, 0x7B, 0x7D], [0xEF, 0xBB, 0xBF, 0x7B, 0x7D],
    ]

    /// Things shaped like credentials or VC-JWTs that carry no valid signature.
    static let forgedCredentials: [[UInt8]] = [
        Array(#"{"@context":[],"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","proofValue":"z"}}"#.utf8),
        Array("eyJhbGciOiJFZERTQSJ9.eyJ9.AAAA".utf8), Array("a.b.c".utf8), Array("...".utf8),
    ]

    static let hostileCSV: [[UInt8]] = [
        Array("name,id_type,id_number\n\"张\n三\",resident,\"1\"\"2\"\n".utf8),
        Array("name,id_type,id_number\n\"unterminated,resident,1\n".utf8),
        Array("name,id_type,id_number\n\"a\"\"\"\"b\",passport,E1\r\n\r\nx,y,z\r\n".utf8),
        Array("name,id_type,id_number\na,b\n".utf8),
        [0x6E, 0x61, 0x6D, 0x65, 0x0A, 0xFF, 0xFE, 0x00, 0x0A],
        Array("name,id_type,id_number,name\n".utf8),
        Array(("name,id_type,id_number\n" + String(repeating: "\"", count: 100_001)).utf8),
    ]

    static let hostileNotes: [[UInt8]] = [
        Array("origin\n18446744073709551616\nAAAA\n\n— origin AAAA\n".utf8),
        Array("origin\n-1\n\n\n".utf8), Array("\n\n\n".utf8), Array("a\n1\n\(String(repeating: "A", count: 100_000))\n\n— a +\n".utf8),
        Array("x+zz+AAAA".utf8), Array("x+00000000+".utf8), [0xE2, 0x80, 0x94, 0x20, 0x0A],
    ]

    @Test(arguments: FuzzTarget.allCases)
    func keptCrashesAndCorpusStillPass(_ target: FuzzTarget) {
        let inputs = Self.files("regressions", target) + Self.files("corpus", target)
        for input in inputs { target.run(input) }
        #expect(!Self.files("corpus", target).isEmpty, "each target has a seed corpus")
    }

    @Test func hostileInputsAreRefusedCleanly() throws {
        for input in Self.malformedJSON {
            FuzzTarget.json.run(input)
            FuzzTarget.credential.run(input)
            #expect(throws: SkillError.self) { try JSONParser().parse(input) }
        }
        for input in Self.malformedJSON + Self.forgedCredentials {
            let report = FuzzTarget.verifier.verify(text: String(decoding: input, as: UTF8.self))
            #expect(!report.isValid && !report.reasons.isEmpty)
        }
        // CSV: quoted line breaks and doubled quotes read as one record with its first line;
        // every malformed file is refused with a located error.
        let rows = try CSVRows(InputStream(data: Data(Self.hostileCSV[0])), columns: ["name", "id_type", "id_number"])
        let record = try #require(try rows.next())
        #expect(record.line == 2 && record.fields["name"] == "张\n三" && record.fields["id_number"] == "1\"2")
        #expect(try rows.next() == nil)
        // Doubled quotes, CRLF and a blank line: two records, on lines 2 and 4.
        let quirky = try CSVRows(InputStream(data: Data(Self.hostileCSV[2])), columns: ["name", "id_type", "id_number"])
        let first = try #require(try quirky.next())
        let second = try #require(try quirky.next())
        #expect(first.fields["name"] == "a\"\"b" && first.line == 2 && second.line == 4 && second.fields["name"] == "x")
        for (i, input) in Self.hostileCSV.enumerated() where i != 0 && i != 2 {
            FuzzTarget.csv.run(input)
            #expect(throws: SkillError.self) {
                let rows = try CSVRows(InputStream(data: Data(input)), columns: ["name", "id_type", "id_number"])
                while try rows.next() != nil {}
            }
        }
        for input in Self.hostileNotes {
            FuzzTarget.note.run(input)
            let text = String(decoding: input, as: UTF8.self)
            #expect(throws: SkillError.self) { try SignedNote.open(text, verifiers: [FuzzTarget.noteKey]) }
        }
    }

    /// A 100 MB body never reaches these parsers whole over HTTP (1 MiB / 16 MiB limits are
    /// enforced before buffering, see the server tests); the parser itself still returns.
    @Test func aHundredMegabyteDocumentIsRefusedWithoutCrashing() {
        var big = Array("[".utf8)
        big += [UInt8](repeating: 0x31, count: 100 << 20)
        FuzzTarget.json.run(big)
    }
}
