internal import CSodium
import FoundationEssentials
import V2GKit

/// Guarded, locked memory for many 64-byte secret keys.
///
/// `sodium_malloc` gives every allocation its own guard pages, canary and `mlock`: two resident pages and four
/// kernel mappings per key. An EV gateway holding 10,000 vehicle keys took 100 MiB that way, and past about
/// 16,000 keys it would exceed the kernel's map count (`vm.max_map_count`, 65,530) and fail. Keys are carved
/// instead from slabs of 63 slots, each slab one `sodium_malloc` region (guarded and locked as a whole); a slot
/// is wiped when it is freed, and an empty slab is returned (the last one is kept for the next key).
final class SecretSlabs: @unchecked Sendable {  // every slab's free list under `lock`
    static let shared = SecretSlabs()
    static let slotBytes = 64
    /// A page less libsodium's 16-byte canary: one resident page per slab.
    static let slabBytes = 4096 - 16
    static let slotsPerSlab = slabBytes / slotBytes

    /// One `sodium_malloc` region and its free slots.
    final class Slab: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        var free: [Int]

        init?() {
            // libsodium learns the page size in sodium_init: sodium_malloc before it would misplace the guards.
            guard (try? Sodium.ready()) != nil, let base = sodium_malloc(SecretSlabs.slabBytes) else { return nil }
            self.base = base
            free = Array((0..<SecretSlabs.slotsPerSlab).reversed())
        }

        deinit { sodium_free(base) }

        func pointer(_ slot: Int) -> UnsafeMutableRawPointer { base + slot * SecretSlabs.slotBytes }
    }

    /// A slot: where one key's 64 bytes live.
    struct Slot: @unchecked Sendable {
        let slab: Slab
        let index: Int
        var pointer: UnsafeMutableRawPointer { slab.pointer(index) }
    }

    private let lock = Lock()
    /// Slabs with a free slot; full ones are held by their keys' slots only.
    private var open: [ObjectIdentifier: Slab] = [:]
    private var slabCount = 0

    /// A zeroed slot, or nil if libsodium cannot map a slab.
    func allocate() -> Slot? {
        lock.withLock {
            let slab: Slab
            if let available = open.values.first {
                slab = available
            } else {
                guard let fresh = Slab() else { return nil }
                slab = fresh
                open[ObjectIdentifier(slab)] = slab
                slabCount += 1
            }
            let index = slab.free.removeLast()
            if slab.free.isEmpty { open[ObjectIdentifier(slab)] = nil }
            let slot = Slot(slab: slab, index: index)
            sodium_memzero(slot.pointer, Self.slotBytes)
            return slot
        }
    }

    /// Wipes `slot` and gives it back; a slab left empty is unmapped unless it is the last.
    func release(_ slot: Slot) {
        sodium_memzero(slot.pointer, Self.slotBytes)
        lock.withLock {
            slot.slab.free.append(slot.index)
            open[ObjectIdentifier(slot.slab)] = slot.slab
            if slot.slab.free.count == Self.slotsPerSlab, slabCount > 1 {
                open[ObjectIdentifier(slot.slab)] = nil
                slabCount -= 1
            }
        }
    }

    /// Slabs mapped now (for tests and measurement).
    var slabs: Int { lock.withLock { slabCount } }
}
