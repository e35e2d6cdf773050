import Foundation
import SkillFuzzTargets

// Built two ways:
//   * plain (`swift build`): replays files — `skillbank-fuzz TARGET FILE...` runs each input once;
//   * for fuzzing (Tools/fuzz.sh): `-sanitize=fuzzer -D FUZZING`, where libFuzzer owns main and
//     calls LLVMFuzzerTestOneInput; the target comes from SKILLBANK_FUZZ_TARGET.
#if FUZZING
let target = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["SKILLBANK_FUZZ_TARGET"] ?? "") ?? {
    FileHandle.standardError.write(Data("set SKILLBANK_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
    exit(64)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver, for a program that keeps its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands control to libFuzzer.
@_cdecl("skillbank_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzOne(data, size) }
}
#else
@main
enum Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: skillbank-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n".utf8))
            exit(64)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            target.run(Array(data))
        }
        print("replayed \(arguments.count - 1) input(s) through \(name): no crash")
    }
}
#endif
