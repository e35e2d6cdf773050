import Foundation

/// What the engine reads about one worker: balances, certificates, completed courses and the
/// conversions already applied. Built by the ledger; plain values so the engine stays pure.
public struct LearningRecord: Sendable {
    public struct Balance: Sendable, Hashable {
        public let kind: String
        /// The occupation for training credits; the programme for academic credits.
        public let scope: String
        public let level: Int
        public let tenths: Int
        public init(kind: String, scope: String, level: Int, tenths: Int) {
            self.kind = kind
            self.scope = scope
            self.level = level
            self.tenths = tenths
        }
    }

    public struct Certificate: Sendable, Hashable {
        public let id: String
        public let number: String
        public let kind: String
        public let occupation: String
        public let level: Int?
        public let issuedOn: CalendarDate
        public let isActive: Bool
        /// The external title of an international certificate record (for foreign rule packs).
        public let externalTitle: String?
        public init(id: String, number: String, kind: String, occupation: String, level: Int?, issuedOn: CalendarDate, isActive: Bool, externalTitle: String? = nil) {
            self.id = id
            self.number = number
            self.kind = kind
            self.occupation = occupation
            self.level = level
            self.issuedOn = issuedOn
            self.isActive = isActive
            self.externalTitle = externalTitle
        }
    }

    public struct Completion: Sendable, Hashable {
        public let enrolmentID: String
        public let occupation: String
        public let level: Int
        public let hours: Int
        public let framework: String
        public let isOnline: Bool
        public init(enrolmentID: String, occupation: String, level: Int, hours: Int, framework: String, isOnline: Bool) {
            self.enrolmentID = enrolmentID
            self.occupation = occupation
            self.level = level
            self.hours = hours
            self.framework = framework
            self.isOnline = isOnline
        }
    }

    /// An active (not reversed) conversion.
    public struct Conversion: Sendable, Hashable {
        public let id: String
        public let ruleID: String
        public let family: ConversionFamily
        public let programme: String
        public let evidence: String
        public let tenths: Int
        public init(id: String, ruleID: String, family: ConversionFamily, programme: String, evidence: String, tenths: Int) {
            self.id = id
            self.ruleID = ruleID
            self.family = family
            self.programme = programme
            self.evidence = evidence
            self.tenths = tenths
        }
    }

    public let personID: String
    public let balances: [Balance]
    public let certificates: [Certificate]
    public let completions: [Completion]
    public let conversions: [Conversion]
    /// The day the record is evaluated on.
    public let asOf: CalendarDate

    public init(personID: String, balances: [Balance], certificates: [Certificate], completions: [Completion], conversions: [Conversion], asOf: CalendarDate) {
        self.personID = personID
        self.balances = balances
        self.certificates = certificates
        self.completions = completions
        self.conversions = conversions
        self.asOf = asOf
    }

    /// Training credits in an occupation at a level, in tenths.
    public func trainingTenths(occupation: String, level: Int) -> Int {
        balances.filter { $0.kind == "training" && $0.scope == occupation && $0.level == level }.reduce(0) { $0 + $1.tenths }
    }
}

/// One thing a rule would post: credits from a piece of evidence into a programme.
public struct ConversionGrant: Sendable, Hashable {
    public let evidence: String
    public let programme: String
    public let tenths: Int
    /// A lower-level conversion of the same content that this one replaces (the highest level counts).
    public let replaces: String?

    public init(evidence: String, programme: String, tenths: Int, replaces: String?) {
        self.evidence = evidence
        self.programme = programme
        self.tenths = tenths
        self.replaces = replaces
    }
}

/// What a rule says about a record: whether it applies, why, and what is missing.
public struct RuleOutcome: Sendable {
    public let rule: ConversionRule
    /// The occupation and level an eligibility outcome is about, when it is about one.
    public let target: String?
    public let applies: Bool
    /// Which records satisfied which condition.
    public let because: [String]
    /// For what does not apply: what the worker still needs.
    public let missing: [String]
    /// What applying would post (posting families only).
    public let grants: [ConversionGrant]
    /// True when nothing applies only because every piece of evidence was converted already.
    public let alreadyApplied: Bool

    public var json: JSONValue {
        [
            "rule": .string(rule.id), "version": .int(rule.version), "family": .string(rule.family.rawValue), "name": .string(rule.name),
            "status": .string(rule.status.rawValue), "target": .optional(target), "applies": .bool(applies),
            "because": .array(because.map(JSONValue.string)), "missing": .array(missing.map(JSONValue.string)),
            "grants": .array(grants.map { g in
                ["evidence": .string(g.evidence), "programme": .string(g.programme), "credits": .string(ConversionEngine.format(g.tenths)),
                 "tenths": .int(g.tenths), "replaces": .optional(g.replaces)]
            }),
        ]
    }
}

/// The conversion engine: pure and total. Given a record and the rules it says, for every
/// rule, whether it applies, why, and what is missing. It never throws: a rule it cannot
/// evaluate (Standards checks prevent that) simply does not apply, with the reason.
public struct ConversionEngine: Sendable {
    public let standards: Standards

    public init(standards: Standards) { self.standards = standards }

    /// Evaluates every rule (or the rules with `ruleID`) against the record.
    /// - Parameters:
    ///   - record: the worker's learning record.
    ///   - ruleID: only this rule, when given.
    ///   - occupations: for rules that cover any occupation (`*`), the occupations to evaluate;
    ///     default: every occupation the record mentions.
    public func evaluate(_ record: LearningRecord, ruleID: String? = nil, occupations: [String]? = nil) -> [RuleOutcome] {
        let mentioned = occupations ?? Array(Set(record.balances.filter { $0.kind == "training" }.map(\.scope) + record.certificates.map(\.occupation))).sorted()
        var out: [RuleOutcome] = []
        for rule in standards.conversion.rules where ruleID == nil || rule.id == ruleID {
            switch rule.family {
            case .hoursToCredits: out.append(hours(rule, record))
            case .assessmentEligibility:
                let codes = rule.occupation == "*" ? mentioned : [rule.occupation ?? ""]
                out += codes.map { eligibility(rule, record, occupation: $0) }
            case .certificateToAcademic: out.append(certificateToAcademic(rule, record))
            case .onlineCourseToAcademic: out.append(onlineCourses(rule, record))
            case .titleEligibility: out.append(title(rule, record))
            case .frameworkCrosswalk: out.append(crosswalk(rule, record))
            case .foreignQualificationToAcademic: out.append(foreign(rule, record))
            }
        }
        return out
    }

    /// The eligibility outcomes for sitting `level` of `occupation` (empty when no rule governs it).
    public func eligibility(for record: LearningRecord, occupation: String, level: Int) -> [RuleOutcome] {
        standards.conversion.rules
            .filter { $0.family == .assessmentEligibility && $0.level == level && $0.covers(occupation: occupation) }
            .map { eligibility($0, record, occupation: occupation) }
    }

    // MARK: - Families

    func hours(_ rule: ConversionRule, _ record: LearningRecord) -> RuleOutcome {
        let framework = standards.framework(rule.framework ?? "")
        let matching = record.completions.filter { $0.framework == rule.framework }
        guard let framework, !matching.isEmpty else {
            return outcome(rule, applies: false, missing: ["no completed course is credited by \(rule.framework ?? "?")"])
        }
        // One line per occupation and level: a long training history stays readable.
        struct Key: Hashable, Comparable {
            let occupation: String
            let level: Int
            static func < (a: Key, b: Key) -> Bool { (a.occupation, a.level) < (b.occupation, b.level) }
        }
        var totals: [Key: (hours: Int, tenths: Int, courses: Int)] = [:]
        for c in matching {
            let key = Key(occupation: c.occupation, level: c.level)
            let t = totals[key] ?? (0, 0, 0)
            totals[key] = (t.hours + c.hours, t.tenths + (framework.creditTenths(forHours: c.hours) ?? 0), t.courses + 1)
        }
        let because = totals.keys.sorted().map { key in
            let t = totals[key]!
            return "\(t.courses == 1 ? "1 course" : "\(t.courses) courses"), \(t.hours) h → \(Self.format(t.tenths)) credits in \(key.occupation) \(name(key.occupation)) at level \(key.level)"
        }
        return outcome(rule, applies: true, because: because)
    }

    func eligibility(_ rule: ConversionRule, _ record: LearningRecord, occupation: String) -> RuleOutcome {
        let level = rule.level ?? 0
        let target = "\(occupation) level \(level)"
        var because: [String] = []
        var missing: [String] = []
        let need = rule.minTrainingTenths ?? 0
        let have = record.trainingTenths(occupation: occupation, level: level)
        let creditsOK = have >= need
        if creditsOK {
            because.append("\(Self.format(have)) training credits in \(occupation) \(name(occupation)) at level \(level) (\(Self.format(need)) needed)")
        } else {
            missing.append("\(Self.format(need - have)) more credits in \(occupation) \(name(occupation)) at level \(level)")
        }
        var certificateOK = true
        if let certificateLevel = rule.certificateLevel {
            let years = rule.certificateYears ?? 0
            let held = record.certificates.filter { $0.isActive && $0.occupation == occupation && $0.level == certificateLevel }
                .sorted { $0.issuedOn < $1.issuedOn }
            let levelName = standards.level(code: certificateLevel)?.zh ?? "level \(certificateLevel)"
            if let first = held.first {
                let eligibleFrom = first.issuedOn.adding(years: years)
                if eligibleFrom <= record.asOf {
                    because.append("\(levelName) certificate \(first.number) held since \(first.issuedOn) (\(years) year\(years == 1 ? "" : "s") needed)")
                } else {
                    certificateOK = false
                    let remaining = CalendarDate.wholeYears(from: record.asOf, until: eligibleFrom)
                    missing.append("\(remaining) more year\(remaining == 1 ? "" : "s") after your \(levelName) certificate (eligible from \(eligibleFrom))")
                }
            } else {
                certificateOK = false
                missing.append("a \(levelName) certificate in \(occupation) \(name(occupation))\(years > 0 ? ", held \(years) year\(years == 1 ? "" : "s")" : "")")
            }
        }
        let applies = rule.either == true && rule.certificateLevel != nil ? (creditsOK || certificateOK) : (creditsOK && certificateOK)
        if applies && rule.either == true { missing = [] }
        return outcome(rule, target: target, applies: applies, because: because, missing: applies ? [] : missing)
    }

    func certificateToAcademic(_ rule: ConversionRule, _ record: LearningRecord) -> RuleOutcome {
        guard let programme = standards.conversion.programme(rule.programme ?? "") else {
            return outcome(rule, applies: false, missing: ["the rule's programme is unknown"])
        }
        let candidates = record.certificates.filter {
            $0.isActive && rule.covers(occupation: $0.occupation) && $0.level.map { rule.creditsByLevel?[String($0)] != nil } == true
        }
        guard !candidates.isEmpty else {
            let levels = (rule.creditsByLevel ?? [:]).keys.sorted().joined(separator: ", ")
            return outcome(rule, applies: false, missing: ["an active skill certificate in \(rule.occupation ?? "?") \(name(rule.occupation ?? "")) at level \(levels)"])
        }
        var grants: [ConversionGrant] = []
        var because: [String] = []
        var missing: [String] = []
        var already = false
        var used = record.conversions.filter { $0.programme == programme.id }.reduce(0) { $0 + $1.tenths }
        // The same content counts once: per occupation only the highest level (smallest code) counts.
        for occupation in Set(candidates.map(\.occupation)).sorted() {
            let best = candidates.filter { $0.occupation == occupation }.min { ($0.level ?? 9, $0.issuedOn) < ($1.level ?? 9, $1.issuedOn) }!
            let amount = Int(((rule.creditsByLevel?[String(best.level!)] ?? 0) * 10).rounded(.down))
            let existing = record.conversions.filter { $0.programme == programme.id && $0.family == .certificateToAcademic }
                .filter { c in record.certificates.first { $0.id == c.evidence }?.occupation == occupation }
            if let done = existing.first(where: { $0.evidence == best.id }) {
                already = true
                because.append("\(best.number) is already converted (\(Self.format(done.tenths)) credits)")
                continue
            }
            if let higher = existing.first(where: { c in (record.certificates.first { $0.id == c.evidence }?.level ?? 9) < best.level! }) {
                already = true
                because.append("\(occupation) is already counted at a higher level (\(higher.evidence))")
                continue
            }
            let replaced = existing.first
            let room = capRoom(programme, used: used - (replaced?.tenths ?? 0), online: nil)
            let granted = min(amount, room)
            guard granted > 0 else {
                missing.append("\(programme.name) has reached its cap of \(Self.format(programme.capTenths ?? 0)) credits (\(programme.capPercent ?? 0)% of \(programme.totalCredits))")
                continue
            }
            used += granted - (replaced?.tenths ?? 0)
            grants.append(ConversionGrant(evidence: best.id, programme: programme.id, tenths: granted, replaces: replaced?.id))
            because.append("\(best.number) (\(standards.level(code: best.level!)?.display ?? "")) → \(Self.format(granted)) credits at \(programme.name)"
                + (granted < amount ? " (capped from \(Self.format(amount)))" : "") + (replaced.map { "; replaces the lower-level conversion \($0.id)" } ?? ""))
        }
        return outcome(rule, applies: !grants.isEmpty, because: because, missing: grants.isEmpty ? missing : [], grants: grants,
                       alreadyApplied: grants.isEmpty && already && missing.isEmpty)
    }

    func onlineCourses(_ rule: ConversionRule, _ record: LearningRecord) -> RuleOutcome {
        guard let programme = standards.conversion.programme(rule.programme ?? ""), let framework = standards.framework(rule.framework ?? "") else {
            return outcome(rule, applies: false, missing: ["the rule's programme or framework is unknown"])
        }
        let converted = Set(record.conversions.map(\.evidence))
        let online = record.completions.filter { $0.isOnline && rule.covers(occupation: $0.occupation) }
        guard !online.isEmpty else { return outcome(rule, applies: false, missing: ["a completed online course"]) }
        var used = record.conversions.filter { $0.programme == programme.id }.reduce(0) { $0 + $1.tenths }
        var onlineUsed = record.conversions.filter { $0.programme == programme.id && $0.family == .onlineCourseToAcademic }.reduce(0) { $0 + $1.tenths }
        var grants: [ConversionGrant] = []
        var because: [String] = []
        var missing: [String] = []
        for c in online where !converted.contains(c.enrolmentID) {
            let amount = framework.creditTenths(forHours: c.hours) ?? 0
            let room = min(capRoom(programme, used: used, online: nil), capRoom(programme, used: onlineUsed, online: true))
            let granted = min(amount, room)
            guard granted > 0 else {
                missing.append("\(programme.name) has reached its cap for online courses (\(programme.onlineCapPercent ?? programme.capPercent ?? 0)%)")
                break
            }
            used += granted
            onlineUsed += granted
            grants.append(ConversionGrant(evidence: c.enrolmentID, programme: programme.id, tenths: granted, replaces: nil))
            because.append("online course \(c.enrolmentID): \(c.hours) 学时 → \(Self.format(granted)) 学分" + (granted < amount ? " (capped from \(Self.format(amount)))" : ""))
        }
        let already = grants.isEmpty && missing.isEmpty
        if already { because.append("every completed online course is already converted") }
        return outcome(rule, applies: !grants.isEmpty, because: because, missing: missing, grants: grants, alreadyApplied: already)
    }

    func title(_ rule: ConversionRule, _ record: LearningRecord) -> RuleOutcome {
        let level = rule.level ?? 0
        let years = rule.years ?? 0
        let levelName = standards.level(code: level)?.zh ?? "level \(level)"
        let held = record.certificates.filter { $0.isActive && $0.level == level }.sorted { $0.issuedOn < $1.issuedOn }
        guard let first = held.first else {
            return outcome(rule, applies: false, missing: ["a \(levelName) certificate held \(years) year\(years == 1 ? "" : "s") for \(rule.title ?? "")"])
        }
        let from = first.issuedOn.adding(years: years)
        if from <= record.asOf {
            return outcome(rule, applies: true, because: ["\(levelName) certificate \(first.number) held since \(first.issuedOn): may apply for \(rule.title ?? "")"])
        }
        let remaining = CalendarDate.wholeYears(from: record.asOf, until: from)
        return outcome(rule, applies: false, missing: ["\(remaining) more year\(remaining == 1 ? "" : "s") after your \(levelName) certificate (eligible for \(rule.title ?? "") from \(from))"])
    }

    func crosswalk(_ rule: ConversionRule, _ record: LearningRecord) -> RuleOutcome {
        var because: [String] = []
        for c in record.certificates where c.isActive {
            guard let level = c.level, let row = standards.crosswalk.first(where: { $0.skillLevel == level }) else { continue }
            let shown = (rule.frameworks ?? []).compactMap { f in row.levels[f].map { "\(f.uppercased()) \($0.map(String.init).joined(separator: "/"))" } }
            because.append("\(c.number) \(standards.level(code: level)?.display ?? "") ≈ \(shown.joined(separator: ", ")) (\(row.status.rawValue))")
        }
        if !record.completions.isEmpty {
            // Training hours re-expressed in every framework that has an hours-per-credit rule.
            let frameworks = Array(Set(record.completions.map(\.framework) + (rule.frameworks ?? []))).sorted()
            let shown = frameworks.compactMap { f -> String? in
                guard let fw = standards.framework(f), fw.hoursPerCredit != nil else { return nil }
                return "\(Self.format(record.completions.reduce(0) { $0 + (fw.creditTenths(forHours: $1.hours) ?? 0) })) \(f)"
            }
            let hours = record.completions.reduce(0) { $0 + $1.hours }
            because.append("\(record.completions.count == 1 ? "1 completed course" : "\(record.completions.count) completed courses"), \(hours) h = \(shown.joined(separator: " = "))")
        }
        return outcome(rule, applies: !because.isEmpty, because: because, missing: because.isEmpty ? ["a certificate or a completed course to express"] : [])
    }

    func foreign(_ rule: ConversionRule, _ record: LearningRecord) -> RuleOutcome {
        guard let programme = standards.conversion.programme(rule.programme ?? ""), let qualification = rule.qualification else {
            return outcome(rule, applies: false, missing: ["the rule's programme is unknown"])
        }
        // A title matches the rule whose grade is its longest suffix (산업기사 is not 기사).
        let grades = standards.conversion.rules.filter { $0.family == .foreignQualificationToAcademic && $0.programme == rule.programme }.compactMap(\.qualification)
        let matching = record.certificates.filter { c in
            guard c.isActive, let t = c.externalTitle else { return false }
            return grades.filter { t.hasSuffix($0) }.max { $0.count < $1.count } == qualification
        }
        guard !matching.isEmpty else { return outcome(rule, applies: false, missing: ["a \(qualification) qualification"]) }
        let inProgramme = record.conversions.filter { $0.programme == programme.id }
        var count = inProgramme.count
        var used = inProgramme.reduce(0) { $0 + $1.tenths }
        var grants: [ConversionGrant] = []
        var because: [String] = []
        var missing: [String] = []
        for c in matching where !inProgramme.contains(where: { $0.evidence == c.id }) {
            if let max = programme.maxQualifications, count >= max {
                missing.append("\(programme.name) counts at most \(max) qualifications")
                break
            }
            let amount = Int(((rule.credits ?? 0) * 10).rounded(.down))
            let granted = min(amount, capRoom(programme, used: used, online: nil))
            guard granted > 0 else { break }
            count += 1
            used += granted
            grants.append(ConversionGrant(evidence: c.id, programme: programme.id, tenths: granted, replaces: nil))
            because.append("\(c.externalTitle ?? c.number) (\(qualification)) → \(Self.format(granted)) credits at \(programme.name)")
        }
        let already = grants.isEmpty && missing.isEmpty
        if already { because.append("every \(qualification) qualification is already converted") }
        return outcome(rule, applies: !grants.isEmpty, because: because, missing: missing, grants: grants, alreadyApplied: already)
    }

    // MARK: - Helpers

    /// Room left under a programme's cap (the online cap when `online` is set).
    func capRoom(_ programme: Programme, used: Int, online: Bool?) -> Int {
        let cap = online == true ? (programme.onlineCapTenths ?? programme.capTenths) : programme.capTenths
        guard let cap else { return Int.max }
        return max(0, cap - used)
    }

    func name(_ occupation: String) -> String { standards.occupation(occupation)?.zh ?? "" }

    func outcome(_ rule: ConversionRule, target: String? = nil, applies: Bool, because: [String] = [], missing: [String] = [],
                 grants: [ConversionGrant] = [], alreadyApplied: Bool = false) -> RuleOutcome {
        RuleOutcome(rule: rule, target: target, applies: applies, because: because, missing: missing, grants: grants, alreadyApplied: alreadyApplied)
    }

    /// Tenths as credits: 60 → "6.0".
    public static func format(_ tenths: Int) -> String { Credits.format(tenths) }
}

extension CalendarDate {
    /// The same day `years` later (29 February becomes 28 February in a common year).
    public func adding(years: Int) -> CalendarDate {
        CalendarDate(year: year + years, month: month, day: day) ?? CalendarDate(year: year + years, month: month, day: 28)!
    }

    /// Whole years, rounded up (at least 1), from `start` until `end`.
    static func wholeYears(from start: CalendarDate, until end: CalendarDate) -> Int {
        var n = 0
        while start.adding(years: n) < end { n += 1 }
        return max(1, n)
    }
}
