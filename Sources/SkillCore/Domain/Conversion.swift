/// A conversion as the worker's record shows it.
public struct ConversionRecord: Sendable, Hashable {
    public let id: String
    public let personID: String
    public let ruleID: String
    public let ruleVersion: Int
    public let family: ConversionFamily
    public let programme: String
    public let evidence: String
    public let tenths: Int
    public let postingID: String
    public let isActive: Bool
    public let reversalReason: String?

    public init(
        id: String, personID: String, ruleID: String, ruleVersion: Int, family: ConversionFamily, programme: String, evidence: String,
        tenths: Int, postingID: String, isActive: Bool, reversalReason: String?
    ) {
        self.id = id
        self.personID = personID
        self.ruleID = ruleID
        self.ruleVersion = ruleVersion
        self.family = family
        self.programme = programme
        self.evidence = evidence
        self.tenths = tenths
        self.postingID = postingID
        self.isActive = isActive
        self.reversalReason = reversalReason
    }

    public var json: JSONValue {
        [
            "id": .string(id), "rule": .string(ruleID), "version": .int(ruleVersion), "programme": .string(programme),
            "evidence": .string(evidence), "credits": .string(Credits.format(tenths)), "status": .string(isActive ? "active" : "reversed"),
            "reversal_reason": .optional(reversalReason),
        ]
    }
}
