import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto

/// A certificate as the registry lists it (the signed credential is fetched separately).
public struct CertificateSummary: Sendable, Hashable {
    public let id: String
    public let number: String
    public let kind: String
    public let institutionID: String
    public let personID: String
    public let occupation: String
    public let level: Int?
    public let issuedAt: String
    public let status: String
    public let twinID: String?

    public var json: JSONValue {
        [
            "id": .string(id), "number": .string(number), "kind": .string(kind), "institution": .string(institutionID),
            "person": .string(personID), "occupation": .string(occupation), "level": .optional(level), "issued_at": .string(issuedAt),
            "status": .string(status), "twin": .optional(twinID),
        ]
    }

    init(id: String, number: String, kind: String, institutionID: String, personID: String, occupation: String, level: Int?,
         issuedAt: String, status: String, twinID: String?) {
        self.id = id
        self.number = number
        self.kind = kind
        self.institutionID = institutionID
        self.personID = personID
        self.occupation = occupation
        self.level = level
        self.issuedAt = issuedAt
        self.status = status
        self.twinID = twinID
    }

    init(row: Row) {
        id = row["id"]
        number = row["number"]
        kind = row["kind"]
        institutionID = row["institution_id"]
        personID = row["person_id"]
        occupation = row["occupation"]
        level = row["level"]
        issuedAt = row["issued_at"]
        status = row["status"]
        twinID = row["twin_id"]
    }
}

/// Look-ups reused across the rows of one transaction (bulk result imports).
struct IssuanceContext {
    var assessments: [String: Assessment] = [:]
    var institutions: [String: Institution] = [:]
    /// Institutions whose status lists exist or were made in this transaction.
    var statusListsReady: Set<String> = []
    /// Each assessment's number prefix, once its first number in this transaction was checked
    /// against the 2020 scheme.
    var numberPrefixes: [String: String] = [:]
    /// The last serial handed out per number prefix in this transaction, written back to
    /// `certificate_serials` by `Ledger.issuing` before the transaction commits (one write per
    /// prefix, not one per certificate). A row rolled back by a savepoint leaves a gap, never a
    /// reuse; the numbers' UNIQUE constraint would refuse a reuse in any case.
    var serials: [String: Int] = [:]
    /// Each issuer's current signing key (a rotation is its own transaction, so it cannot
    /// change under this one).
    var signingKeys: [String: (KeyRecord, Ed25519PrivateKey)] = [:]
    /// The last credential template per issuer, credential type and identity type: a bulk
    /// import canonicalises its credential once, then fills the template per certificate
    /// (a template refuses claims that differ in more than their own fields, and is remade).
    var credentialTemplates: [String: CertificateClaims.Template] = [:]
    /// Proof signers by key and time (the credentials' `@context` is the same for all
    /// certificates, and a signer refuses another).
    var signers: [String: DataIntegrityProof.Signer] = [:]
    /// The log appender of the transaction's events, so that consecutive appends read no log
    /// node they wrote themselves.
    var log = LogAppender()

    /// Forgets what the context learned from writes that a savepoint has just rolled back: the
    /// log nodes the appender remembers, and which status lists exist (a rolled-back row may
    /// have made them). Serials need no forgetting: a rolled-back one leaves a gap, never a reuse.
    mutating func rowRolledBack() {
        log = LogAppender()
        statusListsReady.removeAll()
    }

    /// The value kept under `key` in `table`, loaded and kept on first use.
    private static func cached<V>(_ table: inout [String: V], _ key: String, _ load: () throws -> V) rethrows -> V {
        if let v = table[key] { return v }
        let v = try load()
        table[key] = v
        return v
    }

    mutating func signingKey(_ owner: String, _ load: () throws -> (KeyRecord, Ed25519PrivateKey)) rethrows -> (KeyRecord, Ed25519PrivateKey) {
        try Self.cached(&signingKeys, owner, load)
    }

    mutating func assessment(_ id: String, _ load: () throws -> Assessment) rethrows -> Assessment {
        try Self.cached(&assessments, id, load)
    }

    mutating func institution(_ id: String, _ load: () throws -> Institution) rethrows -> Institution {
        try Self.cached(&institutions, id, load)
    }

    mutating func signer(_ key: String, _ make: () throws -> DataIntegrityProof.Signer) rethrows -> DataIntegrityProof.Signer {
        try Self.cached(&signers, key, make)
    }

    /// The canonical unsigned credential of `claims` and the template it was filled from: the
    /// one kept under `key`, or a new one (kept in its place) when that one refuses the claims.
    mutating func unsignedCredential(_ claims: CertificateClaims, key: String) throws -> (JSONValue.CanonicalObject, CertificateClaims.Template) {
        if let template = credentialTemplates[key], let filled = template.unsignedCredential(claims) { return (filled, template) }
        let template = try claims.template()
        credentialTemplates[key] = template
        return (template.unsignedCredential(claims)!, template)
    }
}

extension Ledger {
    static let statusPurposes = ["revocation", "suspension"]

    /// Runs `body` with a fresh issuance context inside the caller's transaction, then writes
    /// back what the context kept in memory (the serial counters). Every path that issues
    /// certificates goes through here.
    func issuing<T>(_ db: Database, _ body: (inout IssuanceContext) throws -> T) throws -> T {
        var context = IssuanceContext()
        let result = try body(&context)
        for (prefix, last) in context.serials {
            try db.cachedStatement(sql: "INSERT INTO certificate_serials(prefix, last) VALUES (?, ?) ON CONFLICT(prefix) DO UPDATE SET last = excluded.last")
                .execute(arguments: [prefix, last])
        }
        return result
    }

    /// The stable URL of an issuer's status list credential.
    func statusListURL(_ institutionID: String, _ purpose: String) -> String { "\(baseURL)/v1/status-lists/\(institutionID)/\(purpose)" }

    /// Issues the certificate for a passed candidate, and its 一试双证 twin when the assessment
    /// names a mapping, inside the caller's transaction.
    /// - Parameter identity: the person's identity document type and encrypted number, as stored.
    func issueCertificates(
        _ db: Database, for a: Assessment, institution: Institution, person: String, identity: (type: IDType, ciphertext: [UInt8]),
        actor: Actor, at date: Date, context: inout IssuanceContext
    ) throws -> [CertificateSummary] {
        let (key, privateKey) = try context.signingKey(institution.id) { try signingKey(db, owner: institution.id) }
        let idType = identity.type
        var idNumber = Array(try vault.open(identity.ciphertext, record: person, column: "id_number").utf8)
        defer { scrub(&idNumber) }

        let domesticID = IdentifierKind.certificate.make(at: date)
        let number = try nextNumber(db, institution: institution, assessment: a, at: date, context: &context) ?? domesticID
        var twin: (mapping: DualMapping, id: String, issuer: Institution)?
        if let mappingID = a.dualMapping, let mapping = standards.dualMapping(mappingID) {
            // Signed by the awarding body when it is registered (kind international), else recorded by the evaluator.
            let bodyID = try String.fetchOne(
                db, sql: "SELECT id FROM institutions WHERE code = ? AND kind = 'international' AND status = 'active'",
                arguments: [mapping.externalBodyCode])
            let issuer = try bodyID.map { id in try context.institution(id) { try Ledger.requireInstitution(db, id) } } ?? institution
            twin = (mapping, IdentifierKind.certificate.make(at: date), issuer)
        }
        let twinNumber = twin?.id
        var issued = [
            try issueOne(
                db, id: domesticID, number: number, credentialType: a.kind.credentialType, issuer: institution, key: key, privateKey: privateKey,
                person: person, idType: idType, idNumber: idNumber, occupation: a.occupation, workType: a.workType, level: a.level,
                assessment: a.id, twin: twin.map { ($0.id, twinNumber!) }, external: nil, actor: actor, at: date, context: &context)
        ]
        if let twin {
            let (twinKey, twinPrivate) = try context.signingKey(twin.issuer.id) { try signingKey(db, owner: twin.issuer.id) }
            issued.append(try issueOne(
                db, id: twin.id, number: twin.id, credentialType: "international-certificate", issuer: twin.issuer, key: twinKey,
                privateKey: twinPrivate, person: person, idType: idType, idNumber: idNumber, occupation: a.occupation,
                workType: twin.mapping.workType ?? a.workType, level: a.level, assessment: a.id, twin: (domesticID, number),
                external: twin.mapping, actor: actor, at: date, context: &context))
        }
        return issued
    }

    /// The next 2020-scheme number for a skill-level certificate (serials per number prefix,
    /// never reused), or nil for special-capability certificates, which have no level and
    /// are numbered by their id.
    func nextNumber(_ db: Database, institution: Institution, assessment a: Assessment, at date: Date, context: inout IssuanceContext) throws -> String? {
        guard a.kind == .skill, let level = a.level, let scheme = standards.numberScheme("skill-level-2020") else { return nil }
        if let prefix = context.numberPrefixes[a.id] { return prefix + (try nextSerial(db, prefix: prefix, context: &context)) }
        // The first number of an assessment in a transaction is composed and validated against
        // the scheme's part table; later ones differ only in the serial.
        var parts = [
            "evaluator_kind": institution.kind == .employer ? "Y" : "S", "evaluator_code": institution.evaluatorCode,
            "province": institution.province ?? "", "site_sequence": institution.siteSequence,
            "year": DecimalText.padded(CalendarDate(date).year % 100, width: 2), "level": String(level),
        ]
        let prefix = ["evaluator_kind", "evaluator_code", "province", "site_sequence", "year", "level"].map { parts[$0]! }.joined()
        parts["serial"] = try nextSerial(db, prefix: prefix, context: &context)
        let number = try scheme.compose(parts, provinces: standards.provinceCodes, levels: standards.levelCodes)
        context.numberPrefixes[a.id] = prefix
        return number
    }

    /// The next serial of a number prefix, six digits, counted in the context (see `serials`).
    private func nextSerial(_ db: Database, prefix: String, context: inout IssuanceContext) throws -> String {
        let last = try context.serials[prefix]
            ?? Int.fetchOne(db.cachedStatement(sql: "SELECT last FROM certificate_serials WHERE prefix = ?"), arguments: [prefix]) ?? 0
        guard last < 999_999 else {
            throw SkillError(.statusListFull, "serial numbers for \(prefix) are exhausted this year (999,999)")
        }
        context.serials[prefix] = last + 1
        return DecimalText.padded(last + 1, width: 6)
    }

    /// Random free indices in an issuer's revocation and suspension lists (random for herd
    /// privacy), both probed by one statement; a taken one is drawn again.
    func freeStatusIndices(_ db: Database, institution: String) throws -> (revocation: Int, suspension: Int) {
        var rng = SystemRandomNumberGenerator()
        let probe = try db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM certificates WHERE institution_id = ?1 AND revocation_index = ?2),
                   EXISTS (SELECT 1 FROM certificates WHERE institution_id = ?1 AND suspension_index = ?3)
            """)
        var revocation: Int?
        var suspension: Int?
        for _ in 0..<64 {
            let r = revocation ?? Int.random(in: 0..<BitstringStatusList.minimumLength, using: &rng)
            let s = suspension ?? Int.random(in: 0..<BitstringStatusList.minimumLength, using: &rng)
            let taken = try Row.fetchOne(probe, arguments: [institution, r, s])!
            if !(taken[0] as Bool) { revocation = r }
            if !(taken[1] as Bool) { suspension = s }
            if let revocation, let suspension { return (revocation, suspension) }
        }
        throw SkillError(.statusListFull, "institution \(institution)'s status list has no free entry left")
    }

    func issueOne(
        _ db: Database, id: String, number: String, credentialType: String, issuer: Institution, key: KeyRecord, privateKey: Ed25519PrivateKey,
        person: String, idType: IDType, idNumber: [UInt8], occupation: String, workType: String?, level: Int?, assessment: String,
        twin: (id: String, number: String)?, external: DualMapping?, actor: Actor, at date: Date, context: inout IssuanceContext
    ) throws -> CertificateSummary {
        let time = Timestamp.format(date)
        let salt = try SecureRandom.bytes(16)
        let saltHex = Hex.encode(salt)
        let hash = "sha256$" + Hex.encode(SHA256.hash(idNumber + Array(saltHex.utf8)))
        let (revocation, suspension) = try freeStatusIndices(db, institution: issuer.id)
        let occ = standards.occupation(occupation)
        let levelRow = level.flatMap { standards.level(code: $0) }
        let typeName = standards.credentialTypes.first { $0.id == credentialType }?.zh ?? credentialType
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
        let criteria = external.map { "\($0.externalTitle) — \($0.agreement)" }
            ?? (level == nil
                ? "Passed the practical 专项职业能力 assessment for \(occupation) \(occ?.zh ?? "")."
                : "Passed the theory and practical assessment of the national standard for \(occupation) \(occ?.zh ?? "") at \(levelRow?.display ?? "").")
        var claims = CertificateClaims(
            number: number, credentialType: credentialType, credentialTypeName: typeName,
            issuer: .init(did: key.did, name: issuer.name, registrationCode: issuer.code), validFrom: time, identityHash: hash,
            identityType: idType == .resident ? "nationalIdentityNumber" : "identifier", occupationCode: occupation,
            occupationName: occ?.zh ?? occupation, workType: workType, levelCode: level, levelName: levelRow?.display,
            criteria: criteria, alignments: alignments,
            status: Ledger.statusPurposes.map { purpose in
                StatusEntry(purpose: purpose, index: purpose == "revocation" ? revocation : suspension, listCredential: statusListURL(issuer.id, purpose))
            },
            twinID: twin.map { CertificateClaims.credentialID(number: $0.number) })
        if let external {
            claims.externalTitle = external.externalTitle
            claims.externalLevel = external.externalLevel
        }
        let (unsecured, template) = try context.unsignedCredential(claims, key: "\(issuer.id) \(credentialType) \(claims.identityType)")
        let signer = try context.signer("\(key.id) \(time)") {
            try DataIntegrityProof.Signer(key: privateKey, verificationMethod: key.verificationMethod, created: time, context: template.context)
        }
        let canonical = try signer.secure(canonical: unsecured, context: template.context)
        let event = try Ledger.appendEvent(
            db, type: "certificate.issued", actor: actor, at: date,
            subjects: ["certificate": .string(id), "person": .string(person), "institution": .string(issuer.id), "assessment": .string(assessment)],
            change: [
                "number": .string(number), "kind": .string(credentialType), "occupation": .string(occupation), "level": .optional(level),
                "key": .string(key.did), "twin": .optional(twin?.id), "credential_sha256": .string(Hex.encode(SHA256.hash(canonical))),
            ], log: &context.log)
        try db.cachedStatement(sql: """
            INSERT INTO certificates(id, number, kind, institution_id, person_id, assessment_id, occupation, level, issued_at, twin_id, key_id,
                                     status, revocation_index, suspension_index, salt_ciphertext, credential, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)
            """).execute(arguments: [
                id, number, credentialType, issuer.id, person, assessment, occupation, level, time, twin?.id, key.id, revocation, suspension,
                Data(try vault.seal(saltHex, record: id, column: "identity_salt")), Data(canonical), event,
            ])
        if !context.statusListsReady.contains(issuer.id) {
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM status_lists WHERE institution_id = ?"), arguments: [issuer.id]) != 2 {
                try publishStatusLists(db, institution: issuer.id, at: date)
            }
            context.statusListsReady.insert(issuer.id)
        }
        return CertificateSummary(
            id: id, number: number, kind: credentialType, institutionID: issuer.id, personID: person, occupation: occupation, level: level,
            issuedAt: time, status: "active", twinID: twin?.id)
    }

    /// Rebuilds and re-signs both status list credentials of an issuer from the certificates table.
    func publishStatusLists(_ db: Database, institution: String, at date: Date) throws {
        let (key, privateKey) = try signingKey(db, owner: institution)
        let time = Timestamp.format(date)
        for purpose in Ledger.statusPurposes {
            var list = BitstringStatusList()
            let (column, status) = purpose == "revocation" ? ("revocation_index", "revoked") : ("suspension_index", "suspended")
            for index in try Int.fetchAll(db, sql: "SELECT \(column) FROM certificates WHERE institution_id = ? AND status = ?", arguments: [institution, status]) {
                list[index] = true
            }
            let unsigned = try StatusListCredential.unsigned(
                id: statusListURL(institution, purpose), issuer: key.did, purpose: purpose, validFrom: time, list: list)
            let signed = try DataIntegrityProof.sign(unsigned, with: privateKey, verificationMethod: key.verificationMethod, created: time)
            try db.execute(
                sql: """
                    INSERT INTO status_lists(institution_id, purpose, credential, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(institution_id, purpose) DO UPDATE SET credential = excluded.credential, updated_at = excluded.updated_at
                    """,
                arguments: [institution, purpose, Data(try signed.canonicalBytes()), time])
        }
    }
}
