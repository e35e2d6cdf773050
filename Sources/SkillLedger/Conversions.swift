import Foundation
import SkillCore
import SkillStore

/// The qualifications framework (资历架构): what the rules say about a worker, and applying
/// the rules that post (load → decide with `ConversionEngine` → persist).
public struct Conversions: Sendable {
    let context: BankContext

    /// What every rule (or one) says about a worker now. Changes nothing.
    /// - Throws: `ledger.person-not-found`, `conversion.rule-not-found`.
    public func preview(person: String, rule: String? = nil) throws(SkillError) -> [RuleOutcome] {
        if let rule, context.standards.conversion.rule(rule) == nil {
            throw SkillError(.ruleNotFound, "no conversion rule '\(rule.prefix(40))'", field: "rule")
        }
        let date = context.now
        let record = try context.read { tx in try context.learningRecord(tx, person: person, asOf: date) }
        return ConversionEngine(standards: context.standards).evaluate(record, ruleID: rule)
    }

    /// What a worker holds toward sitting `level` of `occupation`, and what is missing.
    /// - Throws: `ledger.person-not-found`, `standards.*`.
    public func pathway(person: String, occupation: String, level: Int) throws(SkillError) -> (outcomes: [RuleOutcome], record: LearningRecord) {
        let occ = try context.standards.requireOccupation(occupation)
        _ = try context.standards.requireLevel(level, of: occ)
        let date = context.now
        let record = try context.read { tx in try context.learningRecord(tx, person: person, asOf: date) }
        return (ConversionEngine(standards: context.standards).eligibility(for: record, occupation: occ.code, level: level), record)
    }

    /// Applies a posting rule: every grant the engine finds is posted (double entry), recorded
    /// with the rule id and version and its evidence, in one unit of work. A lower-level
    /// conversion that a higher one replaces is reversed in the same unit of work.
    /// - Parameters:
    ///   - programme: only grants into this programme, when given.
    /// - Returns: the conversions made.
    /// - Throws: `conversion.rule-not-found`, `conversion.not-postable` (the family only explains),
    ///   `conversion.already-applied` (the same conversion again), `conversion.not-applicable`
    ///   (with what is missing), `ledger.person-not-found`.
    public func apply(person: String, rule ruleID: String, programme: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> [ConversionRecord] {
        guard let rule = context.standards.conversion.rule(ruleID) else {
            throw SkillError(.ruleNotFound, "no conversion rule '\(ruleID.prefix(40))'", field: "rule")
        }
        guard rule.family.posts else {
            throw SkillError(.notPostable, "\(rule.id) is a \(rule.family.rawValue) rule: it explains eligibility and posts nothing (see convert preview)", field: "rule")
        }
        if let programme, rule.programme != programme {
            throw SkillError(.invalidField, "rule \(rule.id) converts into \(rule.programme ?? "?"), not \(programme.prefix(40))", field: "programme")
        }
        let date = context.now
        let engine = ConversionEngine(standards: context.standards)
        return try context.write { tx in
            _ = try context.requirePerson(tx, person, forChange: true)
            let record = try context.learningRecord(tx, person: person, asOf: date)
            guard let outcome = engine.evaluate(record, ruleID: rule.id).first else {
                throw SkillError(.ruleNotFound, "rule \(rule.id) produced no outcome")
            }
            guard outcome.applies else {
                if outcome.alreadyApplied {
                    throw SkillError(.alreadyApplied, "this conversion was already applied: \(outcome.because.joined(separator: "; "))")
                }
                throw SkillError(.notApplicable, "rule \(rule.id) does not apply: \(outcome.missing.joined(separator: "; "))")
            }
            var made: [ConversionRecord] = []
            for grant in outcome.grants {
                if let replaced = grant.replaces, let conversion = try tx.conversions.conversion(replaced) {
                    try context.reverseConversion(tx, conversion, reason: "replaced by a higher-level certificate (\(grant.evidence))", actor: actor, at: date)
                }
                let id = IdentifierKind.conversion.make(at: date)
                let posting = CreditPosting(
                    id: IdentifierKind.posting.make(at: date), from: .recognised(programme: grant.programme),
                    to: .academic(person: person, programme: grant.programme), tenths: grant.tenths, reference: id)
                let event = try context.append(
                    tx, "conversion.applied", actor: actor, at: date,
                    subjects: ["person": .string(person), "conversion": .string(id)],
                    change: [
                        "rule": .string(rule.id), "version": .int(rule.version), "family": .string(rule.family.rawValue),
                        "programme": .string(grant.programme), "evidence": .string(grant.evidence), "amount_tenths": .int(grant.tenths),
                        "replaces": .optional(grant.replaces), "posting": posting.json,
                    ])
                try tx.credits.post(posting, eventID: event)
                let conversion = ConversionRecord(
                    id: id, personID: person, ruleID: rule.id, ruleVersion: rule.version, family: rule.family, programme: grant.programme,
                    evidence: grant.evidence, tenths: grant.tenths, postingID: posting.id, isActive: true, reversalReason: nil)
                try tx.conversions.insert(conversion, eventID: event)
                try Notices(context: context).conversion(tx, conversion, reversed: nil, at: date, trigger: event)
                made.append(conversion)
            }
            return made
        }
    }

    /// A worker's conversions, active and reversed.
    public func conversions(of person: String) throws(SkillError) -> [ConversionRecord] {
        try context.read { tx in try tx.conversions.conversions(of: person) }
    }
}
