import Foundation
import GRDB
import SkillCore
import SkillCredentials

extension Ledger {
    /// The worker's learning-account statement: credits by account, certificates and
    /// conversions, as a verifiable credential signed now by the registry (eddsa-jcs-2022).
    /// The subject is the registry's pseudonymous person id: no name, no ID number.
    /// - Throws: `ledger.person-not-found`.
    public func statement(of person: String) throws(SkillError) -> JSONValue {
        let date = now
        return try read { db in
            let record = try learningRecord(db, person: person, asOf: date)
            let conversions = try Ledger.conversions(db, person)
            let (key, privateKey) = try signingKey(db, owner: Ledger.registryOwner)
            let time = Timestamp.format(date)
            let unsigned: JSONValue = [
                "@context": [.string(Contexts.vc2)],
                "id": .string("urn:skillbank:statement:\(person):\(time)"),
                "type": ["VerifiableCredential", .string(StatementCredential.type)],
                "issuer": ["id": .string(key.did), "name": "SkillBank Registry"],
                "validFrom": .string(time),
                "credentialSubject": [
                    "id": .string("urn:skillbank:person:\(person)"),
                    "asOf": .string(record.asOf.description),
                    "balances": .array(record.balances.map { b in
                        ["kind": .string(b.kind), "scope": .string(b.scope), "level": .int(b.level), "credits": .string(Credits.format(b.tenths)),
                         "tenths": .int(b.tenths)]
                    }),
                    "certificates": .array(record.certificates.map { c in
                        ["number": .string(c.number), "kind": .string(c.kind), "occupation": .string(c.occupation), "level": .optional(c.level),
                         "issued": .string(c.issuedOn.description), "status": .string(c.isActive ? "active" : "inactive")]
                    }),
                    "conversions": .array(conversions.map(\.json)),
                ],
            ]
            return try DataIntegrityProof.sign(unsigned, with: privateKey, verificationMethod: key.verificationMethod, created: time)
        }
    }
}
