/// Job recommendation (就业推荐): how well a worker's shown certificates fit a vacancy, with the
/// reasons, in the manner of `ConversionEngine`. Pure: the same ranking serves a vacancy's
/// candidates and a worker's vacancies.
public struct TalentMatcher: Sendable {
    /// A certificate as the pool shows it.
    public struct ShownCertificate: Sendable, Hashable {
        public let id: String
        public let occupation: String
        public let level: Int?
        public let issuedOn: CalendarDate
        public init(id: String, occupation: String, level: Int?, issuedOn: CalendarDate) {
            self.id = id
            self.occupation = occupation
            self.level = level
            self.issuedOn = issuedOn
        }
    }

    /// A worker's fit for a vacancy: a score out of 100 and why.
    public struct Fit: Sendable, Hashable {
        public let score: Int
        /// What counted, in words.
        public let because: [String]
        /// What did not, in words.
        public let against: [String]
        /// Whether the worker meets the vacancy at all (an occupation match at the level or higher).
        public let qualifies: Bool

        public init(score: Int, because: [String], against: [String], qualifies: Bool) {
            self.score = score
            self.because = because
            self.against = against
            self.qualifies = qualifies
        }

        public var json: JSONValue {
            ["score": .int(score), "qualifies": .bool(qualifies), "because": .array(because.map(JSONValue.string)),
             "against": .array(against.map(JSONValue.string))]
        }
    }

    public init() {}

    /// Occupation codes `D-DD-DD-DD`: the same code, the same small group (first three parts),
    /// the same middle group (first two).
    static func closeness(_ a: String, _ b: String) -> Int {
        if a == b { return 3 }
        let pa = a.split(separator: "-"), pb = b.split(separator: "-")
        if pa.count == 4, pb.count == 4, pa[0..<3] == pb[0..<3] { return 2 }
        if pa.count == 4, pb.count == 4, pa[0..<2] == pb[0..<2] { return 1 }
        return 0
    }

    /// Scores: occupation (exact 45, same small group 25, same middle group 10), level (meets the
    /// minimum 25, plus 5 a level above it, at most 10 more), recency (issued within 2 years 10,
    /// within 5 years 5), place (lives in the district 10, willing to work there 5).
    public func fit(certificates: [ShownCertificate], district: String?, areas: [String], vacancy: Vacancy, today: CalendarDate) -> Fit {
        var because: [String] = []
        var against: [String] = []
        // The best certificate for the vacancy: closest occupation, then highest level, then newest.
        let best = certificates.max { a, b in
            (Self.closeness(a.occupation, vacancy.occupation), -(a.level ?? 9), a.issuedOn) < (Self.closeness(b.occupation, vacancy.occupation), -(b.level ?? 9), b.issuedOn)
        }
        var score = 0
        var qualifies = false
        if let best, Self.closeness(best.occupation, vacancy.occupation) > 0 {
            let close = Self.closeness(best.occupation, vacancy.occupation)
            score += [0, 10, 25, 45][close]
            because.append(close == 3 ? "holds \(best.occupation), the vacancy's occupation"
                           : "holds \(best.occupation), \(close == 2 ? "in the same small group as" : "in the same middle group as") \(vacancy.occupation)")
            if let level = best.level, level <= vacancy.minLevel {
                score += 25 + min(10, 5 * (vacancy.minLevel - level))
                because.append("level \(level) meets the minimum level \(vacancy.minLevel)")
                qualifies = close == 3
            } else {
                against.append("level \(best.level.map(String.init) ?? "none") is below the minimum level \(vacancy.minLevel)")
            }
            let years = CalendarDate.wholeYears(from: best.issuedOn, until: today)
            if years < 2 {
                score += 10
                because.append("certificate issued \(best.issuedOn), within 2 years")
            } else if years < 5 {
                score += 5
                because.append("certificate issued \(best.issuedOn), within 5 years")
            } else {
                against.append("certificate issued \(best.issuedOn), \(years) years ago")
            }
        } else {
            against.append("no certificate in or near \(vacancy.occupation)")
        }
        if let district, district == vacancy.district {
            score += 10
            because.append("lives in \(district)")
        } else if areas.contains(vacancy.district) {
            score += 5
            because.append("willing to work in \(vacancy.district)")
        } else {
            against.append("neither lives in nor named \(vacancy.district)")
        }
        return Fit(score: score, because: because, against: against, qualifies: qualifies)
    }
}
