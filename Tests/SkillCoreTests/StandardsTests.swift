import Foundation
import SkillCore
import Testing

/// The repository's own Standards directory.
let standardsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Standards")

@Suite struct StandardsTests {
    func shipped() throws -> Standards { try Standards.load(directory: standardsDirectory) }

    @Test func shippedStandardsLoad() throws {
        let s = try shipped()
        #expect(s.levels.count == 8)
        #expect(s.levels.compactMap(\.fiveLevelCode) == [5, 4, 3, 2, 1])
        #expect(s.level(code: 5)?.zh == "初级工")
        #expect(s.level(code: 1)?.zh == "高级技师")
        #expect(s.levels.first?.zh == "学徒工" && s.levels.last?.zh == "首席技师")
        #expect(s.occupations.count >= 20)
        #expect(s.occupation("6-31-01-03")?.zh == "电工")
        #expect(s.occupation("6-18-01-01")?.workTypes.first?.zh == "数控车工")
        #expect(s.framework("hkqf")?.hoursPerCredit?.value == 10)
        #expect(s.framework("hkqf")?.levels.count == 7)
        #expect(s.framework("eqf")?.levels.count == 8)
        #expect(s.framework("gdleqf")?.levels.count == 7)
        #expect(s.framework("gdleqf")?.hoursPerCredit?.status == .unverified)
        #expect(s.defaultFramework.id == "hkqf")
        #expect(s.crosswalk.allSatisfy { $0.status == .illustrative })
        #expect(Set(s.credentialTypes.map(\.id)).isSuperset(of: [
            "skill-level-certificate", "special-capability-certificate", "training-record", "international-certificate",
            "academic-award",
        ]))
        #expect(s.credentialTypes.first { $0.id == "special-capability-certificate" }?.leveled == false)
    }

    @Test func creditsFromHours() throws {
        let s = try shipped()
        #expect(s.framework("hkqf")!.creditTenths(forHours: 64) == 64)  // 6.4 credits
        #expect(s.framework("cn-college")!.creditTenths(forHours: 64) == 40)  // 4.0 学分
        #expect(s.framework("ects")!.creditTenths(forHours: 64) == 21)  // 2.13 → 2.1 (floored)
        #expect(s.framework("eqf")!.creditTenths(forHours: 64) == nil)
        #expect(throws: SkillError.self) { try s.requireCreditFramework("eqf") }
    }

    @Test func certificateNumberSchemes() throws {
        let s = try shipped()
        let codes = Set(s.levels.compactMap(\.fiveLevelCode))
        let scheme = try #require(s.numberScheme("skill-level-2020"))
        let parts = try scheme.parse("Y000123000001195000001", provinces: s.provinceCodes, levels: codes)
        #expect(parts["evaluator_kind"] == "Y" && parts["province"] == "23" && parts["level"] == "5" && parts["serial"] == "000001")
        let made = try scheme.compose(
            ["evaluator_kind": "S", "evaluator_code": "12", "province": "44", "site_sequence": "7", "year": "26", "level": "3",
             "serial": "42"],
            provinces: s.provinceCodes, levels: codes)
        #expect(made == "S001244000007263000042")
        #expect(made.count == 22)
        for bad in ["X000123000001195000001", "Y000199000001195000001", "Y000123000001196000001", "Y00012300000119500000"] {
            #expect(throws: SkillError.self, "\(bad)") { try scheme.parse(bad, provinces: s.provinceCodes, levels: codes) }
        }
        #expect(throws: SkillError.self) {
            try scheme.compose(["evaluator_kind": "Y"], provinces: s.provinceCodes, levels: codes)
        }
        let special = try #require(s.numberScheme("principal-technician"))
        #expect((try? special.parse("AB12345678901234567890", provinces: [], levels: codes)) != nil)
        #expect((try? special.parse("A123456789012345678901", provinces: [], levels: codes)) == nil)
        #expect(throws: SkillError.self) { try special.compose([:], provinces: [], levels: codes) }
        let legacy = try #require(s.numberScheme("legacy-vq-16"))
        #expect(try legacy.parse("0844010001300001", provinces: [], levels: codes)["level"] == "3")
        #expect((try? legacy.parse("0844015001300001", provinces: [], levels: codes)) == nil)  // institution type 5
    }

    /// Copies the shipped directory, lets `edit` break one file, and returns the load error.
    func loadError(_ file: String, _ edit: (inout String) -> Void) throws -> SkillError? {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("standards-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: standardsDirectory, to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let url = tmp.appendingPathComponent(file)
        var text = try String(contentsOf: url, encoding: .utf8)
        edit(&text)
        try text.write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try Standards.load(directory: tmp)
            return nil
        } catch { return error }
    }

    @Test func brokenFilesNameFilePathAndProblem() throws {
        let badCode = try #require(try loadError("occupations.json") { $0 = $0.replacingOccurrences(of: "\"6-31-01-03\"", with: "\"6-31-1-03\"") })
        #expect(badCode.code == .standardsSchema)
        #expect(badCode.field == "occupations.json $.rows[0].code")
        #expect(badCode.message.contains("does not match"))

        let badStatus = try #require(try loadError("levels.json") { $0 = $0.replacingOccurrences(of: "\"status\": \"sourced\"}", with: "\"status\": \"official\"}") })
        #expect(badStatus.code == .standardsSchema)
        #expect(badStatus.field?.hasPrefix("levels.json $.rows[") == true)

        let unknownMember = try #require(try loadError("provinces.json") { $0 = $0.replacingOccurrences(of: "\"zh\": \"北京市\"", with: "\"zh\": \"北京市\", \"zhh\": 1") })
        #expect(unknownMember.field == "provinces.json $.rows[0].zhh")

        let badLevel = try #require(try loadError("occupations.json") { $0 = $0.replacingOccurrences(of: "[5, 4, 3, 2, 1]", with: "[5, 4, 3, 2, 0]") })
        #expect(badLevel.code == .standardsSchema)  // 0 is below the schema's minimum

        let notJSON = try #require(try loadError("frameworks.json") { $0 += "}" })
        #expect(notJSON.code == .standardsSchema)
        #expect(notJSON.field?.hasPrefix("frameworks.json byte") == true)
    }

    @Test func crossReferencesAreChecked() throws {
        let crosswalk = try #require(try loadError("crosswalk.json") { $0 = $0.replacingOccurrences(of: "\"eqf\": [2, 3]", with: "\"eqx\": [2, 3]") })
        #expect(crosswalk.code == .standardsReference)
        #expect(crosswalk.field == "crosswalk.json $.rows[0].levels.eqx")

        let level = try #require(try loadError("crosswalk.json") { $0 = $0.replacingOccurrences(of: "\"hkqf\": [6]", with: "\"hkqf\": [9]") })
        #expect(level.code == .standardsReference)

        let major = try #require(try loadError("occupations.json") { $0 = $0.replacingOccurrences(of: "\"6-31-01-03\"", with: "\"7-31-01-03\"") })
        #expect(major.code == .standardsReference)
        #expect(major.message.contains("major group 7"))

        let duplicate = try #require(try loadError("occupations.json") { $0 = $0.replacingOccurrences(of: "\"6-18-02-04\"", with: "\"6-31-01-03\"") })
        #expect(duplicate.code == .standardsReference)
        #expect(duplicate.field == "occupations.json $.rows[1]")

        let example = try #require(try loadError("certificate-number-schemes.json") { $0 = $0.replacingOccurrences(of: "Y000123000001195000001", with: "Y000199000001195000001") })
        #expect(example.code == .standardsReference)
        #expect(example.message.contains("province"))

        let defaultFramework = try #require(try loadError("frameworks.json") { $0 = $0.replacingOccurrences(of: "\"default_framework\": \"hkqf\"", with: "\"default_framework\": \"eqf\"") })
        #expect(defaultFramework.code == .standardsReference)

        let ladder = try #require(try loadError("levels.json") { $0 = $0.replacingOccurrences(of: "{\"rank\": 2,", with: "{\"rank\": 3,") })
        #expect(ladder.code == .standardsReference)
    }

    @Test func conversionRulesAreCheckedWhenStandardsLoad() throws {
        let occupation = try #require(try loadError("conversion-rules.json") {
            $0 = $0.replacingOccurrences(of: "\"programme\": \"gdpt-electrical\", \"occupation\": \"6-31-01-03\"", with: "\"programme\": \"gdpt-electrical\", \"occupation\": \"6-99-99-99\"")
        })
        #expect(occupation.code == .standardsReference && occupation.message.contains("unknown occupation 6-99-99-99"))
        let level = try #require(try loadError("conversion-rules.json") { $0 = $0.replacingOccurrences(of: "\"level\": 3, \"years\": 2", with: "\"level\": 7, \"years\": 2") })
        #expect(level.code == .standardsSchema)  // 7 is outside the schema's 1–5
        let programme = try #require(try loadError("conversion-rules.json") { $0 = $0.replacingOccurrences(of: "\"programme\": \"kr-acbs-bachelor\", \"qualification\": \"기사\"", with: "\"programme\": \"nowhere\", \"qualification\": \"기사\"") })
        #expect(programme.code == .standardsReference && programme.message.contains("unknown programme nowhere"))
        let missing = try #require(try loadError("conversion-rules.json") { $0 = $0.replacingOccurrences(of: "\"title\": \"助理工程师\",", with: "") })
        #expect(missing.code == .standardsReference && missing.message.contains("needs title"))
    }

    /// The keywords the official Open Badges 3.0 schema (draft 2019-09) adds, each able to fail.
    @Test func schemaValidatorAssertsTheOpenBadgesKeywords() throws {
        let types = try JSONSchema(["allOf": [["type": "array", "contains": ["enum": ["A"]]], ["contains": ["enum": ["B", "C"]]]]])
        #expect(types.validate(["A", "C"]).isEmpty)
        #expect(types.validate(["A"]).map(\.message) == ["has no item of the required shape (contains)"])
        let context = try JSONSchema(["type": "array", "minItems": 2, "items": [["enum": ["x"]], ["pattern": "^y"]], "additionalItems": ["type": "string"]])
        #expect(context.validate(["x", "yes", "more"]).isEmpty)
        #expect(context.validate(["x", "no", 3]).map(\.path) == ["$[1]", "$[2]"])
        let one = try JSONSchema(["oneOf": [["type": "string", "enum": ["name", "identifier"]], ["type": "string", "pattern": "(ext:)[a-z]+"]]])
        #expect(one.validate("identifier").isEmpty && one.validate("ext:mine").isEmpty)
        #expect(one.validate("passport").first?.message.contains("none of the 2") == true)
        let both = try JSONSchema(["oneOf": [["type": "string"], ["minLength": 1]]])
        #expect(both.validate("two").first?.message == "matches 2 of the allowed shapes; oneOf allows exactly one")
        let any = try JSONSchema(["anyOf": [["type": "string"], ["type": "integer"]]])
        #expect(any.validate(1).isEmpty && !any.validate(true).isEmpty)
        let time = try JSONSchema(["type": "string", "format": "date-time"])
        #expect(time.validate("2026-12-07T08:30:00Z").isEmpty && time.validate("2026-12-07T08:30:00.5+08:00").isEmpty)
        for bad in ["2026-02-30T08:30:00Z", "2026-12-07 08:30:00Z", "2026-12-07T24:00:00Z", "2026-12-07T08:30:00"] {
            #expect(time.validate(.string(bad)).first?.message == "is not a valid date-time", "\(bad)")
        }
        #expect(try JSONSchema(["format": "date"]).validate("2026-02-29").first?.message == "is not a valid date")
        #expect(try JSONSchema(["format": "uri"]).validate("https://example.org/a").isEmpty)
    }

    @Test func schemaValidatorRefusesUnsupportedKeywords() throws {
        #expect(throws: SkillError.self) { try JSONSchema(["not": ["type": "string"]]) }
        #expect(throws: SkillError.self) { try JSONSchema(["oneOf": [["if": ["type": "string"]]]]) }
        #expect(throws: SkillError.self) { try JSONSchema(["type": "string", "format": "email"]) }
        let s = try JSONSchema(["type": "object", "required": ["a"], "properties": ["a": ["type": "integer", "minimum": 1]]])
        #expect(s.validate(["a": 2]).isEmpty)
        #expect(s.validate(["a": 1.5]).first?.path == "$.a")
        #expect(s.validate(["a": 0]).first?.message == "must be ≥ 1")
        #expect(s.validate([:]).first?.message == "missing required member \"a\"")
    }
}
