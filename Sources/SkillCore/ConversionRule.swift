import Foundation

/// The families of conversion rules (资历架构): what kind of learning each turns into what.
public enum ConversionFamily: String, Sendable, Codable, CaseIterable {
    /// Course hours → credits by a framework's hours-per-credit rule (applied when training completes).
    case hoursToCredits = "hours-to-credits"
    /// Training credits (and optionally years after a lower certificate) → eligibility to sit an assessment (申报条件).
    case assessmentEligibility = "assessment-eligibility"
    /// A skill certificate → academic credits at a college programme (书证融通 / 1+X).
    case certificateToAcademic = "certificate-to-academic"
    /// Completed online courses → academic credits, capped separately.
    case onlineCourseToAcademic = "online-course-to-academic"
    /// A skill level held for some years → eligibility for a professional title (贯通).
    case titleEligibility = "title-eligibility"
    /// Levels and credits of one framework shown in another.
    case frameworkCrosswalk = "framework-crosswalk"
    /// A foreign national qualification → credits in a foreign credit bank (e.g. Korea's 학점은행제).
    case foreignQualificationToAcademic = "foreign-qualification-to-academic"

    /// Whether applying a rule of this family posts credits (the others only explain).
    public var posts: Bool { [.certificateToAcademic, .onlineCourseToAcademic, .foreignQualificationToAcademic].contains(self) }
}

/// A college or credit-bank programme that recognises converted credits, with its caps.
public struct Programme: Sendable, Codable, Hashable {
    public let id: String
    public let name: String
    public let totalCredits: Int
    /// Converted credits may be at most this share of `totalCredits`.
    public let capPercent: Int?
    /// Online-course certificates may be at most this share, within the overall cap.
    public let onlineCapPercent: Int?
    /// At most this many qualifications count (Korea: 3 toward a bachelor's).
    public let maxQualifications: Int?
    public let capsSource: String
    public let source: String
    public let status: Provenance

    /// The overall cap in tenths of a credit, or nil when there is none.
    public var capTenths: Int? { capPercent.map { totalCredits * 10 * $0 / 100 } }
    /// The online-course cap in tenths, or nil.
    public var onlineCapTenths: Int? { onlineCapPercent.map { totalCredits * 10 * $0 / 100 } }
}

/// One conversion rule: versioned, with its family's parameters and its provenance.
public struct ConversionRule: Sendable, Codable, Hashable {
    public let id: String
    public let version: Int
    public let family: ConversionFamily
    public let name: String
    public let source: String
    public let status: Provenance
    public let framework: String?
    /// An occupation code, or `*` for any.
    public let occupation: String?
    public let level: Int?
    public let minTrainingTenths: Int?
    public let certificateLevel: Int?
    public let certificateYears: Int?
    /// Eligibility: either condition suffices (true) or both are needed (false).
    public let either: Bool?
    public let programme: String?
    public let creditsByLevel: [String: Double]?
    public let years: Int?
    public let title: String?
    public let frameworks: [String]?
    public let qualification: String?
    public let credits: Double?

    /// Whether the rule covers `code` (`*` covers every occupation).
    public func covers(occupation code: String) -> Bool { occupation == "*" || occupation == code }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "version": .int(version), "family": .string(family.rawValue), "name": .string(name),
            "source": .string(source), "status": .string(status.rawValue),
        ]
        if let framework { o["framework"] = .string(framework) }
        if let occupation { o["occupation"] = .string(occupation) }
        if let level { o["level"] = .int(level) }
        if let minTrainingTenths { o["min_training_tenths"] = .int(minTrainingTenths) }
        if let certificateLevel { o["certificate_level"] = .int(certificateLevel) }
        if let certificateYears { o["certificate_years"] = .int(certificateYears) }
        if let either { o["either"] = .bool(either) }
        if let programme { o["programme"] = .string(programme) }
        if let creditsByLevel { o["credits_by_level"] = .object(creditsByLevel.mapValues { .number($0) }) }
        if let years { o["years"] = .int(years) }
        if let title { o["title"] = .string(title) }
        if let frameworks { o["frameworks"] = .array(frameworks.map(JSONValue.string)) }
        if let qualification { o["qualification"] = .string(qualification) }
        if let credits { o["credits"] = .number(credits) }
        return .object(o)
    }
}

/// The conversion rule set from `Standards/conversion-rules.json`.
public struct ConversionRules: Sendable {
    public let programmes: [Programme]
    public let rules: [ConversionRule]

    public func rule(_ id: String) -> ConversionRule? { rules.first { $0.id == id } }
    public func programme(_ id: String) -> Programme? { programmes.first { $0.id == id } }

    /// Checks each rule has its family's parameters and names only things that exist.
    /// - Throws: `standards.cross-reference` with the JSON path of the offending rule.
    static func check(_ rules: [ConversionRule], programmes: [Programme], occupations: Set<String>, levels: Set<Int>,
                      frameworks: [String: Framework]) throws(SkillError) {
        let programmeIDs = Set(programmes.map(\.id))
        func fail(_ i: Int, _ member: String, _ message: String) -> SkillError {
            SkillError(.standardsReference, message, field: "conversion-rules.json $.rules[\(i)]\(member.isEmpty ? "" : "." + member)")
        }
        var seen: Set<String> = []
        for (i, r) in rules.enumerated() {
            guard seen.insert(r.id).inserted else { throw fail(i, "id", "duplicate rule id '\(r.id)'") }
            func need<T>(_ value: T?, _ member: String) throws(SkillError) -> T {
                guard let value else { throw fail(i, member, "a \(r.family.rawValue) rule needs \(member)") }
                return value
            }
            func checkOccupation() throws(SkillError) {
                let o = try need(r.occupation, "occupation")
                guard o == "*" || occupations.contains(o) else { throw fail(i, "occupation", "unknown occupation \(o)") }
            }
            func checkProgramme() throws(SkillError) {
                let p = try need(r.programme, "programme")
                guard programmeIDs.contains(p) else { throw fail(i, "programme", "unknown programme \(p)") }
            }
            func checkLevel(_ l: Int?, _ member: String) throws(SkillError) {
                let l = try need(l, member)
                guard levels.contains(l) else { throw fail(i, member, "\(l) is not a five-level code") }
            }
            switch r.family {
            case .hoursToCredits, .onlineCourseToAcademic:
                let f = try need(r.framework, "framework")
                guard frameworks[f]?.hoursPerCredit != nil else { throw fail(i, "framework", "\(f) is not a framework with an hours-per-credit rule") }
                if r.family == .onlineCourseToAcademic {
                    try checkOccupation()
                    try checkProgramme()
                }
            case .assessmentEligibility:
                try checkOccupation()
                try checkLevel(r.level, "level")
                _ = try need(r.minTrainingTenths, "min_training_tenths")
                if let c = r.certificateLevel {
                    try checkLevel(c, "certificate_level")
                    guard c > r.level! else { throw fail(i, "certificate_level", "the required certificate must be a lower level (a larger code) than the target") }
                }
            case .certificateToAcademic:
                try checkOccupation()
                try checkProgramme()
                for key in try need(r.creditsByLevel, "credits_by_level").keys {
                    guard let l = Int(key), levels.contains(l) else { throw fail(i, "credits_by_level.\(key)", "not a five-level code") }
                }
            case .titleEligibility:
                try checkLevel(r.level, "level")
                _ = try need(r.years, "years")
                _ = try need(r.title, "title")
            case .frameworkCrosswalk:
                for f in try need(r.frameworks, "frameworks") where frameworks[f] == nil {
                    throw fail(i, "frameworks", "unknown framework \(f)")
                }
            case .foreignQualificationToAcademic:
                try checkProgramme()
                _ = try need(r.qualification, "qualification")
                _ = try need(r.credits, "credits")
            }
        }
    }
}
