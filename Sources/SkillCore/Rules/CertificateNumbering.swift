/// How skill-level certificate numbers are allocated under the 2020 national scheme
/// (`skill-level-2020` in Standards): every part but the serial comes from the issuer, the
/// year and the level; serials count up per prefix and are never reused.
public enum CertificateNumbering {
    /// The largest serial a prefix can take (six digits).
    public static let maximumSerial = 999_999

    /// The parts of a number other than its serial, by the scheme's part keys.
    /// - Parameters:
    ///   - issuer: an employer (Y) or social (S) evaluator.
    ///   - level: the five-level code.
    ///   - year: the issuance year in the registry's time zone.
    public static func parts(issuer: Institution, level: Int, year: Int) -> [String: String] {
        [
            "evaluator_kind": issuer.kind == .employer ? "Y" : "S", "evaluator_code": issuer.evaluatorCode,
            "province": issuer.province ?? "", "site_sequence": issuer.siteSequence,
            "year": DecimalText.padded(year % 100, width: 2), "level": String(level),
        ]
    }

    /// The prefix the serial is counted under: the parts in the scheme's order.
    public static func prefix(_ parts: [String: String]) -> String {
        ["evaluator_kind", "evaluator_code", "province", "site_sequence", "year", "level"].map { parts[$0] ?? "" }.joined()
    }

    /// The serial after `last` for `prefix`.
    /// - Throws: `ledger.serials-exhausted` past 999,999.
    public static func nextSerial(after last: Int, prefix: String) throws(SkillError) -> Int {
        guard last < maximumSerial else {
            throw SkillError(.serialsExhausted, "serial numbers for \(prefix) are exhausted this year (999,999)")
        }
        return last + 1
    }

    /// The serial as the number writes it (six digits).
    public static func serialText(_ serial: Int) -> String { DecimalText.padded(serial, width: 6) }
}

extension Assessment {
    /// Checks a result's scores against the assessment's parts.
    /// - Throws: `input.invalid-field` at `theory` or `practical`.
    public func validate(theory: Int?, practical: Int) throws(SkillError) {
        if let theory, !(0...100).contains(theory) { throw SkillError(.invalidField, "theory must be 0–100, got \(theory)", field: "theory") }
        guard (0...100).contains(practical) else { throw SkillError(.invalidField, "practical must be 0–100, got \(practical)", field: "practical") }
        if theoryPassMark != nil, theory == nil {
            throw SkillError(.invalidField, "this assessment has a theory part: give the theory score", field: "theory")
        }
    }

    /// Whether scores pass: the practical mark, and the theory mark when there is a theory part.
    public func passes(theory: Int?, practical: Int) -> Bool {
        practical >= practicalPassMark && (theoryPassMark.map { (theory ?? -1) >= $0 } ?? true)
    }
}
