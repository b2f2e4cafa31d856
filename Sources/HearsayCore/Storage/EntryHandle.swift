/// An element of a partition's hash set: a stored entry, or a probe that borrows
/// the request's key bytes so that a look-up allocates nothing.
///
/// Equality compares key bytes with memcmp; hashing feeds the precomputed
/// StableHash, so the table never walks the key byte by byte.
@usableFromInline
enum EntryHandle: Hashable {
    case stored(EntryBox)
    case probe(UnsafeRawBufferPointer, UInt64)

    @inlinable var hashCode: UInt64 {
        switch self {
        case .stored(let box): return box.hash
        case .probe(_, let hash): return hash
        }
    }

    @inlinable func hash(into hasher: inout Hasher) { hasher.combine(hashCode) }

    @inlinable
    static func == (a: EntryHandle, b: EntryHandle) -> Bool {
        guard a.hashCode == b.hashCode else { return false }
        return a.withKey { ka in b.withKey { kb in EntryHandle.bytesEqual(ka, kb) } }
    }

    @inlinable
    func withKey<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch self {
        case .stored(let box): return box.withKey(body)
        case .probe(let bytes, _): return body(bytes)
        }
    }

    @inlinable
    static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmpBytes(pa, pb, a.count)
    }

    @inlinable
    static func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
