/// How a session reads a received turn and fills its own. Each step walks the partition at
/// most once (a few thousand entries at a million keys over 256 partitions), so a turn costs
/// O(partition), and a session holds only its bounded work queues between turns.
extension ExchangeSession {
    typealias NodeRef = ExchangeMessage.NodeRef

    // MARK: Reading the peer's turn

    /// Compares, queues and merges what `message` carries. Returns a violation, if any.
    mutating func absorb<S: AntiEntropyStore>(_ message: ExchangeMessage, store: inout S, now: Now) -> String? {
        if let violation = compareChildren(message.nodes, store: store) { return violation }
        if let violation = compareKeyLists(message.keyLists, store: store) { return violation }
        // Pulls name states from our key list: resolve them before merging changes those states.
        resolvePulls(message.pulls, store: store)
        for copy in message.objects {
            guard let object = try? StoredObject(decoding: copy.encodedObject) else { return "undecodable object" }
            let hash = KeyHash.hash(copy.key)
            guard store.leaf(ofHash: hash) >> tree.leafBits == partition else { return "key outside the partition" }
            if copy.settled && !store.holds(key: copy.key) {
                stats.settledSkipped += 1
                continue
            }
            store.mergeFromReplica(key: copy.key, object: object, marker: copy.marker, now: now)
            stats.objectsMerged += 1
        }
        return nil
    }

    func isNodeDepth(_ depth: Int) -> Bool {
        depth <= tree.leafBits
            ? MerkleTree.storedDepths(leafBits: tree.leafBits).contains(depth)
            : (depth - tree.leafBits) % MerkleTree.bitsPerLevel == 0 && depth <= settings.maxDepth
    }

    mutating func compareChildren<S: AntiEntropyStore>(_ sections: [ExchangeMessage.Children], store: S) -> String? {
        guard !sections.isEmpty else { return nil }
        for s in sections {
            guard isNodeDepth(s.parent.depth), s.childDepth == tree.childDepth(of: s.parent.depth),
                s.counts.isEmpty == (s.childDepth < tree.leafBits),
                s.fingerprints.count == 1 << (s.childDepth - s.parent.depth),
                s.counts.isEmpty || s.counts.count == s.fingerprints.count
            else { return "children of \(s.parent) at depth \(s.childDepth)" }
        }
        let mine = children(of: sections.map(\.parent), store: store)
        for (theirs, ours) in zip(sections, mine) {
            for k in theirs.fingerprints.indices where theirs.fingerprints[k] != ours.fingerprints[k] {
                let step = UInt64(theirs.childDepth - theirs.parent.depth)
                let child = NodeRef(depth: theirs.childDepth, index: theirs.parent.index << step | UInt64(k))
                decide(
                    child, ours: ours.counts.isEmpty ? nil : Int(ours.counts[k]),
                    theirs: theirs.counts.isEmpty ? nil : Int(theirs.counts[k]))
            }
        }
        return nil
    }

    /// What to do about a child that differs: descend, list its keys, or push all of it.
    mutating func decide(_ child: NodeRef, ours: Int?, theirs: Int?) {
        guard let ours, let theirs else { return enqueue(descent: child) }
        guard work.count < settings.maxPendingItems else {
            stats.deferredDropped += 1
            return
        }
        if theirs == 0 {
            work.pushNodes.append((child, nil))
        } else if ours == 0 || max(ours, theirs) <= settings.keyListThreshold
            || tree.childDepth(of: child.depth) > settings.maxDepth
        {
            work.keyLists.append(child)
        } else {
            work.descents.append(child)
        }
    }

    mutating func compareKeyLists<S: AntiEntropyStore>(_ lists: [ExchangeMessage.KeyList], store: S) -> String? {
        guard !lists.isEmpty else { return nil }
        var slot: [NodeRef: Int] = [:]
        for (i, list) in lists.enumerated() {
            guard isNodeDepth(list.node.depth), list.node.depth >= tree.leafBits else {
                return "key list at \(list.node)"
            }
            if list.fingerprints.isEmpty {
                // The peer holds nothing there: push the whole node by cursor, not key by key,
                // so a fresh replica's partition never needs a queue entry per key.
                guard work.count < settings.maxPendingItems else {
                    stats.deferredDropped += 1
                    continue
                }
                work.pushNodes.append((list.node, nil))
            } else {
                slot[list.node] = i
            }
        }
        guard !slot.isEmpty else { return nil }
        let depths = Set(lists.map(\.node.depth)).sorted()
        let theirs = lists.map { Set($0.fingerprints) }
        var ours = Array(repeating: Set<UInt32>(), count: lists.count)
        var pushes: [UInt64] = []
        scan(store) { box, path in
            for d in depths {
                guard let i = slot[NodeRef(depth: d, index: TreePath.index(of: path, depth: d))] else { continue }
                let f = fingerprint(EntryDigest.digest(box), salt: salt)
                ours[i].insert(f)
                if !theirs[i].contains(f) { pushes.append(box.hash) }
            }
        }
        for hash in pushes { enqueue(push: hash) }
        for (i, list) in lists.enumerated() {
            for f in list.fingerprints where !ours[i].contains(f) { enqueue(pull: f) }
        }
        return nil
    }

    mutating func resolvePulls<S: AntiEntropyStore>(_ pulls: [UInt32], store: S) {
        guard !pulls.isEmpty else { return }
        let wanted = Set(pulls)
        var found: [UInt64] = []
        store.forEachEntry(inPartition: partition) { box in
            if wanted.contains(fingerprint(EntryDigest.digest(box), salt: salt)) { found.append(box.hash) }
        }
        for hash in found { enqueue(push: hash) }
    }

    mutating func enqueue(push hash: UInt64) {
        guard work.count < settings.maxPendingItems else {
            stats.deferredDropped += 1
            return
        }
        work.pushes.append(hash)
    }

    mutating func enqueue(pull f: UInt32) {
        guard work.count < settings.maxPendingItems else {
            stats.deferredDropped += 1
            return
        }
        work.pulls.append(f)
    }

    // MARK: Our own view of the tree

    /// Calls `body` with every entry of the partition and its tree path.
    func scan<S: AntiEntropyStore>(_ store: S, _ body: (EntryBox, UInt64) -> Void) {
        let tree = self.tree
        store.forEachEntry(inPartition: partition) { box in
            body(box, tree.path(keyHash: box.hash, leaf: store.leaf(ofHash: box.hash)))
        }
    }

    /// Our fingerprints of the children of each parent, with key counts from the leaves down.
    func children<S: AntiEntropyStore>(of parents: [NodeRef], store: S) -> [ExchangeMessage.Children] {
        var result = parents.map { parent -> ExchangeMessage.Children in
            let childDepth = tree.childDepth(of: parent.depth)
            let n = 1 << (childDepth - parent.depth)
            return ExchangeMessage.Children(
                parent: parent, childDepth: childDepth,
                fingerprints: Array(repeating: 0, count: n),
                counts: childDepth < tree.leafBits ? [] : Array(repeating: 0, count: n))
        }
        var stored: MerkleTree?
        var slot: [NodeRef: Int] = [:]
        var sums: [[UInt64]] = Array(repeating: [], count: parents.count)
        for (i, section) in result.enumerated() {
            let step = UInt64(section.childDepth - section.parent.depth)
            if section.childDepth < tree.leafBits {
                if stored == nil { stored = MerkleTree(leaves: store.leaves(ofPartition: partition)) }
                for k in section.fingerprints.indices {
                    let digest = stored!.digest(depth: section.childDepth, index: Int(section.parent.index << step) + k)
                    result[i].fingerprints[k] = fingerprint(digest, salt: salt)
                }
            } else {
                slot[section.parent] = i
                sums[i] = Array(repeating: 0, count: section.fingerprints.count)
            }
        }
        guard !slot.isEmpty else { return result }
        let depths = Set(slot.keys.map(\.depth)).sorted()
        scan(store) { box, path in
            for d in depths {
                guard let i = slot[NodeRef(depth: d, index: TreePath.index(of: path, depth: d))] else { continue }
                let c = result[i].childDepth
                let k = Int(TreePath.index(of: path, depth: c) & UInt64(sums[i].count - 1))
                sums[i][k] &+= EntryDigest.digest(box)
                result[i].counts[k] &+= 1
            }
        }
        for (_, i) in slot {
            for k in sums[i].indices { result[i].fingerprints[k] = fingerprint(sums[i][k], salt: salt) }
        }
        return result
    }
}
