import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import Testing

@Suite struct SignedNoteTests {
    @Test("C2SP signed-note and checkpoint vectors")
    func vectors() throws {
        let file = try Fixture.json("signed_note_checkpoint")
        for v in file["vectors"]!.arrayValue! {
            let note = v["note"]!.stringValue!
            let keys = try (v["vkeys"]?.arrayValue?.compactMap(\.stringValue) ?? v["vkey"].flatMap(\.stringValue).map { [$0] } ?? []).map(SignedNote.VerifierKey.init)
            for k in keys { #expect(k.text == (v["vkeys"]?.arrayValue?.compactMap(\.stringValue).first { $0.hasPrefix(k.name) } ?? v["vkey"]!.stringValue!)) }
            switch v["expect_valid"] {
            case .bool(true)?:
                let opened = try SignedNote.open(note, verifiers: keys)
                if let text = v["text"]?.stringValue { #expect(opened.text == text) }
            case .bool(false)?:
                #expect(throws: SkillError.self, "\(v["name"]!)") { try SignedNote.open(note, verifiers: keys) }
            default: break
            }
            if let c = v["checkpoint"] {
                let text = String(note[..<note.range(of: "\n\n", options: .backwards)!.upperBound].dropLast())
                let checkpoint = try Checkpoint(text: text)
                #expect(checkpoint.origin == c["origin"]!.stringValue! && checkpoint.size == c["tree_size"]!.intValue!)
                #expect(Data(checkpoint.rootHash).base64EncodedString() == c["root_hash_base64"]!.stringValue!)
                #expect(checkpoint.text == text)
            }
            // The Go test key is deterministic: re-signing reproduces the note byte for byte.
            if let skey = v["skey"]?.stringValue, let text = v["text"]?.stringValue {
                let seed = Array(Data(base64Encoded: String(skey.split(separator: "+", maxSplits: 4).last!))!.dropFirst())
                let key = try Ed25519PrivateKey(seed: seed)
                #expect(try SignedNote.sign(text, name: keys[0].name, key: key) == note)
            }
        }
        let malformed = file["malformed_notes"]!
        let verifier = try SignedNote.VerifierKey(malformed["verifier_vkey"]!.stringValue!)
        for hex in malformed["notes_hex"]!.arrayValue! {
            let note = String(decoding: Hex.decode(hex.stringValue!)!, as: UTF8.self)
            #expect(throws: SkillError.self) { try SignedNote.open(note, verifiers: [verifier]) }
        }
    }

    @Test func ourOwnCheckpointsRoundTrip() throws {
        let key = try Ed25519PrivateKey()
        var tree = InMemoryMerkleTree()
        for i in 0..<5 { tree.append(Array("event \(i)".utf8)) }
        let checkpoint = Checkpoint(origin: "skillbank.example/log", size: 5, rootHash: tree.root)
        let note = try SignedNote.sign(checkpoint.text, name: "skillbank.example/log", key: key)
        let verifier = SignedNote.VerifierKey(name: "skillbank.example/log", publicKey: key.publicKey.rawRepresentation)
        let opened = try SignedNote.open(note, verifiers: [try SignedNote.VerifierKey(verifier.text)])
        #expect(try Checkpoint(text: opened.text) == checkpoint)
        #expect(throws: SkillError.self) { try SignedNote.open(note.replacingOccurrences(of: "\n5\n", with: "\n6\n"), verifiers: [verifier]) }
        #expect(throws: SkillError.self) { try Checkpoint(text: "origin\n05\n\(Data(tree.root).base64EncodedString())\n") }
    }
}
