import SkillCore
import SkillCredentials
import Testing

/// Base58 runs on five-digit limbs; these hold it to the plain digit-by-digit definition.
@Suite struct Base58Tests {
    /// The textbook algorithm: one base-58 digit at a time.
    static func reference(_ bytes: [UInt8]) -> String {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        var digits: [Int] = []
        for byte in bytes {
            var carry = Int(byte)
            for i in digits.indices {
                carry += digits[i] * 256
                digits[i] = carry % 58
                carry /= 58
            }
            while carry > 0 { digits.append(carry % 58); carry /= 58 }
        }
        return String(repeating: "1", count: bytes.prefix { $0 == 0 }.count) + String(digits.reversed().map { alphabet[$0] })
    }

    @Test func matchesTheDigitByDigitDefinitionAndRoundTrips() {
        var rng = SystemRandomNumberGenerator()
        var inputs: [[UInt8]] = [[], [0], [0, 0], [0, 0, 1], [255], [0, 255, 0], [UInt8](repeating: 255, count: 64), [UInt8](repeating: 0, count: 34)]
        for length in 1...80 {
            for _ in 0..<20 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if Bool.random(using: &rng) { bytes[0] = 0 }
                inputs.append(bytes)
            }
        }
        for bytes in inputs {
            let text = Base58.encode(bytes)
            #expect(text == Self.reference(bytes), "encode \(bytes)")
            #expect(Base58.decode(text) == bytes, "decode \(text)")
        }
    }

    @Test func knownValuesAndRefusals() {
        // "Hello World!" from the base58btc draft (draft-msporny-base58 §5).
        #expect(Base58.encode(Array("Hello World!".utf8)) == "2NEpo7TZRRrLZSi2U")
        #expect(Base58.decode("2NEpo7TZRRrLZSi2U") == Array("Hello World!".utf8))
        #expect(Base58.encode([0, 0, 0x28, 0x7f, 0xb4, 0xcd]) == "11233QC4")
        #expect(Base58.decode("0OIl") == nil)
        #expect(Base58.decode("abc!") == nil)
    }
}
