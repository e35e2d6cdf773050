/// The certificate status machine: active ⇄ suspended, either → revoked (final). A change
/// applies to a certificate and its 一试双证 twin together, and revoking reverses what was
/// converted from either. The machine returns the whole cascade; the use case writes it.
public enum CertificateStatusMachine {
    /// One certificate's move.
    public struct Transition: Sendable, Hashable {
        public let certificate: StoredCertificate
        public let from: CertificateStatus
        public let to: CertificateStatus
        /// Changed because its twin was the one named.
        public let viaTwin: Bool
    }

    /// One entry of an issuer's status list, as it must be after the change.
    public struct StatusBit: Sendable, Hashable {
        public let institutionID: String
        public let purpose: StatusPurpose
        public let index: Int
        /// The entry's value (`purpose.statusSize` bits).
        public let value: Int
        public var isSet: Bool { value != 0 }

        public init(institutionID: String, purpose: StatusPurpose, index: Int, value: Int) {
            self.institutionID = institutionID
            self.purpose = purpose
            self.index = index
            self.value = value
        }
    }

    /// Everything a status change does.
    public struct Cascade: Sendable, Hashable {
        public let transitions: [Transition]
        /// Active conversions whose evidence is a revoked certificate: each is reversed.
        public let conversionsToReverse: [ConversionRecord]
        /// The status-list entries of every changed certificate, in each of its issuer's lists.
        public let bits: [StatusBit]
        /// The issuers whose status lists must be signed again, in order.
        public var issuers: [String] { Array(Set(bits.map(\.institutionID))).sorted() }
    }

    /// Decides what `change` does to `certificate` and its twin.
    /// - Parameters:
    ///   - change: revoke, suspend or reinstate.
    ///   - certificate: the certificate named.
    ///   - twin: its twin, when it has one.
    ///   - activeConversions: active conversions whose evidence is the certificate or its twin
    ///     (others are ignored).
    /// - Throws: `ledger.transition-invalid` when the certificate is revoked (final), or is not
    ///   active (suspend) or not suspended (reinstate).
    public static func cascade(
        _ change: StatusChange, of certificate: StoredCertificate, twin: StoredCertificate?, activeConversions: [ConversionRecord]
    ) throws(SkillError) -> Cascade {
        let current = certificate.summary.status
        guard current != .revoked else {
            throw SkillError(.transitionInvalid, "certificate \(certificate.summary.id) is revoked; revocation is final")
        }
        switch change {
        case .suspend where current != .active: throw SkillError(.transitionInvalid, "only an active certificate can be suspended")
        case .reinstate where current != .suspended: throw SkillError(.transitionInvalid, "only a suspended certificate can be reinstated")
        default: break
        }
        let group = [certificate] + (twin.map { [$0] } ?? [])
        let target = change.target
        let transitions = group.filter { $0.summary.status != .revoked }.map {
            Transition(certificate: $0, from: $0.summary.status, to: target, viaTwin: $0.summary.id != certificate.summary.id)
        }
        let bits = transitions.flatMap { t in
            StatusPurpose.allCases.map { purpose in
                StatusBit(institutionID: t.certificate.summary.institutionID, purpose: purpose, index: t.certificate.index(for: purpose),
                          value: purpose.value(for: target))
            }
        }
        let evidence = Set(group.map(\.summary.id))
        let reversals = change == .revoke ? activeConversions.filter { $0.isActive && evidence.contains($0.evidence) } : []
        return Cascade(transitions: transitions, conversionsToReverse: reversals, bits: bits)
    }
}
