import Foundation
import SkillCore
import SkillCrypto

/// A certificate bundle: credential, trust list, status lists, issuance event, inclusion proof
/// and signed checkpoint. Verifying it needs nothing but the file.
public enum CertificateBundle {
    public static let type = "SkillBankCertificateBundle"

    /// Verifies a bundle: the certificate checks of `CredentialVerifier` with the bundle's trust
    /// list and status lists, then the log: the issuance event names this credential, its leaf
    /// (the event itself, or its commitment with the disclosed salt) is included in the checkpoint, and the checkpoint is signed by a registry key in the
    /// trust list and (when `maxAge` is given) recent enough.
    /// - Parameter verifier: a verifier holding the registry's current trust list and status lists
    ///   (the registry's own verify route): the credential is judged with it, its lists merged
    ///   with the bundle's, the newer of each counting. Without one, the bundle's own are used.
    public static func verify(
        _ bundle: JSONValue, at time: Date = Date(), maxAge: TimeInterval? = nil, pinnedRegistry: String? = nil, verifier: CredentialVerifier? = nil
    ) -> VerificationReport {
        // The type is required: a document that only looks like a bundle is not judged as one
        // (found by the fuzzer: Tools/Fuzz/regressions/credential/bundle-wrong-type).
        guard bundle["type"]?.stringValue == type, let credential = bundle["credential"], let trust = bundle["trust_list"] else {
            return VerificationReport(checks: [.init(name: "well-formed", passed: false, reason: .malformed, detail: "not a certificate bundle")], summary: [:])
        }
        let bundleLists = bundle["status_lists"]?.arrayValue ?? []
        let judge = verifier?.merging(statusLists: bundleLists) ?? CredentialVerifier(trustList: trust, statusLists: bundleLists, pinnedRegistry: pinnedRegistry)
        let base = judge.verify(credential: credential, at: time)
        var checks = base.checks
        var summary = base.summary
        func add(_ name: String, _ passed: Bool, _ reason: VerificationReport.Reason, _ detail: String) {
            checks.append(.init(name: name, passed: passed, reason: passed ? nil : reason, detail: detail))
        }
        // The issuance event is the leaf, and it names this exact credential.
        let eventText = bundle["issuance_event"]?.stringValue ?? ""
        let event = try? JSONParser().parse(eventText)
        let credentialHash = (try? credential.canonicalBytes()).map { Hex.encode(SHA256.hash($0)) }
        let eventOK = event?["type"] == "certificate.issued" && event?["change"]?["credential_sha256"]?.stringValue == credentialHash && credentialHash != nil
        add("log:event", eventOK, .logProofInvalid, eventOK ? "the issuance event names this credential" : "the issuance event does not name this credential")
        // The leaf is included in the tree the checkpoint signs.
        let proof = bundle["inclusion_proof"]
        let path = (proof?["proof"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Hex.decode) }
        let index = proof?["leaf_index"]?.intValue ?? -1
        let size = proof?["tree_size"]?.intValue ?? 0
        let (list, _) = TrustList.verified(trust, pinnedRegistry: pinnedRegistry)
        /// A checkpoint signed by a registry key in the trust list, or nil.
        func signedCheckpoint(_ member: String) -> Checkpoint? {
            guard let note = bundle[member]?.stringValue, let list, let firstLine = note.split(separator: "\n").first else { return nil }
            let verifiers = list.registryKeys.compactMap { k in DIDKey.publicKey(from: k.did).map { SignedNote.VerifierKey(name: String(firstLine), publicKey: $0) } }
            return (try? SignedNote.open(note, verifiers: verifiers)).flatMap { try? Checkpoint(text: $0.text) }
        }
        let checkpoint = signedCheckpoint("checkpoint")
        add("log:checkpoint", checkpoint != nil, .logProofInvalid, checkpoint.map { "signed by the registry: \($0.origin), \($0.size) leaves" } ?? "the checkpoint is not signed by a registry key in the trust list")
        // A version-2 leaf commits to the event with a salt the bundle discloses (see `EventLeaf`).
        let salt = bundle["issuance_event_salt"]?.stringValue.flatMap(Hex.decode)
        let leaf = MerkleTree.leafHash(EventLeaf.data(canonical: Array(eventText.utf8), salt: salt))
        let included = checkpoint.map { c in
            c.size == size && MerkleTree.verifyInclusion(leafIndex: index, treeSize: size, leafHash: leaf, proof: path, root: c.rootHash)
        } ?? false
        add("log:inclusion", included, .logProofInvalid, included ? "leaf \(index) of \(size) is in the checkpointed tree" : "the inclusion proof does not verify against the checkpoint")
        // Proved from a mirror's tiles (`provedFromTiles`): the newer tree extends the bundle's own checkpoint.
        if bundle["earlier_checkpoint"] != nil {
            let earlier = signedCheckpoint("earlier_checkpoint")
            let path = (bundle["consistency_proof"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Hex.decode) }
            let consistent = earlier.flatMap { e in
                checkpoint.map { c in MerkleTree.verifyConsistency(first: e.size, second: c.size, firstRoot: e.rootHash, secondRoot: c.rootHash, proof: path) }
            } ?? false
            add("log:consistency", consistent, .logProofInvalid,
                consistent ? "the tree of \(checkpoint?.size ?? 0) leaves extends the bundle's checkpoint of \(earlier?.size ?? 0)"
                    : "the newer checkpoint does not extend the bundle's own")
        }
        // How old the checkpoint (and so the bundle's status lists) is.
        let stamp = checkpoint?.extensions.first { $0.hasPrefix("timestamp ") }.map { String($0.dropFirst("timestamp ".count)) }
        summary["checkpoint_time"] = stamp
        if let maxAge {
            let made = stamp.flatMap(Timestamp.parse)
            let fresh = made.map { time.timeIntervalSince($0) <= maxAge } ?? false
            add("log:age", fresh, .checkpointTooOld, made == nil ? "the checkpoint states no time" : "checkpoint made \(stamp ?? "?"); at most \(Int(maxAge)) s old allowed")
        }
        return VerificationReport(checks: checks, summary: summary)
    }
}
