import Foundation
import V2GGateway
import V2GLedger

/// A node's TOML config: checked in full, or refused with an error naming the key. A key file `k.key` exists in
/// the base directory, so configs that name it get past that check.
let base: String = {
    let dir = NSTemporaryDirectory() + "v2g-fuzz-config-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    if let key = try? SigningKey() { try? KeyFile.write(key, to: dir + "/k.key") }
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try GatewayConfig.parse(toml: text, base: base)
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}
