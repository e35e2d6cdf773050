/// What a notice in a worker's inbox is about (政策推送).
public enum NoticeKind: String, Sendable, Codable, CaseIterable {
    case certificateIssued = "certificate-issued"
    case certificateRevoked = "certificate-revoked"
    case certificateSuspended = "certificate-suspended"
    case certificateReinstated = "certificate-reinstated"
    case creditsConverted = "credits-converted"
    case conversionReversed = "conversion-reversed"
    /// The worker now meets a rule to sit the next level (申报条件).
    case eligibleLevel = "eligible-level"
    /// The worker now meets a professional-title rule (贯通).
    case eligibleTitle = "eligible-title"
    /// The worker can now claim a subsidy.
    case eligibleSubsidy = "eligible-subsidy"
    case claimApproved = "claim-approved"
    case claimRejected = "claim-rejected"
    /// An approved claim was cancelled because its certificate was revoked.
    case claimCancelled = "claim-cancelled"
    /// A paid claim's certificate was revoked: the money is to be recovered (追回).
    case claimRecoveryDue = "claim-recovery-due"
    /// An employer asks to contact the worker through the talent pool.
    case contactRequested = "contact-requested"
}

/// A notice in a worker's inbox. It holds ids, codes and figures only; its text is written
/// when it is read, in Chinese and English (`NoticeText`).
public struct Notice: Sendable, Hashable {
    public let id: String
    public let personID: String
    public let kind: NoticeKind
    /// What makes two notices the same news (one per key per worker): "eligible-level:4-01-01-01:3".
    public let key: String
    /// The ids and figures the text is written from.
    public let facts: [String: JSONValue]
    public let createdAt: String
    public var readAt: String?

    public init(id: String, personID: String, kind: NoticeKind, key: String, facts: [String: JSONValue], createdAt: String, readAt: String? = nil) {
        self.id = id
        self.personID = personID
        self.kind = kind
        self.key = key
        self.facts = facts
        self.createdAt = createdAt
        self.readAt = readAt
    }
}
