/// How a session fills its turn from its queued work, in order: children to compare, key
/// lists, pulls, then objects, each until `ExchangeSettings`' bounds. What does not fit stays
/// queued and the turn says `hasMore`.
extension ExchangeSession {
    /// Room for bookkeeping the running count does not track exactly (section counts).
    static let slackBytes = 16

    mutating func fill<S: AntiEntropyStore>(_ reply: inout ExchangeMessage, store: S) {
        var used = reply.encodedByteCount + ExchangeSession.slackBytes
        fillChildren(&reply, used: &used, store: store)
        fillKeyLists(&reply, used: &used, store: store)
        while let f = work.pulls.last, used + 4 <= settings.maxMessageBytes {
            reply.pulls.append(f)
            work.pulls.removeLast()
            used += 4
        }
        fillPushes(&reply, used: &used, store: store)
        fillPushNodes(&reply, used: &used, store: store)
    }

    mutating func fillChildren<S: AntiEntropyStore>(_ reply: inout ExchangeMessage, used: inout Int, store: S) {
        guard !work.descents.isEmpty else { return }
        let take = Array(work.descents.prefix(settings.maxNodesPerMessage))
        var sent = 0
        for section in children(of: take, store: store) {
            let size = ExchangeMessage.size(of: section)
            guard used + size <= settings.maxMessageBytes else { break }
            reply.nodes.append(section)
            used += size
            sent += 1
        }
        work.descents.removeFirst(sent)
    }

    mutating func fillKeyLists<S: AntiEntropyStore>(_ reply: inout ExchangeMessage, used: inout Int, store: S) {
        guard !work.keyLists.isEmpty else { return }
        let take = Array(work.keyLists.prefix(max(1, settings.maxNodesPerMessage - reply.nodes.count)))
        var slot: [NodeRef: Int] = [:]
        for (i, node) in take.enumerated() { slot[node] = i }
        let depths = Set(take.map(\.depth)).sorted()
        var lists = take.map { ExchangeMessage.KeyList(node: $0, fingerprints: []) }
        scan(store) { box, path in
            for d in depths {
                guard let i = slot[NodeRef(depth: d, index: TreePath.index(of: path, depth: d))] else { continue }
                lists[i].fingerprints.append(fingerprint(EntryDigest.digest(box), salt: salt))
            }
        }
        var sent = 0
        for var list in lists {
            var size = ExchangeMessage.size(of: list)
            if used + size > settings.maxMessageBytes && reply.nodes.isEmpty && reply.keyLists.isEmpty {
                // A list larger than a whole message (only past maxDepth, from hash collisions):
                // send what fits; the peer then pushes the rest of its keys, and what we hold
                // beyond the cut waits for another session.
                let room = max(0, (settings.maxMessageBytes - used - 16) / 4)
                stats.deferredDropped += list.fingerprints.count - room
                list.fingerprints.removeLast(list.fingerprints.count - room)
                size = ExchangeMessage.size(of: list)
            }
            guard used + size <= settings.maxMessageBytes else { break }
            reply.keyLists.append(list)
            used += size
            sent += 1
        }
        work.keyLists.removeFirst(sent)
    }

    /// Adds an object if it fits; one too large for any message goes alone, or is dropped
    /// when even a frame cannot carry it. Returns false when the turn is full.
    mutating func add<S: AntiEntropyStore>(
        _ box: EntryBox, from store: S, to reply: inout ExchangeMessage, used: inout Int
    ) -> Bool {
        guard reply.objects.count < settings.maxObjectsPerMessage else { return false }
        let copy = ExchangeMessage.ObjectCopy(
            key: box.keyBytes, encodedObject: CompactObject.materialize(box).encoded,
            settled: store.isSettledTombstone(box, now: turnTime), marker: box.header.isEvictionMarker)
        let size = ExchangeMessage.size(of: copy)
        if size + 64 > FrameDecoder.defaultMaximumPayloadBytes {
            stats.deferredDropped += 1
            return true
        }
        let alone = reply.nodes.isEmpty && reply.keyLists.isEmpty && reply.pulls.isEmpty && reply.objects.isEmpty
        guard used + size <= settings.maxMessageBytes || alone else { return false }
        reply.objects.append(copy)
        used += size
        return true
    }

    mutating func fillPushes<S: AntiEntropyStore>(_ reply: inout ExchangeMessage, used: inout Int, store: S) {
        guard !work.pushes.isEmpty, reply.objects.count < settings.maxObjectsPerMessage else { return }
        let take = Array(work.pushes.prefix(settings.maxObjectsPerMessage - reply.objects.count))
        let wanted = Set(take)
        var boxes: [UInt64: EntryBox] = [:]
        store.forEachEntry(inPartition: partition) { box in
            if wanted.contains(box.hash) { boxes[box.hash] = box }
        }
        var done = 0
        for hash in take {
            // A key gone since it was queued (purged) has nothing left to send.
            if let box = boxes[hash] { guard add(box, from: store, to: &reply, used: &used) else { break } }
            done += 1
        }
        work.pushes.removeFirst(done)
    }

    mutating func fillPushNodes<S: AntiEntropyStore>(_ reply: inout ExchangeMessage, used: inout Int, store: S) {
        while let (node, after) = work.pushNodes.first, reply.objects.count < settings.maxObjectsPerMessage {
            var entries: [(path: UInt64, box: EntryBox)] = []
            scan(store) { box, path in
                guard TreePath.index(of: path, depth: node.depth) == node.index else { return }
                if let after, path <= after { return }
                entries.append((path, box))
            }
            entries.sort { $0.path < $1.path }
            var last = after
            var full = false
            for entry in entries {
                guard add(entry.box, from: store, to: &reply, used: &used) else {
                    full = true
                    break
                }
                last = entry.path
            }
            if full {
                work.pushNodes[0].after = last
                return
            }
            work.pushNodes.removeFirst()
        }
    }
}
