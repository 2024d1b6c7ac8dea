import Testing
@testable import V2GLedger

@Suite("Secret key slabs")
struct SecretSlabsTests {
    /// Found by `v2g bench gateway`: 10,000 vehicle keys, each in its own `sodium_malloc` region, took 40,000
    /// kernel mappings and about 100 MiB. From slabs they take 159 regions.
    @Test func tenThousandSlotsShareAFewSlabsAndNeverOverlap() throws {
        let slabs = SecretSlabs()
        var slots: [SecretSlabs.Slot] = []
        for i in 0..<10_000 {
            let slot = try #require(slabs.allocate())
            #expect(UnsafeRawBufferPointer(start: slot.pointer, count: 64).allSatisfy { $0 == 0 })
            slot.pointer.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: i), count: 64)
            slots.append(slot)
        }
        #expect(slabs.slabs == (10_000 + SecretSlabs.slotsPerSlab - 1) / SecretSlabs.slotsPerSlab)
        // Every slot still holds its own pattern: none overlaps another.
        for (i, slot) in slots.enumerated() {
            #expect(UnsafeRawBufferPointer(start: slot.pointer, count: 64).allSatisfy { $0 == UInt8(truncatingIfNeeded: i) })
        }
        #expect(Set(slots.map { Int(bitPattern: $0.pointer) }).count == 10_000)
        // Released, every slab but one is returned; a slot handed out again is zeroed.
        for slot in slots.reversed() { slabs.release(slot) }
        #expect(slabs.slabs == 1)
        let again = try #require(slabs.allocate())
        #expect(UnsafeRawBufferPointer(start: again.pointer, count: 64).allSatisfy { $0 == 0 })
    }

    @Test func keysFromSlabsSignAndVerifyAsBefore() throws {
        // RFC 8032 test 1: the seed's key pair and signature of the empty message.
        let seed = try hexBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let keys = try (0..<200).map { _ in try SigningKey(seed: seed) }
        let expected = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        for key in keys {
            #expect(key.publicKey.description == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            #expect(key.sign([]).bytes == (try hexBytes(expected)))
        }
    }

    func hexBytes(_ s: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(try #require(UInt8(s[i..<j], radix: 16)))
            i = j
        }
        return out
    }
}
