import Foundation
import SkillCore

/// The worker's learning-account statement, signed by the registry.
public enum StatementCredential {
    public static let type = "SkillBankLearningAccountStatement"
}

extension CredentialVerifier {
    /// Verifies a registry-signed statement: well-formed, proof valid, signed by a registry
    /// key listed in the trust list and valid when the statement was made.
    func verifyStatement(_ document: JSONValue, at time: Date) -> VerificationReport {
        var checks: [VerificationReport.Check] = []
        func add(_ name: String, _ passed: Bool, _ reason: VerificationReport.Reason?, _ detail: String) {
            checks.append(.init(name: name, passed: passed, reason: passed ? nil : reason, detail: detail))
        }
        let issuer = document["issuer"]?["id"]?.stringValue
        guard let issuer, let made = document["validFrom"]?.stringValue.flatMap(Timestamp.parse), document["credentialSubject"] != nil else {
            add("well-formed", false, .malformed, "a statement needs an issuer, validFrom and a subject")
            return VerificationReport(checks: checks, summary: [:])
        }
        add("well-formed", true, nil, "learning-account statement")
        let proof = DataIntegrityProof.verify(document)
        add("proof", proof.isValid && proof.signer == issuer, .proofInvalid, proof.isValid ? "eddsa-jcs-2022 signature by \(issuer)" : (proof.problem ?? ""))
        if trustGiven {
            add("trust-list", trust != nil, .trustListInvalid, trust.map { "signed by the registry \($0.registryName)" } ?? (trustProblem ?? ""))
        } else {
            add("trust-list", false, .issuerUnknown, "no trust list was given, so the registry key cannot be checked")
        }
        if let trust {
            if let key = trust.registryKeys.first(where: { $0.did == issuer }) {
                let from = Timestamp.parse(key.validFrom)
                let until = key.validUntil.flatMap(Timestamp.parse)
                add("issuer", true, nil, "the registry's key")
                add("key-window", (from.map { made >= $0.addingTimeInterval(-1) } ?? false) && (until.map { made < $0 } ?? true), .keyNotValidAtIssuance,
                    "key valid \(key.validFrom) – \(key.validUntil ?? "now")")
            } else {
                add("issuer", false, .issuerUnknown, "\(issuer) is not a registry key in the trust list")
            }
        }
        add("not-before", time >= made, .notYetValid, "made \(document["validFrom"]?.stringValue ?? "")")
        var summary: [String: String] = ["name": "learning-account statement", "issuer": "SkillBank Registry", "valid_from": document["validFrom"]?.stringValue ?? ""]
        summary["subject"] = document["credentialSubject"]?["id"]?.stringValue
        return VerificationReport(checks: checks, summary: summary)
    }
}
