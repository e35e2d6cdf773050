import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// Certificates once issued: reading and exporting them, their status (load → decide with
/// `CertificateStatusMachine` → persist), the national look-up, status lists and bundles.
public struct Certificates: Sendable {
    let context: BankContext

    /// How a certificate is exported.
    public enum ExportFormat: String, Sendable, CaseIterable {
        /// The signed credential (VC 2.0 JSON with an eddsa-jcs-2022 proof).
        case vc
        /// A VC-JOSE-COSE compact JWS of the same credential (`typ: vc+jwt`, payload = the credential).
        case jwt
        /// The Open Badges 3.0 JWT profile (`typ: JWT`, with the `iss`, `jti`, `nbf`, `exp` and
        /// `sub` claims), as OB 3.0 tools expect it.
        case obJWT = "ob-jwt"
        /// The credential with everything needed to check it offline, log proof included.
        case bundle
    }

    /// One certificate.
    /// - Throws: `ledger.certificate-not-found`.
    public func certificate(_ idOrNumber: String) throws(SkillError) -> CertificateSummary {
        try context.read { tx in try context.requireCertificate(tx, idOrNumber).summary }
    }

    /// Certificates a worker holds, oldest first.
    public func certificates(of personID: String) throws(SkillError) -> [CertificateSummary] {
        try context.read { tx in try tx.certificates.certificates(of: personID) }
    }

    /// Revokes, suspends or reinstates a certificate and its 一试双证 twin, reverses what was
    /// converted from a revoked one, and re-signs the issuers' status lists, all in one unit of
    /// work. Revocation is final; only a suspended certificate can be reinstated.
    /// - Returns: the changed certificates.
    /// - Throws: `ledger.certificate-not-found`, `ledger.transition-invalid`, `input.invalid-field` (no reason to revoke).
    public func changeStatus(of certificateID: String, _ change: StatusChange, reason: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> [CertificateSummary] {
        if change == .revoke, (reason?.trimmingSpaces ?? "").isEmpty {
            throw SkillError(.invalidField, "a revocation needs a reason", field: "reason")
        }
        let date = context.now
        return try context.write { tx in try changeStatus(tx, certificateID, change, reason: reason, actor: actor, at: date) }
    }

    func changeStatus(
        _ tx: any StoreTransaction, _ certificateID: String, _ change: StatusChange, reason: String?, actor: Actor, at date: Date
    ) throws -> [CertificateSummary] {
        let first = try context.requireCertificate(tx, certificateID)
        let twin = try first.summary.twinID.map { try context.requireCertificate(tx, $0) }
        let group = [first.summary.id] + (twin.map { [$0.summary.id] } ?? [])
        let cascade = try CertificateStatusMachine.cascade(
            change, of: first, twin: twin, activeConversions: change == .revoke ? try tx.conversions.activeConversions(evidence: group) : [])
        for t in cascade.transitions {
            let c = t.certificate.summary
            let event = try context.append(
                tx, change.eventType, actor: actor, at: date,
                subjects: ["certificate": .string(c.id), "person": .string(c.personID), "institution": .string(c.institutionID)],
                change: ["from": .string(t.from.rawValue), "to": .string(t.to.rawValue), "reason": .optional(reason), "via_twin": .bool(t.viaTwin)])
            try tx.certificates.setStatus(c.id, t.to)
            try Notices(context: context).statusChanged(tx, c, to: t.to, reason: reason, at: date, trigger: event)
        }
        if change == .revoke {
            try Subsidies(context: context).revoked(tx, certificates: group, reason: reason ?? "", actor: actor, at: date)
        }
        for conversion in cascade.conversionsToReverse {
            try context.reverseConversion(tx, conversion, reason: "certificate revoked: \(reason ?? "")", actor: actor, at: date)
        }
        for issuer in cascade.issuers { try context.publishStatusLists(tx, institution: issuer, at: date, bits: cascade.bits) }
        return try group.map { try context.requireCertificate(tx, $0).summary }
    }

    /// Certificates in id order after `cursor`, issued by one institution (all when nil),
    /// optionally of one status.
    public func issued(by institutionID: String? = nil, status: CertificateStatus? = nil, after cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [CertificateSummary] {
        try context.read { tx in try tx.certificates.certificates(institution: institutionID, status: status, after: cursor, limit: limit) }
    }

    /// Revokes every certificate whose number is listed (one per line), in one unit of work;
    /// a number that cannot be revoked is reported and, with `skipBad`, the others go ahead
    /// (without it, nothing is revoked when any number is refused).
    /// - Parameter institution: when an institution revokes, a number of another institution's
    ///   certificate reads as not found (it gives no hint that the number exists).
    /// - Returns: the revoked certificates, and the numbers that could not be revoked with why
    ///   (their 1-based line, or position in the list).
    /// - Throws: `input.invalid-field` (no reason).
    public func revokeBulk(
        numbers: [String], reason: String, actor: Actor = .operatorCLI, onlyFor institution: String? = nil, skipBad: Bool = true
    ) throws(SkillError) -> (revoked: [CertificateSummary], problems: [(line: Int, number: String, code: SkillError.Code, message: String)]) {
        guard !reason.trimmingSpaces.isEmpty else { throw SkillError(.invalidField, "a revocation needs a reason", field: "reason") }
        let date = context.now
        var refused: [(line: Int, number: String, code: SkillError.Code, message: String)] = []
        do {
            return try revokeAll(numbers, reason: reason, actor: actor, onlyFor: institution, skipBad: skipBad, at: date, refused: &refused)
        } catch where error.code == .importBadRows && !refused.isEmpty {
            return ([], refused)
        }
    }

    private func revokeAll(
        _ numbers: [String], reason: String, actor: Actor, onlyFor institution: String?, skipBad: Bool, at date: Date,
        refused: inout [(line: Int, number: String, code: SkillError.Code, message: String)]
    ) throws(SkillError) -> (revoked: [CertificateSummary], problems: [(line: Int, number: String, code: SkillError.Code, message: String)]) {
        try context.write { tx in
            var revoked: [CertificateSummary] = []
            var problems: [(Int, String, SkillError.Code, String)] = []
            for (i, raw) in numbers.enumerated() {
                let number = raw.trimmingSpaces
                if number.isEmpty || number.hasPrefix("#") { continue }
                do {
                    guard let certificate = try tx.certificates.certificate(number), certificate.summary.number == number,
                        institution == nil || certificate.summary.institutionID == institution
                    else {
                        throw SkillError(.certificateNotFound, "no certificate with this number")
                    }
                    revoked += try tx.nested { try changeStatus(tx, certificate.summary.id, .revoke, reason: reason, actor: actor, at: date) }
                } catch let error as SkillError where error.code.kind != .busy && error.code != .storeFailure {
                    problems.append((i + 1, String(number.prefix(40)), error.code, error.message))
                }
            }
            if !skipBad, !problems.isEmpty {
                // Rolls every revocation back; the caller reports the refused numbers.
                refused = problems
                throw SkillError(.importBadRows, "\(problems.count) number(s) could not be revoked; nothing was revoked")
            }
            return (revoked, problems)
        }
    }

    /// The certificate as a file for the worker to show. With `withName` (the worker's opt-in)
    /// the clear name is added to the subject and the credential is signed again, by the same
    /// key, which must still be the issuer's current key; the stored credential never holds it.
    /// - Returns: the file's text.
    /// - Throws: `ledger.certificate-not-found`, `ledger.key-retired`.
    public func export(_ certificateID: String, format: ExportFormat, withName: Bool = false) throws(SkillError) -> String {
        if format == .bundle {
            guard !withName else { throw SkillError(.invalidField, "a bundle carries the credential as issued, without a name", field: "with_name") }
            return try bundle(certificateID).prettyString()
        }
        return try context.read { tx in
            let stored = try context.requireCertificate(tx, certificateID)
            let credential = try JSONParser().parse(stored.credential)
            if format == .vc && !withName { return try credential.prettyString() }
            // Re-signing needs the issuing key, and only while it is current.
            let (key, privateKey) = try context.signingKey(tx, owner: stored.summary.institutionID)
            guard key.id == stored.keyID else {
                throw SkillError(.keyRetired, "the key that signed this certificate has been rotated; the stored credential can be exported as is (format vc without the name)")
            }
            guard case .object(var members) = credential else { throw SkillError(.jsonMalformed, "the stored credential is not an object") }
            let created = DataIntegrityProof.proofs(of: credential).first?["created"]?.stringValue ?? Timestamp.format(context.now)
            members["proof"] = nil
            if withName {
                let person = stored.summary.personID
                guard let sealed = try tx.people.sealedPerson(person) else { throw SkillError(.personNotFound, "no person '\(person.prefix(40))'") }
                var subject = members["credentialSubject"]?.objectValue ?? [:]
                subject["name"] = .string(try context.vault.open(sealed.nameCiphertext, record: person, column: "name"))
                members["credentialSubject"] = .object(subject)
            }
            if format == .jwt { return try CompactJWS.sign(.object(members), with: privateKey, kid: key.verificationMethod) }
            if format == .obJWT { return try CompactJWS.signOpenBadge(.object(members), with: privateKey, kid: key.verificationMethod) }
            return try DataIntegrityProof.sign(.object(members), with: privateKey, verificationMethod: key.verificationMethod, created: created).prettyString()
        }
    }

    /// An image with the signed credential baked in (Open Badges 3.0 baking): an SVG badge, or
    /// a PNG whose picture is the QR code of the verification page. The credential is the one
    /// stored (its JSON, Data Integrity proof included), so it verifies as exported.
    /// - Parameter png: a PNG instead of an SVG.
    /// - Throws: `ledger.certificate-not-found`.
    public func baked(_ certificateID: String, png: Bool) throws(SkillError) -> [UInt8] {
        let credential = try export(certificateID, format: .vc)
        let printable = try printable(certificateID, proof: nil)
        let s = printable.summary
        if png {
            return try BakedBadge.png(try PNG.qr(try QRCode(bytes: Array(printable.verifyURL.utf8)), scale: 6), credential: credential)
        }
        let standards = context.standards
        let face = BakedBadge.Face(
            title: standards.credentialTypes.first { $0.id == s.kind }?.zh ?? "证书",
            occupation: standards.catalogue.occupation(s.occupation)?.name ?? standards.occupation(s.occupation)?.zh ?? s.occupation,
            level: s.level.flatMap { standards.level(code: $0)?.display } ?? "", number: s.number, issuer: printable.issuerName)
        return Array(BakedBadge.svg(face, credential: credential).utf8)
    }

    /// The signed status list credential of an issuer.
    /// - Throws: `ledger.institution-not-found`, `ledger.status-list-not-found` (it has issued nothing yet).
    public func statusList(of institutionID: String, purpose: StatusPurpose) throws(SkillError) -> JSONValue {
        let bytes = try context.read { tx in
            _ = try context.requireInstitution(tx, institutionID)
            return try tx.statusLists.statusList(institution: institutionID, purpose: purpose)
        }
        guard let bytes else {
            throw SkillError(.statusListNotFound, "\(institutionID) has no \(purpose.rawValue) status list yet (it has issued no certificate)")
        }
        return try JSONParser().parse(bytes)
    }

    /// Every status list credential the bank holds.
    public func allStatusLists() throws(SkillError) -> [JSONValue] {
        try context.read { tx in try tx.statusLists.allStatusLists() }.map { bytes throws(SkillError) in try JSONParser().parse(bytes) }
    }

    /// The national-style look-up: a certificate number plus the holder's name or ID number.
    /// Returns nothing about anyone else: a wrong name and an unknown number look the same.
    /// - Throws: `ledger.certificate-not-found` unless both match; `input.usage` without a second field.
    public func lookup(number: String, name: String?, idType: IDType = .resident, idNumber: String?) throws(SkillError) -> JSONValue {
        let proof: HolderProof
        if let name { proof = .name(name) } else if let idNumber { proof = .idNumber(idType, idNumber) } else {
            throw SkillError(.usage, "give the holder's name or ID number with the number")
        }
        let (stored, issuer) = try context.read { tx in
            let stored = try requireHolder(tx, number: number, proof)
            if let name, let idNumber, try !holds(tx, stored, .name(name)) || !holds(tx, stored, .idNumber(idType, idNumber)) {
                throw Self.noMatch
            }
            return (stored, try context.requireInstitution(tx, stored.summary.institutionID))
        }
        let c = stored.summary
        let standards = context.standards
        return [
            "number": .string(c.number), "issuer": .string(issuer.name), "kind": .string(c.kind),
            "occupation": .string("\(c.occupation) \(standards.occupation(c.occupation)?.zh ?? "")"),
            // One representation: the five-level code as an integer, its name beside it.
            "level": .optional(c.level), "level_name": c.level.flatMap { standards.level(code: $0) }.map { ["zh": .string($0.display), "en": .string($0.en)] } ?? .null,
            "issued_at": .string(c.issuedAt),
            "status": .string(c.status.rawValue),
        ]
    }

    /// What a number and a holder that do not match answer: the same as an unknown number.
    static let noMatch = SkillError(.certificateNotFound, "no certificate matches this number and holder")

    /// The certificate with this number when `proof` shows the caller may read it; otherwise
    /// the same not-found whether the number exists or not.
    /// - Throws: `ledger.certificate-not-found`.
    func requireHolder(_ tx: any StoreTransaction, number: String, _ proof: HolderProof) throws -> StoredCertificate {
        let number = number.trimmingSpaces
        guard let stored = try tx.certificates.certificate(number), stored.summary.number == number, try holds(tx, stored, proof) else {
            throw Self.noMatch
        }
        return stored
    }

    /// Whether `proof` matches the certificate's holder (a name or number that does not parse
    /// matches nobody) or is a live share of it.
    private func holds(_ tx: any StoreTransaction, _ certificate: StoredCertificate, _ proof: HolderProof) throws -> Bool {
        let vault = context.vault
        switch proof {
        case .share(let secret):
            guard let share = try tx.certificates.share(sha256: Hex.encode(SHA256.hash(secret))) else { return false }
            return share.certificateID == certificate.summary.id && share.expiresAt >= Timestamp.format(context.now)
        case .name(let name):
            guard let index = (try? PersonName(name)).map({ vault.index(of: $0) }),
                let holder = try tx.people.sealedPerson(certificate.summary.personID)
            else { return false }
            return ConstantTime.equal(index, holder.nameIndex)
        case .idNumber(let type, let number):
            guard let index = (try? PersonalID(type: type, number: number, provinces: context.standards.provinceCodes)).map({ vault.index(of: $0) }),
                let holder = try tx.people.sealedPerson(certificate.summary.personID)
            else { return false }
            return ConstantTime.equal(index, holder.idIndex)
        }
    }

    /// What a printed certificate shows (职业技能等级证书 in the layout people know).
    public struct Printable: Sendable {
        public let summary: CertificateSummary
        public let issuerName: String
        /// The holder's name, only when asked for (the worker's choice).
        public let holderName: String?
        /// Where the QR code leads: the verification page with the number filled in.
        public let verifyURL: String
    }

    /// A certificate to print, for whoever may read it: with `proof` as the bundle asks (the
    /// holder's name or ID number, or a share), or without one for the operator and the worker's
    /// own session. The name is printed only when `withName`.
    /// - Throws: `ledger.certificate-not-found` (an unknown number and a wrong holder alike).
    public func printable(_ idOrNumber: String, proof: HolderProof?, withName: Bool = false) throws(SkillError) -> Printable {
        let (stored, issuer) = try context.read { tx in
            let stored = try proof.map { p throws in try requireHolder(tx, number: idOrNumber, p) } ?? context.requireCertificate(tx, idOrNumber)
            return (stored, try context.requireInstitution(tx, stored.summary.institutionID).name)
        }
        let name = withName ? try Registration(context: context).revealPerson(stored.summary.personID).name : nil
        let number = stored.summary.number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? stored.summary.number
        return Printable(summary: stored.summary, issuerName: issuer, holderName: name, verifyURL: "\(context.baseURL)/verify?number=\(number)")
    }

    /// A certificate's bundle for whoever shows they may read it: its holder's name or ID number,
    /// or a share the holder made. An unknown number and a wrong holder look the same.
    /// - Throws: `ledger.certificate-not-found`, `log.node-missing`, `store.*`.
    public func bundle(number: String, proof: HolderProof) throws(SkillError) -> JSONValue {
        let stored = try context.read { tx in try requireHolder(tx, number: number, proof) }
        return try bundle(stored.summary.id)
    }

    /// Makes a share of a worker's certificate: a secret (`shr_…`, returned once) that lets
    /// whoever holds it fetch the certificate's bundle by number for `days` days.
    /// - Parameters:
    ///   - certificate: an id or number of a certificate `person` holds.
    ///   - person: the holder.
    ///   - days: 1–365.
    /// - Returns: the share and its secret.
    /// - Throws: `auth.forbidden` when the certificate is not the person's; `input.invalid-field` (days).
    public func share(_ certificate: String, of person: String, days: Int, actor: Actor = .operatorCLI) throws(SkillError) -> (CertificateShare, String) {
        guard (1...365).contains(days) else { throw SkillError(.invalidField, "a share lasts 1–365 days, got \(days)", field: "days") }
        var secretBytes = try SecureRandom.bytes(32)
        defer { scrub(&secretBytes) }
        let secret = "shr_" + Hex.encode(secretBytes)
        let date = context.now
        let share = try context.write { tx in
            guard let stored = try tx.certificates.certificate(certificate), stored.summary.personID == person else {
                throw SkillError(.forbidden, "a holder may share only their own certificates")
            }
            let share = CertificateShare(
                id: IdentifierKind.share.make(at: date), certificateID: stored.summary.id, createdAt: Timestamp.format(date),
                expiresAt: Timestamp.format(date.addingTimeInterval(Double(days) * 86_400)))
            let event = try context.append(
                tx, "certificate.shared", actor: actor, at: date, subjects: ["certificate": .string(stored.summary.id), "person": .string(person)],
                change: ["expires_at": .string(share.expiresAt)])
            try tx.certificates.insertShare(share, sha256: Hex.encode(SHA256.hash(secret)), eventID: event)
            return share
        }
        return (share, secret)
    }

    /// Everything an employer needs to check a certificate offline, in one JSON document: the
    /// credential, the registry's signed trust list, the issuer's status lists it names as of now, the
    /// issuance event, its inclusion proof and the signed checkpoint it was proven against.
    /// - Throws: `ledger.certificate-not-found`, `log.node-missing`, `store.*`.
    public func bundle(_ certificate: String) throws(SkillError) -> JSONValue {
        let log = TransparencyLog(context: context)
        let note = try log.checkpoint()
        let stored = try context.read { tx in try context.requireCertificate(tx, certificate) }
        let proof = try log.inclusionProof(event: stored.eventID)
        let event = try context.read { tx in try tx.log.event(id: stored.eventID) }
        let credential = try JSONParser().parse(stored.credential)
        // The lists its status entries name: the message list, or for an older certificate the
        // revocation and suspension lists.
        let purposes = (StatusEntry.entries(of: credential) ?? []).compactMap { StatusPurpose(rawValue: $0.purpose) }
        let lists = try purposes.map { purpose throws(SkillError) in try statusList(of: stored.summary.institutionID, purpose: purpose) }
        return [
            "type": .string(CertificateBundle.type),
            "credential": credential,
            "trust_list": try Registration(context: context).trustList(),
            "status_lists": .array(lists),
            "issuance_event": .string(String(decoding: event?.canonical ?? [], as: UTF8.self)),
            // The commitment's salt: with it the event can be shown to be its leaf.
            "issuance_event_salt": .optional(event?.salt.map(Hex.encode)),
            "inclusion_proof": proof.json,
            "checkpoint": .string(note),
        ]
    }
}
