import Foundation
import SkillCore
import SkillCredentials
import SkillStore

extension BankContext {
    /// Signs an issuer's status list credentials again, each as stored with `bits` applied
    /// (a new issuer starts from empty lists), inside the caller's unit of work.
    func publishStatusLists(
        _ tx: any StoreTransaction, institution: String, at date: Date, bits: [CertificateStatusMachine.StatusBit]
    ) throws {
        let (key, privateKey) = try signingKey(tx, owner: institution)
        let time = Timestamp.format(date)
        for purpose in StatusPurpose.allCases {
            var list = BitstringStatusList(statusSize: purpose.statusSize)
            if let stored = try tx.statusLists.statusList(institution: institution, purpose: purpose) {
                guard let encoded = try JSONParser().parse(stored)["credentialSubject"]?["encodedList"]?.stringValue else {
                    throw SkillError(.storeFailure, "a stored status list is damaged", cause: "\(institution) \(purpose.rawValue): no encodedList")
                }
                list = try BitstringStatusList(encoded: encoded)
            }
            for bit in bits where bit.institutionID == institution && bit.purpose == purpose {
                list.setValue(bit.value, at: bit.index, statusSize: purpose.statusSize)
            }
            let unsigned = try StatusListCredential.unsigned(
                id: statusListURL(institution, purpose), issuer: key.did, purpose: purpose.rawValue, validFrom: time, list: list)
            let signed = try DataIntegrityProof.sign(unsigned, with: privateKey, verificationMethod: key.verificationMethod, created: time)
            try tx.statusLists.saveStatusList(try signed.canonicalBytes(), institution: institution, purpose: purpose, at: time)
        }
    }

    /// Reverses a conversion with a compensating posting (never an edit of the original),
    /// inside the caller's unit of work.
    func reverseConversion(_ tx: any StoreTransaction, _ c: ConversionRecord, reason: String, actor: Actor, at date: Date) throws {
        guard c.isActive else { return }
        let posting = CreditPosting(
            id: IdentifierKind.posting.make(at: date), from: .academic(person: c.personID, programme: c.programme),
            to: .recognised(programme: c.programme), tenths: c.tenths, reference: c.id)
        let event = try append(
            tx, "conversion.reversed", actor: actor, at: date, subjects: ["person": .string(c.personID), "conversion": .string(c.id)],
            change: ["reason": .string(reason), "amount_tenths": .int(c.tenths), "posting": posting.json])
        try tx.credits.post(posting, eventID: event)
        try tx.conversions.markReversed(c.id, reason: reason, eventID: event)
        try Notices(context: self).conversion(tx, c, reversed: reason, at: date, trigger: event)
    }
}
