import Foundation
import SkillCore
import SkillCredentials
import SkillLedger

/// The parsers that take bytes from outside, as fuzz targets: each must return (accepting or
/// refusing) for any input — no crash, no hang, no unbounded memory — and where it accepts,
/// the invariants below must hold (a violation traps, which the fuzzer reports as a crash).
public enum FuzzTarget: String, CaseIterable, Sendable {
    case json, credential, note, csv

    public func run(_ bytes: [UInt8]) {
        switch self {
        case .json: Self.json(bytes)
        case .credential: Self.credential(bytes)
        case .note: Self.note(bytes)
        case .csv: Self.csv(bytes)
        }
    }

    /// Strict JSON and JCS: what parses canonicalises, and the canonical form is a fixed point
    /// (parsing it and canonicalising again gives the same bytes).
    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser().parse(bytes) else { return }
        guard let canonical = try? value.canonicalBytes() else { return }  // e.g. a number JCS cannot represent
        guard let again = try? JSONParser().parse(canonical) else { preconditionFailure("JCS output does not parse") }
        precondition((try? again.canonicalBytes()) == canonical, "JCS is not a fixed point")
    }

    /// A prepared verifier over no trust list: credentials (JSON or VC-JWT) and bundles of any
    /// shape are judged, never trusted, and every refusal names a reason.
    static let verifier = CredentialVerifier(trustList: nil)

    static func credential(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let report = verifier.verify(text: text)
        // Classified the way the verifier reads it: as text (invalid UTF-8 becomes U+FFFD), so a
        // bundle with a mangled byte in a field it does not rely on is still a bundle. (Found by
        // the fuzzer: Tools/Fuzz/regressions/credential/bundle-invalid-utf8-key.)
        let value = try? JSONParser().parse(Array(text.trimmingSpaces.utf8))
        // Only a bundle carries the trust list it is judged by; a bare credential or JWT cannot
        // pass with none.
        let isBundle = value?["type"]?.stringValue == CertificateBundle.type
        precondition(!report.isValid || isBundle, "a bare credential verified against an empty trust list")
        precondition(report.isValid || !report.reasons.isEmpty, "an invalid verdict without a reason")
        if let value, !isBundle {
            let bundle = CertificateBundle.verify(value, at: Date(timeIntervalSince1970: 1_800_000_000))
            precondition(!bundle.isValid, "a non-bundle verified as a bundle")
        }
    }

    /// Signed notes and checkpoints: parse, open against a fixed key, and re-render.
    static let noteKey = try! SignedNote.VerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")  // C2SP signed-note example

    static func note(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let checkpoint = try? Checkpoint(text: text) {
            precondition(checkpoint.size >= 0, "a checkpoint with a negative size")
        }
        _ = try? SignedNote.open(text, verifiers: [noteKey])
        _ = try? SignedNote.VerifierKey(text)
    }

    /// CSV rows as an import reads them, with the people columns.
    static func csv(_ bytes: [UInt8]) {
        guard let rows = try? CSVRows(InputStream(data: Data(bytes)), columns: ["name", "id_type", "id_number"]) else { return }
        var lastLine = 1
        while let record = try? rows.next() {
            precondition(record.line > lastLine, "line numbers must grow")
            precondition(record.fields.count == 3, "a record with the wrong columns")
            lastLine = record.line
        }
    }
}
