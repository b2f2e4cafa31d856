/// How a stored key holds its versioned value.
///
/// Most keys are in a compact state: one write, whose dot is the only entry of the causal
/// context, so the whole `StoredObject` fits in the header (writer, counter, timestamp,
/// expiry) and the value bytes in the tail. Anything else (siblings, several writers,
/// sets, hashes) is `extended`: the full object lives in a side box. A compact entry and
/// its materialised object are the same state; `CompactObject` converts between them.
public enum EntryState: UInt8, Sendable {
    /// A string register with one sibling; the tail holds the value.
    case string
    /// A PN-counter with one entry of one writer; the tail holds origin and net (16 bytes).
    case counter
    /// No surviving write; the context remembers what was deleted or expired.
    case tombstone
    /// The full object, in `extended`.
    case extended
}

/// The header of one stored key: what the store needs besides the bytes.
public struct EntryHeader {
    /// StableHash of the key, kept so that rehashing and partitioning never re-read the key.
    public var hash: UInt64
    /// The key's visible expiry in Unix milliseconds; 0 means it does not expire.
    public var expiresAtMilliseconds: Int64
    /// Compact states: the dot (writer, counter) of the single write, and its timestamp.
    public var writer: UInt64
    public var counter: UInt64
    public var timestamp: HybridTimestamp
    /// The full object when `state == .extended`.
    public var extended: ExtendedObject?
    public var keyCount: Int32
    public var valueCount: Int32
    public var state: EntryState
    /// False once the entry has left the store (the expiry heap may still hold it).
    public var isLive: Bool
    /// A tombstone left by an eviction rather than a delete: purged after the eviction
    /// marker's short grace, not the tombstone's (see `Keyspace+Tombstones`).
    public var isEvictionMarker: Bool
    /// Recency or frequency for eviction, in 24 bits as Redis keeps them (`AccessClock`).
    /// It sits in what was the struct's tail padding: the header stays 64 bytes.
    public var access: UInt32
}

/// The side box of an extended entry.
public final class ExtendedObject {
    public var object: StoredObject
    public init(_ object: StoredObject) { self.object = object }
}

/// One key and its value in a single allocation: header, then key bytes, then value
/// bytes. One allocation per key instead of three is what keeps memory per key near
/// Redis's (see README, "Memory").
public final class EntryBox: ManagedBuffer<EntryHeader, UInt8> {
    /// Makes a box able to hold `key` and a value of up to `valueCapacity` bytes.
    public static func make(
        key: UnsafeRawBufferPointer, hash: UInt64, valueCapacity: Int, access: UInt32 = 0
    ) -> EntryBox {
        let box = EntryBox.create(minimumCapacity: key.count + valueCapacity) { _ in
            EntryHeader(
                hash: hash, expiresAtMilliseconds: 0, writer: 0, counter: 0, timestamp: .zero,
                extended: nil, keyCount: Int32(key.count), valueCount: 0, state: .tombstone, isLive: true,
                isEvictionMarker: false, access: access)
        }
        let entry = unsafeDowncast(box, to: EntryBox.self)
        entry.withUnsafeMutablePointerToElements { elements in
            if let source = key.baseAddress, key.count > 0 {
                UnsafeMutableRawPointer(elements).copyMemory(from: source, byteCount: key.count)
            }
        }
        return entry
    }

    @inlinable public var hash: UInt64 { header.hash }
    @inlinable public var keyCount: Int { Int(header.keyCount) }
    @inlinable public var valueCount: Int { Int(header.valueCount) }
    @inlinable public var valueCapacity: Int { capacity - keyCount }
    @inlinable public var state: EntryState { header.state }

    @inlinable
    public func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeMutablePointerToElements { try body(UnsafeRawBufferPointer(start: $0, count: keyCount)) }
    }

    public var keyBytes: [UInt8] { withKey { Array($0) } }

    @inlinable
    public func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeMutablePointerToElements {
            try body(UnsafeRawBufferPointer(start: $0 + keyCount, count: valueCount))
        }
    }

    /// Overwrites the value; the caller guarantees `value.count <= valueCapacity`.
    @inlinable
    public func storeValue(_ value: UnsafeRawBufferPointer) {
        precondition(value.count <= valueCapacity, "value \(value.count) > capacity \(valueCapacity)")
        withUnsafeMutablePointerToElements { elements in
            if let source = value.baseAddress, value.count > 0 {
                UnsafeMutableRawPointer(elements + keyCount).copyMemory(from: source, byteCount: value.count)
            }
        }
        header.valueCount = Int32(value.count)
    }

    /// The compact counter's chain origin and net, stored in the tail.
    @inlinable public var counterOrigin: UInt64 {
        withUnsafeMutablePointerToElements { UnsafeRawPointer($0 + keyCount).loadUnaligned(as: UInt64.self) }
    }

    @inlinable public var counterNet: Int64 {
        withUnsafeMutablePointerToElements {
            UnsafeRawPointer($0 + keyCount).loadUnaligned(fromByteOffset: 8, as: Int64.self)
        }
    }

    /// Stores a compact counter's origin and net; the caller guarantees 16 bytes of capacity.
    @inlinable
    public func storeCounter(origin: UInt64, net: Int64) {
        precondition(valueCapacity >= 16, "counter needs 16 bytes")
        withUnsafeMutablePointerToElements { elements in
            let p = UnsafeMutableRawPointer(elements + keyCount)
            p.storeBytes(of: origin, as: UInt64.self)
            p.storeBytes(of: net, toByteOffset: 8, as: Int64.self)
        }
        header.valueCount = 16
    }

    /// Bytes this entry costs in memory: its allocation (object header, EntryHeader, key and
    /// value) as the C allocator rounds it, and an extended object's estimate.
    ///
    /// It counts the bytes in use, not `capacity`: the allocator's usable size depends on the
    /// heap's history, and eviction, which follows these bytes, must do the same thing on
    /// every run of a seed (an entry keeps at most `Keyspace.slackBytesKept` unused).
    @inlinable public var footprint: Int {
        EntryBox.allocationSize(16 + MemoryLayout<EntryHeader>.stride + Int(header.keyCount) + Int(header.valueCount))
            + (header.extended.map { 16 + $0.object.approximateByteSize } ?? 0)
    }

    /// What glibc's malloc takes for a request of `bytes`: an 8-byte size word, rounded up to
    /// 16, at least 32.
    @inlinable static func allocationSize(_ bytes: Int) -> Int { max(32, (bytes + 8 + 15) & ~15) }
}
