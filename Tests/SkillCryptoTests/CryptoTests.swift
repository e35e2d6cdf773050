import SkillCore
import SkillCrypto
import Testing

@Suite struct DigestTests {
    // FIPS 180-2 Appendix B.1 and the empty string.
    @Test func sha256KnownAnswers() {
        #expect(Hex.encode(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    // RFC 4231 test cases 1 and 2.
    @Test func hmacKnownAnswers() {
        let key1 = SecretBytes([UInt8](repeating: 0x0b, count: 20))
        #expect(Hex.encode(HMACSHA256.authenticate(Array("Hi There".utf8), key: key1))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let key2 = SecretBytes(Array("Jefe".utf8))
        #expect(Hex.encode(HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: key2))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    // RFC 5869 Appendix A.1.
    @Test func hkdfKnownAnswer() throws {
        let okm = try HKDF.deriveKey(
            from: SecretBytes([UInt8](repeating: 0x0b, count: 22)), salt: Hex.decode("000102030405060708090a0b0c")!,
            info: Hex.decode("f0f1f2f3f4f5f6f7f8f9")!, length: 42)
        #expect(okm.withUnsafeBytes { Hex.encode($0) }
            == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test func hkdfSeparatesPurposes() throws {
        let secret = SecretBytes([UInt8](repeating: 7, count: 32))
        let a = try HKDF.deriveKey(from: secret, salt: "s", info: "a")
        let a2 = try HKDF.deriveKey(from: secret, salt: "s", info: "a")
        let b = try HKDF.deriveKey(from: secret, salt: "s", info: "b")
        let bytes = { (k: SecretBytes) in k.withUnsafeBytes { Array($0) } }
        #expect(bytes(a) == bytes(a2))
        #expect(bytes(a) != bytes(b))
        #expect(a.count == 32)
        #expect(!"\(a)".contains(Hex.encode(bytes(a))))
    }

    @Test func hexRoundTrip() {
        #expect(Hex.decode("00ff10Ab") == [0, 255, 16, 171])
        #expect(Hex.decode("0") == nil)
        #expect(Hex.decode("zz") == nil)
        // Arrays take the direct path, other sequences the generic one: both the same text.
        let bytes: [UInt8] = [0, 1, 15, 16, 127, 128, 171, 255]
        #expect(Hex.encode(bytes) == "00010f107f80abff")
        #expect(Hex.encode(bytes[2...]) == "0f107f80abff")
        #expect(Hex.encode([]) == "")
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
    }

    @Test func randomBytesDiffer() throws {
        #expect(try SecureRandom.bytes(16) != SecureRandom.bytes(16))
    }
}

@Suite struct AESGCMTests {
    let key = SecretBytes([UInt8](repeating: 0x42, count: 32))

    @Test func sealOpenRoundTripAndTamper() throws {
        let box = try AESGCM.seal(Array("440308199901011234".utf8), key: key, associatedData: Array("per_1/id".utf8))
        #expect(box.count == 12 + 18 + 16)
        #expect(try AESGCM.open(box, key: key, associatedData: Array("per_1/id".utf8)) == Array("440308199901011234".utf8))
        // A fresh nonce every time.
        #expect(try AESGCM.seal(Array("x".utf8), key: key, associatedData: []) != AESGCM.seal(Array("x".utf8), key: key, associatedData: []))
        var flipped = box
        flipped[14] ^= 1
        #expect { try AESGCM.open(flipped, key: key, associatedData: Array("per_1/id".utf8)) } throws: {
            ($0 as? SkillError)?.code == .decryptionFailed
        }
        #expect(throws: SkillError.self) { try AESGCM.open(box, key: key, associatedData: Array("per_2/id".utf8)) }
        let other = SecretBytes([UInt8](repeating: 0x43, count: 32))
        #expect(throws: SkillError.self) { try AESGCM.open(box, key: other, associatedData: Array("per_1/id".utf8)) }
        #expect(throws: SkillError.self) { try AESGCM.open(Array(box.prefix(20)), key: key, associatedData: []) }
    }

    @Test func vaultIndexesAndSeals() throws {
        let vault = try PersonalDataVault(secret: SecretBytes([UInt8](repeating: 1, count: 32)))
        let id = try PersonalID(type: .resident, number: "440308199901011234", provinces: ["44"])
        let same = try PersonalID(type: .resident, number: " 440308199901011234 ", provinces: ["44"])
        #expect(vault.index(of: id) == vault.index(of: same))
        #expect(vault.index(of: id) != vault.index(of: try PersonalID(type: .passport, number: "440308199901011234", provinces: [])))
        #expect(vault.index(of: try PersonName("Li Wei")) == vault.index(of: try PersonName(" li  WEI")))
        let box = try vault.seal(id.number, record: "per_x", column: "id_number")
        #expect(!String(decoding: box, as: UTF8.self).contains("440308"))
        #expect(try vault.open(box, record: "per_x", column: "id_number") == id.number)
        #expect(throws: SkillError.self) { try vault.open(box, record: "per_y", column: "id_number") }
        let otherVault = try PersonalDataVault(secret: SecretBytes([UInt8](repeating: 2, count: 32)))
        #expect(otherVault.index(of: id) != vault.index(of: id))
        #expect(throws: SkillError.self) { try PersonalDataVault(secret: SecretBytes([1, 2, 3])) }
    }
}
