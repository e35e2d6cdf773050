import Foundation

/// How well a Standards row is supported: `sourced` (a source states it), `unverified`
/// (one weak source or none), `illustrative` (an example until a source is found).
public enum Provenance: String, Sendable, Codable, CaseIterable {
    case sourced, unverified, illustrative
}

/// One rung of the skill-level ladder (新八级工), with its five-level code when it has one.
public struct SkillLevel: Sendable, Codable, Hashable {
    public let rank: Int
    public let key: String
    public let zh: String
    public let en: String
    /// 5 = 初级工 … 1 = 高级技师; nil for 学徒工, 特级技师 and 首席技师.
    public let fiveLevelCode: Int?
    public let display: String
    public let isHighSkill: Bool
    public let source: String
    public let status: Provenance
}

/// A 工种 (work type) under an occupation.
public struct WorkType: Sendable, Codable, Hashable {
    public let zh: String
    public let en: String?
    public let source: String
    public let status: Provenance
}

/// An occupation (职业) of the 2022 大典, code `D-DD-DD-DD`.
public struct Occupation: Sendable, Codable, Hashable {
    public let code: String
    public let zh: String
    public let en: String?
    /// Five-level codes this occupation is assessed at.
    public let levels: [Int]
    public let levelsStatus: Provenance
    public let workTypes: [WorkType]
    public let source: String
    public let status: Provenance

    /// 大类, the first digit.
    public var major: String { String(code.prefix(1)) }
}

/// A 大类 (major group) of the 大典.
public struct OccupationMajor: Sendable, Codable, Hashable {
    public let code: String
    public let zh: String
    public let source: String
    public let status: Provenance
}

/// A kind of credential the registry records.
public struct CredentialType: Sendable, Codable, Hashable {
    public let id: String
    public let zh: String
    public let en: String
    public let leveled: Bool
    public let issuerKinds: [String]
    public let source: String
    public let status: Provenance
}

/// A provincial-level division code.
public struct Province: Sendable, Codable, Hashable {
    public let code: String
    public let zh: String
    public let source: String
    public let status: Provenance
}

/// How many hours of learning make one credit in a framework or credit system.
public struct HoursPerCredit: Sendable, Codable, Hashable {
    public let value: Double
    public let min: Double
    public let max: Double
    public let status: Provenance
    public let source: String
}

/// A level of a framework.
public struct FrameworkLevel: Sendable, Codable, Hashable {
    public let level: Int
    public let typicalAward: String?
    public let status: Provenance?
}

/// A qualifications framework (HKQF, EQF, GDLEQF…) or a credit system (ECTS, college 学分).
public struct Framework: Sendable, Codable, Hashable {
    public let id: String
    public let kind: String
    public let zh: String
    public let en: String
    public let levels: [FrameworkLevel]
    public let hoursPerCredit: HoursPerCredit?
    public let note: String?
    public let source: String
    public let status: Provenance

    /// Credits, in tenths, earned by `hours` of learning: floor(hours × 10 / hours-per-credit),
    /// so nobody is ever credited more than the rule gives.
    /// - Returns: tenths of a credit, or nil when this framework has no hours-per-credit rule.
    public func creditTenths(forHours hours: Int) -> Int? {
        guard let h = hoursPerCredit, h.value > 0, hours >= 0 else { return nil }
        // Exact for integral rules (every rule we ship); floor for others.
        if h.value.rounded() == h.value {
            return hours * 10 / Int(h.value)
        }
        return Int((Double(hours) * 10 / h.value).rounded(.down))
    }
}

/// A row of the illustrative level crosswalk between the skill ladder and frameworks.
public struct CrosswalkRow: Sendable, Codable, Hashable {
    public let skillLevel: Int
    public let levels: [String: [Int]]
    public let source: String
    public let status: Provenance
}

/// A one-exam-two-certificates mapping (一试双证): an external certificate and the domestic
/// occupation and level the same exam certifies.
public struct DualMapping: Sendable, Codable, Hashable {
    public let id: String
    public let externalBody: String
    public let externalBodyCode: String
    public let externalTitle: String
    public let externalLevel: String?
    public let jurisdictions: [String]
    public let occupation: String
    public let workType: String?
    public let level: Int
    public let levelStatus: Provenance
    public let jointExam: Bool
    public let agreement: String
    public let agreementDate: String?
    public let assessmentStandard: String?
    public let source: String
    public let status: Provenance
}

/// How an assessment for a credential type is marked (scores out of 100).
public struct AssessmentRule: Sendable, Codable, Hashable {
    public let credentialType: String
    /// nil when there is no theory part (专项职业能力 is practical only).
    public let theoryPassMark: Int?
    public let practicalPassMark: Int
    public let source: String
    public let status: Provenance
}

/// Everything in `Standards/`, validated and cross-checked.
public struct Standards: Sendable {
    public let levels: [SkillLevel]
    public let occupations: [Occupation]
    public let majors: [OccupationMajor]
    public let credentialTypes: [CredentialType]
    public let numberSchemes: [CertificateNumberScheme]
    public let provinces: [Province]
    public let frameworks: [Framework]
    public let defaultFrameworkID: String
    public let defaultFrameworkReason: String
    public let crosswalk: [CrosswalkRow]
    public let dualMappings: [DualMapping]
    public let assessmentRules: [AssessmentRule]
    public let conversion: ConversionRules
    /// The files as loaded, by name, so a ledger can keep the exact bytes it was built with.
    public let files: [StandardsFile]

    let occupationsByCode: [String: Occupation]
    let provinceCodeSet: Set<String>
    let levelsByCode: [Int: SkillLevel]
    let frameworksByID: [String: Framework]
    /// The whole 2022 occupation catalogue (definitions, tasks, aliases), decoded on first use.
    public let catalogue: OccupationCatalogue
    /// The subsidy programmes (`subsidies.json`); empty for a bank made before them.
    public let subsidies: [SubsidyProgramme]

    /// The occupation with `code`, or nil.
    public func occupation(_ code: String) -> Occupation? { occupationsByCode[code] }
    /// The ladder rung whose five-level code is `code`, or nil.
    public func level(code: Int) -> SkillLevel? { levelsByCode[code] }
    /// The framework with `id`, or nil.
    public func framework(_ id: String) -> Framework? { frameworksByID[id] }
    /// The framework courses use when they name none.
    public var defaultFramework: Framework { frameworksByID[defaultFrameworkID]! }
    /// The number scheme with `id`, or nil.
    public func numberScheme(_ id: String) -> CertificateNumberScheme? { numberSchemes.first { $0.id == id } }
    /// The 一试双证 mapping with `id`, or nil.
    public func dualMapping(_ id: String) -> DualMapping? { dualMappings.first { $0.id == id } }
    /// The marking rule for a credential type, or nil.
    public func assessmentRule(_ credentialType: String) -> AssessmentRule? { assessmentRules.first { $0.credentialType == credentialType } }
    /// Every province code.
    public var provinceCodes: Set<String> { provinceCodeSet }
    /// Every five-level code in the ladder.
    public var levelCodes: Set<Int> { Set(levelsByCode.keys) }

    /// Checks that `code` names a known occupation.
    /// - Throws: `standards.occupation-unknown` at `field`.
    public func requireOccupation(_ code: String, field: String = "occupation") throws(SkillError) -> Occupation {
        guard let o = occupation(code.trimmingSpaces) else {
            throw SkillError(.occupationUnknown, "no occupation '\(code.prefix(20))' in Standards (format D-DD-DD-DD, e.g. 6-31-01-03)", field: field)
        }
        return o
    }

    /// Checks that `code` is a five-level code (1–5) that `occupation` is assessed at.
    /// - Throws: `standards.level-unknown` at `field`.
    public func requireLevel(_ code: Int, of occupation: Occupation? = nil, field: String = "level") throws(SkillError) -> SkillLevel {
        guard let l = level(code: code) else {
            throw SkillError(.levelUnknown, "level must be a five-level code 5 (初级工) … 1 (高级技师), got \(code)", field: field)
        }
        if let occupation, !occupation.levels.contains(code) {
            throw SkillError(.levelUnknown, "occupation \(occupation.code) \(occupation.zh) has no level \(code)", field: field)
        }
        return l
    }

    /// Checks that `id` names a framework with an hours-per-credit rule.
    /// - Throws: `standards.framework-unknown` at `field`.
    public func requireCreditFramework(_ id: String, field: String = "framework") throws(SkillError) -> Framework {
        guard let f = framework(id) else {
            let known = frameworks.filter { $0.hoursPerCredit != nil }.map(\.id).joined(separator: ", ")
            throw SkillError(.frameworkUnknown, "no framework '\(id.prefix(20))'; with an hours-per-credit rule: \(known)", field: field)
        }
        guard f.hoursPerCredit != nil else {
            throw SkillError(.frameworkUnknown, "framework \(f.id) has no hours-per-credit rule", field: field)
        }
        return f
    }
}

/// A Standards data file and its schema, as bytes.
public struct StandardsFile: Sendable, Hashable {
    public let name: String
    public let data: [UInt8]
    public let schema: [UInt8]

    public init(name: String, data: [UInt8], schema: [UInt8]) {
        self.name = name
        self.data = data
        self.schema = schema
    }
}
