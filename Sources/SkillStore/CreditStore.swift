import SkillCore

/// The double-entry credit ledger in tenths of a credit. Postings are append-only: a
/// correction is a compensating posting, never an edit.
public protocol CreditStore {
    /// Writes a posting (opening either account on first use).
    func post(_ posting: CreditPosting, eventID: String) throws
    /// Balances of every account `owner` holds.
    func balances(of owner: String) throws -> [AccountBalance]
    /// The aggregates reconciliation checks (`Reconciliation.check`): every account's balance,
    /// postings by the type of their event, deposits per enrolment, active conversions,
    /// passes and the certificates issued from assessments.
    func reconciliationFacts() throws -> ReconciliationFacts
}

/// Applied conversions. A reversal marks the row and posts a compensating entry.
public protocol ConversionStore {
    func insert(_ conversion: ConversionRecord, eventID: String) throws
    func conversion(_ id: String) throws -> ConversionRecord?
    /// The worker's conversions, active and reversed, in id order.
    func conversions(of person: String) throws -> [ConversionRecord]
    /// Active conversions whose evidence is one of `evidence` (certificate ids).
    func activeConversions(evidence: [String]) throws -> [ConversionRecord]
    func markReversed(_ id: String, reason: String, eventID: String) throws
}
