/// Who made a change: the operator at the CLI, or a token holder over HTTP.
public struct Actor: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    /// The registry operator working at the command line.
    public static let operatorCLI = Actor("operator:cli")
    public var description: String { value }

    /// The actor a bearer token speaks as: `operator`, `institution:ins_…` or `worker`.
    public init(token: TokenRecord) {
        switch token.role {
        case .operator: value = "operator"
        case .institution: value = "institution:\(token.institutionID ?? "")"
        case .worker: value = "worker"
        }
    }
}
