/// Integer tenths of a credit, formatted for people.
public enum Credits {
    /// `64` → `"6.4"`, `-5` → `"-0.5"`.
    public static func format(_ tenths: Int) -> String {
        let sign = tenths < 0 ? "-" : ""
        let m = tenths.magnitude
        return "\(sign)\(m / 10).\(m % 10)"
    }
}

/// An account of the double-entry credit ledger: whose, what kind, in which occupation and level.
public struct AccountKey: Sendable, Hashable, CustomStringConvertible {
    public let ownerKind: String
    public let ownerID: String
    public let kind: String
    public let occupation: String
    public let level: Int

    public init(ownerKind: String, ownerID: String, kind: String, occupation: String, level: Int) {
        self.ownerKind = ownerKind
        self.ownerID = ownerID
        self.kind = kind
        self.occupation = occupation
        self.level = level
    }

    /// A worker's training credits in an occupation at a level.
    public static func training(person: String, occupation: String, level: Int) -> AccountKey {
        AccountKey(ownerKind: "person", ownerID: person, kind: "training", occupation: occupation, level: level)
    }

    /// The contra account of the credits an institution has issued (its balance is minus what it issued).
    public static func issued(institution: String, occupation: String, level: Int) -> AccountKey {
        AccountKey(ownerKind: "institution", ownerID: institution, kind: "training-issued", occupation: occupation, level: level)
    }

    /// A worker's academic credits recognised by a programme.
    public static func academic(person: String, programme: String) -> AccountKey {
        AccountKey(ownerKind: "person", ownerID: person, kind: "academic", occupation: programme, level: 0)
    }

    /// The programme's contra account for the credits it has recognised.
    public static func recognised(programme: String) -> AccountKey {
        AccountKey(ownerKind: "registry", ownerID: programme, kind: "academic-recognised", occupation: programme, level: 0)
    }

    public var description: String { "\(ownerKind):\(ownerID)/\(kind)/\(occupation)/\(level)" }
}

/// A derived balance: the sum of postings into an account minus those out of it.
public struct AccountBalance: Sendable, Hashable {
    public let account: AccountKey
    public let tenths: Int

    public init(account: AccountKey, tenths: Int) {
        self.account = account
        self.tenths = tenths
    }

    public var json: JSONValue {
        [
            "kind": .string(account.kind), "occupation": .string(account.occupation), "level": .int(account.level),
            "balance": .string(Credits.format(tenths)), "balance_tenths": .int(tenths),
        ]
    }
}

/// One double-entry posting: a positive amount moved from one account to another, explained
/// by the event it is written with and referring to what caused it (an enrolment, a conversion).
public struct CreditPosting: Sendable, Hashable {
    public let id: String
    public let from: AccountKey
    public let to: AccountKey
    public let tenths: Int
    public let reference: String

    /// - Precondition: `tenths > 0` and the accounts differ (a rule that makes a posting
    ///   decides the amount; nothing posts zero or to itself).
    public init(id: String, from: AccountKey, to: AccountKey, tenths: Int, reference: String) {
        precondition(tenths > 0 && from != to, "a posting moves a positive amount between two accounts")
        precondition(from.ownerKind == "person" || to.ownerKind == "person", "a posting moves a worker's credits")
        self.id = id
        self.from = from
        self.to = to
        self.tenths = tenths
        self.reference = reference
    }

    /// The worker whose account the posting moves credits into or out of: every posting has one
    /// (a deposit, a conversion, a reversal), and the ledger is kept with that worker's records.
    public var person: String {
        to.ownerKind == "person" ? to.ownerID : from.ownerID
    }

    /// The posting as an event's `change` names it.
    public var json: JSONValue {
        ["id": .string(id), "from": .string(from.description), "to": .string(to.description), "amount_tenths": .int(tenths)]
    }
}
