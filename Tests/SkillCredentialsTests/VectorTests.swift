import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import Testing

enum Fixture {
    static func json(_ name: String) throws -> JSONValue {
        let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")!
        return try JSONParser().parse(Array(try Data(contentsOf: url)))
    }
}

@Suite struct Ed25519VectorTests {
    @Test("RFC 8032 §7.1 Ed25519 test vectors")
    func rfc8032() throws {
        let vectors = try Fixture.json("rfc8032_ed25519")["vectors"]!.arrayValue!
        #expect(vectors.count >= 5)
        for v in vectors {
            let key = try Ed25519PrivateKey(seed: Hex.decode(v["secret_key_hex"]!.stringValue!)!)
            #expect(Hex.encode(key.publicKey.rawRepresentation) == v["public_key_hex"]!.stringValue!)
            let message = Hex.decode(v["message_hex"]!.stringValue!)!
            let signature = try key.signature(for: message)
            #expect(Hex.encode(signature) == v["signature_hex"]!.stringValue!, "\(v["name"]!)")
            #expect(key.publicKey.isValidSignature(signature, for: message))
            var bad = signature
            bad[0] ^= 1
            #expect(!key.publicKey.isValidSignature(bad, for: message))
            #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        }
    }

    @Test func encryptedPKCS8RoundTripAndWrongPassphrase() throws {
        let key = try Ed25519PrivateKey()
        let pass = SecretBytes(Array("correct horse battery".utf8))
        let pem = try key.encryptedPEM(passphrase: pass)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let again = try Ed25519PrivateKey(encryptedPEM: pem, passphrase: pass)
        #expect(again.publicKey == key.publicKey)
        #expect { try Ed25519PrivateKey(encryptedPEM: pem, passphrase: SecretBytes(Array("wrong passphrase".utf8))) } throws: {
            ($0 as? SkillError)?.code == .secretInvalid
        }
        #expect(throws: SkillError.self) { try key.encryptedPEM(passphrase: SecretBytes([1, 2, 3])) }
    }
}

@Suite struct DIDKeyTests {
    @Test("did:key vectors: seeds to DIDs, multibase round trips")
    func vectors() throws {
        for v in try Fixture.json("did_key_ed25519")["vectors"]!.arrayValue! {
            let did = v["did"]!.stringValue!
            let raw = try #require(DIDKey.publicKey(from: did))
            #expect(DIDKey.did(raw) == did)
            #expect(DIDKey.verificationMethod(raw) == v["verification_method_id"]!.stringValue!)
            #expect(DIDKey.multibase(raw) == v["publicKeyMultibase"]!.stringValue!)
            if let seed = v["seed_hex"]?.stringValue {
                #expect(DIDKey.did(try Ed25519PrivateKey(seed: Hex.decode(seed)!).publicKey.rawRepresentation) == did)
            }
            if let b58 = v["publicKeyBase58"]?.stringValue { #expect(Base58.decode(b58) == raw) }
        }
        #expect(DIDKey.publicKey(from: "did:key:z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p") == nil)  // X25519, not Ed25519
        #expect(DIDKey.publicKey(from: "did:web:example.com") == nil)
    }

    @Test func base58AndBase64URL() {
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.decode("0OIl") == nil)
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37 + n) & 0xFF) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
            #expect(Base58.decode(Base58.encode(bytes)) == bytes)
        }
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("a+b/") == nil)
    }
}

@Suite struct DataIntegrityVectorTests {
    /// The W3C vc-di-eddsa eddsa-jcs-2022 example, reproduced byte for byte.
    @Test func reproducesTheSpecExample() throws {
        let v = try Fixture.json("vc_di_eddsa_jcs_2022")
        let unsigned = v["unsigned_credential"]!
        #expect(try unsigned.canonicalString() == v["canonical_credential"]!.stringValue!)
        #expect(Hex.encode(SHA256.hash(try unsigned.canonicalBytes())) == v["credential_hash_hex"]!.stringValue!)
        let options = v["proof_options"]!
        #expect(try options.canonicalString() == v["canonical_proof_options"]!.stringValue!)
        #expect(Hex.encode(SHA256.hash(try options.canonicalBytes())) == v["proof_options_hash_hex"]!.stringValue!)
        let hashData = try DataIntegrityProof.hashData(unsecuredDocument: unsigned, proofConfiguration: options)
        #expect(Hex.encode(hashData) == v["combined_hash_hex"]!.stringValue!)

        let secret = try #require(Base58.decode(String(v["key_pair"]!["secretKeyMultibase"]!.stringValue!.dropFirst())))
        #expect(Array(secret.prefix(2)) == [0x80, 0x26])  // multicodec ed25519-priv
        let key = try Ed25519PrivateKey(seed: Array(secret.suffix(32)))
        #expect(DIDKey.multibase(key.publicKey.rawRepresentation) == v["key_pair"]!["publicKeyMultibase"]!.stringValue!)
        #expect(Hex.encode(try key.signature(for: hashData)) == v["signature_hex"]!.stringValue!)

        let signed = try DataIntegrityProof.sign(
            unsigned, with: key, verificationMethod: options["verificationMethod"]!.stringValue!, created: options["created"]!.stringValue!)
        // We attach the proof as a set of one (Open Badges 3.0 wants an array); the spec's example
        // attaches the same proof as an object. The proof itself is byte for byte the spec's.
        let expected = try #require(v["signed_credential"]?.objectValue)
        var asSet = expected
        asSet["proof"] = [expected["proof"]!]
        #expect(DataIntegrityProof.proofs(of: signed).first?["proofValue"] == v["proof_value"])
        #expect(signed == .object(asSet))
        #expect(try signed.canonicalBytes() == JSONValue.object(asSet).canonicalBytes())
        // The form that also returns canonical bytes, spliced rather than rewritten.
        let secured = try DataIntegrityProof.secure(
            unsigned, with: key, verificationMethod: options["verificationMethod"]!.stringValue!, created: options["created"]!.stringValue!)
        #expect(secured.document == .object(asSet))
        #expect(try secured.canonicalBytes == JSONValue.object(asSet).canonicalBytes())
        // Both attachments verify.
        #expect(DataIntegrityProof.verify(v["signed_credential"]!).isValid)
        #expect(DataIntegrityProof.verify(.object(asSet)).isValid)
        asSet["proof"] = [expected["proof"]!, expected["proof"]!]
        #expect(DataIntegrityProof.verify(.object(asSet)).problem == "the document has 2 proofs; a SkillBank document has exactly one")
    }

    @Test func additionalVerifyVectors() throws {
        let vectors = try Fixture.json("vc_di_eddsa_jcs_2022")["additional_verify_vectors"]!.arrayValue!
        for v in vectors {
            let check = DataIntegrityProof.verify(v["signed_credential"]!)
            #expect(check.isValid == v["expect_valid"]!.boolValue!, "\(v["name"]!)")
        }
    }

    @Test func anyChangeBreaksTheProof() throws {
        let signed = try Fixture.json("vc_di_eddsa_jcs_2022")["signed_credential"]!
        guard case .object(var members) = signed else { Issue.record("not an object"); return }
        members["name"] = "Alumni Credential!"
        #expect(!DataIntegrityProof.verify(.object(members)).isValid)
        members = signed.objectValue!
        var proof = members["proof"]!.objectValue!
        proof["created"] = "2023-02-24T23:36:39Z"
        members["proof"] = .object(proof)
        #expect(!DataIntegrityProof.verify(.object(members)).isValid)
        proof = signed["proof"]!.objectValue!
        proof["verificationMethod"] = .string(DIDKey.verificationMethod(try Ed25519PrivateKey().publicKey.rawRepresentation))
        members["proof"] = .object(proof)
        #expect(!DataIntegrityProof.verify(.object(members)).isValid)
        members["proof"] = nil
        #expect(DataIntegrityProof.verify(.object(members)).problem == "the document has no proof")
    }
}

@Suite struct JWSVectorTests {
    @Test("RFC 8037 A.4 compact JWS with EdDSA")
    func rfc8037() throws {
        let v = try Fixture.json("jws_eddsa_rfc8037")
        let d = try #require(Base64URL.decode(v["private_jwk"]!["d"]!.stringValue!))
        let key = try Ed25519PrivateKey(seed: d)
        #expect(Base64URL.encode(key.publicKey.rawRepresentation) == v["public_jwk"]!["x"]!.stringValue!)
        let input = v["protected_header_b64"]!.stringValue! + "." + v["payload_b64"]!.stringValue!
        #expect(Base64URL.encode(try key.signature(for: Array(input.utf8))) == v["signature_b64"]!.stringValue!)
        #expect(v["compact_jws"]!.stringValue! == input + "." + v["signature_b64"]!.stringValue!)
        #expect(key.publicKey.isValidSignature(Base64URL.decode(v["signature_b64"]!.stringValue!)!, for: Array(input.utf8)))
        // Its payload is plain text, not a credential: the VC-JWT decoder refuses it as malformed.
        #expect(throws: SkillError.self) { try CompactJWS.decode(v["compact_jws"]!.stringValue!) }
        #expect(DIDKey.did(key.publicKey.rawRepresentation) == v["did_key_derived"]!.stringValue!)
    }

    @Test func vcJWTRoundTrip() throws {
        let key = try Ed25519PrivateKey()
        let vm = DIDKey.verificationMethod(key.publicKey.rawRepresentation)
        let credential: JSONValue = ["@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "issuer": .string(vm)]
        let token = try CompactJWS.sign(credential, with: key, kid: vm)
        let decoded = try CompactJWS.decode(token)
        #expect(decoded.isValid && decoded.payload == credential && decoded.header["typ"] == "vc+jwt")
        let parts = token.split(separator: ".")
        let tampered = parts[0] + "." + Base64URL.encode(Array("{\"a\":1}".utf8)) + "." + parts[2]
        #expect(try !CompactJWS.decode(String(tampered)).isValid)
        #expect(throws: SkillError.self) { try CompactJWS.decode("a.b") }
    }
}

@Suite struct StatusListVectorTests {
    @Test("W3C Bitstring Status List vectors decode to the published indices")
    func vectors() throws {
        for v in try Fixture.json("bitstring_status_list")["vectors"]!.arrayValue! {
            let encoded = v["encodedList"]?.stringValue ?? v["credential"]?["credentialSubject"]?["encodedList"]?.stringValue
            let text = try #require(encoded)
            let length = v["bitstring_length_bits"]!.intValue!
            if v["expected_error"] != nil {
                #expect(throws: SkillError.self) { try BitstringStatusList(encoded: text, requireMultibase: false) }
                continue
            }
            let list = try BitstringStatusList(encoded: text, minimumLength: length, requireMultibase: v["multibase_prefix"]!.boolValue!)
            #expect(list.count == (length + 7) / 8 * 8)
            let expected = Set(v["set_indices_decoded"]!.arrayValue!.compactMap(\.intValue))
            let found = Set((0..<list.count).filter { list[$0] })
            #expect(found == expected, "\(v["name"]!)")
        }
    }

    /// Our own encoder checked by an independent path: Python-free, but not through our
    /// decoder — gunzip with zlib directly and read bits in the spec's order by hand.
    @Test func encodesInSpecBitOrder() throws {
        var list = BitstringStatusList()
        for i in [0, 7, 8, 94_567, 131_071] { list[i] = true }
        let encoded = try list.encoded()
        #expect(encoded.hasPrefix("uH4sI"))  // multibase u + base64url of the gzip magic 1f 8b 08
        let raw = try Gzip.decompress(Base64URL.decode(String(encoded.dropFirst()))!)
        #expect(raw.count == 16_384)
        #expect(raw[0] == 0b1000_0001 && raw[1] == 0b1000_0000)
        #expect(raw[94_567 / 8] == 0x80 >> (94_567 % 8))
        #expect(raw[16_383] == 0x01)
        #expect(try BitstringStatusList(encoded: encoded) == list)
    }
}
