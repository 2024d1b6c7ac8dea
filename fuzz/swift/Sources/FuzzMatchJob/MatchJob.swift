import Foundation
import V2GSim

/// A `v2g match` job: parsed, and run when it parses; either may refuse it with an error, neither may trap.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard let job = try? MatchJob.parse(bytes) else { return 0 }
    _ = try? job.run().rendered(scalarObjectsInline: true)
    return 0
}
