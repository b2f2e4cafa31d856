/// An entry of a dot store: something visible that one write (one dot) put there.
///
/// Entries are kept in arrays sorted by (key, dot), where the key is the set element or hash
/// field (registers and counters have none). Sorted arrays, not dictionaries, keep memory
/// small, make joins linear, and give every process the same iteration order.
public protocol DottedEntry: Equatable, Sendable {
    var stamp: WriteStamp { get }
    /// Orders by key only, ignoring the dot: negative, zero or positive.
    static func compareKeys(_ a: Self, _ b: Self) -> Int
    /// A strict total order on entries with the same key and dot. Honest replicas never hold
    /// two payloads under one dot; if a bug or a lost node state does, the join still picks
    /// the same one everywhere instead of diverging.
    static func payloadPrecedes(_ a: Self, _ b: Self) -> Bool
}

/// The join of dot stores (Almeida et al. 2018, section 5.2, "DotFun" and "DotMap").
public enum DotStore {
    @inlinable static func compare<E: DottedEntry>(_ a: E, _ b: E) -> Int {
        let keys = E.compareKeys(a, b)
        if keys != 0 { return keys }
        if a.stamp.dot == b.stamp.dot { return 0 }
        return a.stamp.dot < b.stamp.dot ? -1 : 1
    }

    /// Keeps an entry held by both sides, and an entry held by one side unless the other side
    /// has seen its dot (then the other side removed it). Both inputs sorted; so is the output.
    public static func join<E: DottedEntry>(
        _ a: [E], _ contextA: CausalContext, _ b: [E], _ contextB: CausalContext
    ) -> [E] {
        if b.isEmpty && a.allSatisfy({ !contextB.contains($0.stamp.dot) }) { return a }
        var out: [E] = []
        out.reserveCapacity(max(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            let order = i == a.count ? 1 : j == b.count ? -1 : compare(a[i], b[j])
            if order < 0 {
                if !contextB.contains(a[i].stamp.dot) { out.append(a[i]) }
                i += 1
            } else if order > 0 {
                if !contextA.contains(b[j].stamp.dot) { out.append(b[j]) }
                j += 1
            } else {
                out.append(a[i] == b[j] || E.payloadPrecedes(b[j], a[i]) ? a[i] : b[j])
                i += 1
                j += 1
            }
        }
        return out
    }

    /// Inserts keeping the order; an entry with the same key and dot is replaced.
    static func insert<E: DottedEntry>(_ entry: E, into entries: inout [E]) {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if compare(entries[mid], entry) < 0 { low = mid + 1 } else { high = mid }
        }
        if low < entries.count && compare(entries[low], entry) == 0 {
            entries[low] = entry
        } else {
            entries.insert(entry, at: low)
        }
    }

    /// Whether entries are strictly increasing and all dots are in `context`: the invariant of
    /// a well-formed store, checked when decoding.
    static func isWellFormed<E: DottedEntry>(_ entries: [E], in context: CausalContext) -> Bool {
        for (index, entry) in entries.enumerated() {
            if !context.contains(entry.stamp.dot) { return false }
            if index > 0 && compare(entries[index - 1], entry) >= 0 { return false }
        }
        return true
    }

    /// The live entry that wins by `WriteStamp.winsOver`, if any.
    static func winner<E: DottedEntry>(_ entries: [E], at now: WallTime) -> E? {
        var best: E?
        for entry in entries where entry.stamp.isLive(at: now) {
            if best.map({ entry.stamp.winsOver($0.stamp) }) ?? true { best = entry }
        }
        return best
    }
}

/// Lexicographic order on byte strings, for sorting elements and fields.
@inlinable func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
