import RESP

/// HS.SIBLINGKEYS [count]: up to `count` keys (default 100, 1 to 10,000) whose string
/// register holds more than one live value on this node, in table order (partition by
/// partition), each as [key, siblings]. A pass over this node's entries until enough are found.
extension Node {
    static let maxSiblingKeys = 10_000

    mutating func siblingKeysCommand(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard a.count <= 2 else { return r.error(ErrorText.syntax) }
        var limit = 100
        if a.count == 2 {
            guard let n = a.int64(1), n >= 1, n <= Int64(Node.maxSiblingKeys) else {
                return r.error("ERR count must be 1 to \(Node.maxSiblingKeys)")
            }
            limit = Int(n)
        }
        var found: [(EntryBox, Int)] = []
        for p in 0..<store.keyspace.partitionCount where found.count < limit {
            store.keyspace.forEachEntry(inPartition: p) { box in
                guard found.count < limit, box.header.state == .extended else { return }
                let siblings = EntrySummary.siblings(box, now)
                if siblings > 1 { found.append((box, siblings)) }
            }
        }
        r.arrayHeader(found.count)
        for (box, siblings) in found {
            r.arrayHeader(2)
            box.withKey { r.bulk($0) }
            r.integer(siblings)
        }
    }
}
