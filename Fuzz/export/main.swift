import CLibFuzzer
import FuzzHarness

/// One input for ExportTarget. Exported under libFuzzer's name too: compiler-rt's own `main` refers to it.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.run(ExportTarget.self, data, size)
}

// fuzz-export: libFuzzer's driver, which exits the process itself. (SwiftPM makes this file's code the
// executable's entry point instead of compiler-rt's `main`.) With CARDGATE_FUZZ_WRITE_SEEDS=<folder>, writes the
// seeds instead.
FuzzEntry.writeSeedsIfAsked(ExportTarget.self)
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
