import Foundation
import SkillCore

/// Reads a JSON fixture copied from `shared/vectors/` into `Fixtures/`.
enum Fixture {
    static func json(_ name: String) throws -> JSONValue {
        let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")!
        return try JSONParser().parse(Array(try Data(contentsOf: url)))
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static func double(hex: String) -> Double {
        Double(bitPattern: UInt64(hex, radix: 16)!)
    }
}
