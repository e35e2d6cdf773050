import Foundation
@testable import SkillCore
import Testing

@Suite struct JSONValueDecoderTests {
    /// Decodes one member of a shipped Standards file both ways.
    func both<T: Decodable & Equatable>(_ type: T.Type, _ file: String, _ member: String) throws -> (ours: T, foundation: T) {
        let data = try Data(contentsOf: standardsDirectory.appendingPathComponent("\(file).json"))
        let value = try #require(try JSONParser().parse(Array(data))[member])
        let foundation = JSONDecoder()
        foundation.keyDecodingStrategy = .convertFromSnakeCase
        return (try JSONValueDecoder().decode(T.self, from: value), try foundation.decode(T.self, from: Data(value.canonicalBytes())))
    }

    @Test func everyShippedStandardsTableDecodesAsFoundationDecodesIt() throws {
        var rows = 0
        func same<T: Decodable & Equatable & Collection>(_ type: T.Type, _ file: String, _ member: String) throws {
            let (ours, foundation) = try both(type, file, member)
            #expect(ours == foundation, "\(file).json $.\(member)")
            #expect(!ours.isEmpty, "\(file).json $.\(member)")
            rows += ours.count
        }
        try same([SkillLevel].self, "levels", "rows")
        try same([Occupation].self, "occupations", "rows")
        try same([OccupationMajor].self, "occupations", "majors")
        try same([CredentialType].self, "credential-types", "rows")
        try same([CertificateNumberScheme].self, "certificate-number-schemes", "rows")
        try same([Province].self, "provinces", "rows")
        try same([Framework].self, "frameworks", "rows")
        try same([CrosswalkRow].self, "crosswalk", "rows")
        try same([DualMapping].self, "dual-certificates", "rows")
        try same([AssessmentRule].self, "assessment-rules", "rows")
        try same([Programme].self, "conversion-rules", "programmes")
        try same([ConversionRule].self, "conversion-rules", "rules")
        #expect(rows > 100)
    }

    struct Sample: Decodable, Equatable {
        let hoursPerCredit: Int
        let levelURL: String
        let note: String?
        let ratio: Double
        let flags: [Bool]
        let byName: [String: Int]
    }

    @Test func snakeCaseMembersOptionalsAndDictionaryKeysAsWritten() throws {
        let value: JSONValue = [
            "hours_per_credit": 10, "level_url": "https://example.org/l", "ratio": 0.5, "flags": [true, false],
            "by_name": ["keep_this_key": 1, "andThis": 2],
        ]
        let sample = try JSONValueDecoder().decode(Sample.self, from: value)
        #expect(sample == Sample(hoursPerCredit: 10, levelURL: "https://example.org/l", note: nil, ratio: 0.5, flags: [true, false],
                                 byName: ["keep_this_key": 1, "andThis": 2]))
        // An exact name wins over the snake-case one.
        let exact = try JSONValueDecoder().decode(Sample.self, from: [
            "hoursPerCredit": 7, "hours_per_credit": 10, "level_url": "", "note": "n", "ratio": 1, "flags": [], "by_name": [:],
        ])
        #expect(exact.hoursPerCredit == 7 && exact.note == "n")
        #expect(JSONValueDecoder.snakeCase("myURLValue") == "my_url_value")
        #expect(JSONValueDecoder.snakeCase("fiveLevelCode") == "five_level_code")
        #expect(JSONValueDecoder.snakeCase("id") == "id")
    }

    /// The coding path and the problem of the first member that does not fit.
    func failure(_ value: JSONValue) -> (path: String, error: DecodingError)? {
        do {
            _ = try JSONValueDecoder().decode([Sample].self, from: value)
            return nil
        } catch let error as DecodingError {
            let context: DecodingError.Context? = switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c
            case .keyNotFound(let key, let c): DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: c.debugDescription)
            @unknown default: nil
            }
            return (context?.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() ?? "", error)
        } catch {
            return nil
        }
    }

    @Test func errorsNameThePathAndWhatIsWrong() throws {
        let good: JSONValue = ["hours_per_credit": 10, "level_url": "u", "ratio": 1, "flags": [true], "by_name": ["a": 1]]
        func with(_ key: String, _ bad: JSONValue?) -> JSONValue {
            guard case .object(var members) = good else { return good }
            members[key] = bad
            return [good, .object(members)]
        }
        let text = try #require(failure(with("level_url", 5)))
        #expect(text.path == "[1].levelURL")
        guard case .typeMismatch = text.error else { Issue.record("expected a type mismatch, got \(text.error)"); return }

        let fraction = try #require(failure(with("hours_per_credit", 1.5)))
        #expect(fraction.path == "[1].hoursPerCredit")
        guard case .dataCorrupted = fraction.error else { Issue.record("expected dataCorrupted, got \(fraction.error)"); return }

        let null = try #require(failure(with("ratio", .null)))
        #expect(null.path == "[1].ratio")
        guard case .valueNotFound = null.error else { Issue.record("expected valueNotFound, got \(null.error)"); return }

        let missing = try #require(failure(with("flags", nil)))
        #expect(missing.path == "[1].flags")
        guard case .keyNotFound = missing.error else { Issue.record("expected keyNotFound, got \(missing.error)"); return }

        let element = try #require(failure(with("flags", [true, "yes"])))
        #expect(element.path == "[1].flags[1]")
        let dictionary = try #require(failure(with("by_name", ["a": "one"])))
        #expect(dictionary.path == "[1].byName.a")
        #expect(failure([good, good]) == nil)
    }
}
