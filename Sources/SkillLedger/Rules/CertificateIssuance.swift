import Foundation
import SkillCore
import SkillCredentials

/// The rules of issuing: whether a result can be recorded and passes, which certificates a
/// pass issues (一试双证: a domestic certificate and its international twin, each naming the
/// other), how each is numbered, and what its credential claims. Pure: values in, values out.
public enum CertificateIssuance {
    /// One certificate a pass issues.
    public struct Planned: Sendable, Hashable {
        public let id: String
        /// A credential type id from Standards.
        public let credentialType: String
        public let issuer: Institution
        /// The parts of a 2020-scheme number (every part but the serial), or nil when the
        /// certificate is numbered by its id (special-capability certificates, twins).
        public let numberParts: [String: String]?
        public let workType: String?
        /// For an international twin: the mapping that makes it.
        public let external: DualMapping?
    }

    /// Checks a candidate's result and decides whether it passes.
    /// - Throws: `input.invalid-field` (scores), `ledger.transition-invalid` when a result was
    ///   already recorded.
    public static func decide(_ assessment: Assessment, candidate: Candidate, theory: Int?, practical: Int) throws(SkillError) -> Bool {
        try assessment.validate(theory: theory, practical: practical)
        guard candidate.status == .enrolled else {
            throw SkillError(.transitionInvalid, "a result was already recorded for this candidate (\(candidate.status.rawValue))")
        }
        return assessment.passes(theory: theory, practical: practical)
    }

    /// The certificates a pass issues: the domestic one, and its twin when the assessment names
    /// a 一试双证 mapping (signed by the awarding body when it is registered and active, else
    /// recorded by the evaluator).
    /// - Parameters:
    ///   - awardingBody: the international institution whose code the mapping names, if registered.
    public static func plan(
        _ assessment: Assessment, evaluator: Institution, awardingBody: Institution?, standards: Standards, at date: Date
    ) -> [Planned] {
        var numberParts: [String: String]?
        if assessment.kind == .skill, let level = assessment.level, standards.numberScheme("skill-level-2020") != nil {
            numberParts = CertificateNumbering.parts(issuer: evaluator, level: level, year: CalendarDate(date).year)
        }
        let domestic = Planned(
            id: IdentifierKind.certificate.make(at: date), credentialType: assessment.kind.credentialType, issuer: evaluator,
            numberParts: numberParts, workType: assessment.workType, external: nil)
        guard let mappingID = assessment.dualMapping, let mapping = standards.dualMapping(mappingID) else { return [domestic] }
        let body = awardingBody.flatMap { $0.kind == .international && !$0.isSuspended ? $0 : nil }
        let twin = Planned(
            id: IdentifierKind.certificate.make(at: date), credentialType: "international-certificate", issuer: body ?? evaluator,
            numberParts: nil, workType: mapping.workType ?? assessment.workType, external: mapping)
        return [domestic, twin]
    }

    /// What the credential of a planned certificate claims.
    /// - Parameters:
    ///   - twin: the other certificate of a pair (its number names it in `relatedResource`).
    ///   - issuerDID: the signing key's DID.
    ///   - validFrom: the issuance time (RFC 3339).
    ///   - identityHash: `sha256$` + hex of SHA-256(ID number ‖ salt).
    ///   - identityType: `nationalIdentityNumber` or `identifier`.
    ///   - status: the certificate's revocation and suspension entries.
    public static func claims(
        for planned: Planned, number: String, twinNumber: String?, twinDigest: String? = nil, occupation: String, level: Int?, standards: Standards,
        issuerDID: String, validFrom: String, identityHash: String, identityType: String, status: [StatusEntry]
    ) -> CertificateClaims {
        let occ = standards.occupation(occupation)
        let levelRow = level.flatMap { standards.level(code: $0) }
        let typeName = standards.credentialTypes.first { $0.id == planned.credentialType }?.zh ?? planned.credentialType
        var alignments = [
            CertificateClaims.Alignment(targetName: "\(occupation) \(occ?.zh ?? "")", targetFramework: "国家职业分类大典 (2022)", targetCode: occupation)
        ]
        if let levelRow, let level {
            alignments.append(.init(targetName: levelRow.display, targetFramework: "国家职业技能等级", targetCode: String(level)))
            if let row = standards.crosswalk.first(where: { $0.skillLevel == level }) {
                for (framework, levels) in row.levels.sorted(by: { $0.key < $1.key }) {
                    alignments.append(.init(
                        targetName: "\(framework.uppercased()) level \(levels.map(String.init).joined(separator: "/"))", targetFramework: framework,
                        targetCode: levels.map(String.init).joined(separator: "/"), note: "crosswalk status: \(row.status.rawValue)"))
                }
            }
        }
        let criteria = planned.external.map { "\($0.externalTitle) — \($0.agreement)" }
            ?? (level == nil
                ? "Passed the practical 专项职业能力 assessment for \(occupation) \(occ?.zh ?? "")."
                : "Passed the theory and practical assessment of the national standard for \(occupation) \(occ?.zh ?? "") at \(levelRow?.display ?? "").")
        var claims = CertificateClaims(
            number: number, credentialType: planned.credentialType, credentialTypeName: typeName,
            issuer: .init(did: issuerDID, name: planned.issuer.name, registrationCode: planned.issuer.code), validFrom: validFrom,
            identityHash: identityHash, identityType: identityType, occupationCode: occupation, occupationName: occ?.zh ?? occupation,
            workType: planned.workType, levelCode: level, levelName: levelRow?.display, criteria: criteria, alignments: alignments, status: status,
            twinID: twinNumber.map { CertificateClaims.credentialID(number: $0) })
        claims.twinDigest = twinDigest
        if let external = planned.external {
            claims.externalTitle = external.externalTitle
            claims.externalLevel = external.externalLevel
        }
        return claims
    }

    /// The `change` of a `certificate.issued` event: what was issued, by which key, and the
    /// digest of the signed credential (never the holder's identity).
    public static func issuedEventChange(
        _ certificate: CertificateSummary, keyDID: String, credentialSHA256: String
    ) -> JSONValue {
        [
            "number": .string(certificate.number), "kind": .string(certificate.kind), "occupation": .string(certificate.occupation),
            "level": .optional(certificate.level), "key": .string(keyDID), "twin": .optional(certificate.twinID),
            "credential_sha256": .string(credentialSHA256),
        ]
    }
}
