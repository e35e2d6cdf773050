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
    ///   - status: the certificate's status entry.
    ///   - registryURL: the registry's base URL (its catalogue pages and JSON-LD context live there).
    public static func claims(
        for planned: Planned, number: String, twinNumber: String?, twinDigest: String? = nil, occupation: String, level: Int?, standards: Standards,
        issuerDID: String, validFrom: String, identityHash: String, identityType: String, status: StatusEntry, registryURL: String
    ) -> CertificateClaims {
        let occ = standards.occupation(occupation)
        let name = occ?.zh ?? occupation
        let levelRow = level.flatMap { standards.level(code: $0) }
        let typeName = standards.credentialTypes.first { $0.id == planned.credentialType }?.zh ?? planned.credentialType
        var alignments = [
            CertificateClaims.Alignment(
                targetName: "\(occupation) \(occ?.zh ?? "")", targetFramework: "国家职业分类大典 (2022)", targetCode: occupation,
                targetUrl: "\(registryURL)/occupations/\(occupation)")
        ]
        if let levelRow, let level {
            alignments.append(.init(
                targetName: levelRow.display, targetFramework: "国家职业技能等级", targetCode: String(level), targetUrl: "\(registryURL)/levels#level-\(level)"))
            if let row = standards.crosswalk.first(where: { $0.skillLevel == level }) {
                for (framework, levels) in row.levels.sorted(by: { $0.key < $1.key }) {
                    alignments.append(.init(
                        targetName: "\(framework.uppercased()) level \(levels.map(String.init).joined(separator: "/"))", targetFramework: framework,
                        targetCode: levels.map(String.init).joined(separator: "/"),
                        targetUrl: "\(registryURL)/frameworks/\(framework)#level-\(levels[0])", note: "crosswalk status: \(row.status.rawValue)"))
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
            identityHash: identityHash, identityType: identityType, occupationCode: occupation, occupationName: name,
            workType: planned.workType, levelCode: level, levelName: levelRow?.display, criteria: criteria,
            description: description(for: planned, occupation: occupation, name: name, level: levelRow, standards: standards),
            alignments: alignments, status: status, context: SkillBankContext.reference(baseURL: registryURL),
            twinID: twinNumber.map { CertificateClaims.credentialID(number: $0) })
        claims.twinDigest = twinDigest
        if let external = planned.external {
            claims.externalTitle = external.externalTitle
            claims.externalLevel = external.externalLevel
        }
        return claims
    }

    /// The achievement's description: the occupation's definition from the catalogue (its name
    /// and code when the bank has no catalogue), then what this certificate attests.
    static func description(for planned: Planned, occupation: String, name: String, level: SkillLevel?, standards: Standards) -> String {
        let definition = standards.catalogue.occupation(occupation)?.definition.map { "\(name)（\(occupation)）：\($0)" } ?? "\(name)（\(occupation)）。"
        let attests = if let external = planned.external {
            "\(external.externalTitle)：与国内职业技能等级证书同场考核（一试双证，\(external.agreement)）。"
        } else if let level {
            "本证书证明持证人通过该职业\(level.display)（国家职业技能等级\(level.fiveLevelCode.map(String.init) ?? "")级）的理论知识和操作技能考核。"
        } else {
            "本证书为专项职业能力证书，证明持证人具备该职业中一项可独立使用的实际操作能力。"
        }
        return definition + attests
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
