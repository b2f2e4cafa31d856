import RESP

/// HS.DIGEST partition KEYS [leaf]: every key this node holds in a partition (or in one of
/// its Merkle leaves), tombstones included, each as
///
///     [key, digest, type, siblings, version]
///
/// where `digest` is the key's causal digest in 16 hex digits (the leaf digest is the
/// wrapping sum of its keys' digests, so two replicas' lists show exactly which keys
/// differ), `type` one of string, counter, set, hash, tombstone, expired, `siblings` the
/// live values (see `EntrySummary`), and `version` the causal context as text. At most
/// `maxDigestKeys` entries, the first in table order; the inspector asks per leaf.
extension Node {
    static let maxDigestKeys = 10_000

    mutating func digestKeys(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let p = a.int64(1), p >= 0, p < Int64(store.keyspace.partitionCount) else {
            return r.error("ERR partition out of range")
        }
        guard a.matches(2, "KEYS"), a.count <= 4 else { return r.error(ErrorText.syntax) }
        let leaves = store.keyspace.leavesPerPartition
        var leaf: Int? = nil
        if a.count == 4 {
            guard let l = a.int64(3), l >= 0, l < Int64(leaves) else { return r.error("ERR leaf out of range") }
            leaf = Int(l)
        }
        var found: [EntryBox] = []
        store.keyspace.forEachEntry(inPartition: Int(p)) { box in
            guard found.count < Node.maxDigestKeys else { return }
            if let leaf, store.keyspace.leaf(ofHash: box.hash) & (leaves - 1) != leaf { return }
            found.append(box)
        }
        r.arrayHeader(found.count)
        for box in found {
            r.arrayHeader(5)
            box.withKey { r.bulk($0) }
            r.bulk(Node.hex(EntryDigest.digest(box)))
            r.simple(EntrySummary.typeName(box, now))
            r.integer(EntrySummary.siblings(box, now))
            r.bulk(EntrySummary.version(box))
        }
    }
}
