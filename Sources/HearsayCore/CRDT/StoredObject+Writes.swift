/// The writes a command makes to one key. Each builds a delta (the new entries, the dots they
/// replace, and counter baselines), joins it into this replica and returns it, so the caller
/// can ship the small delta, or the whole object, to other replicas: both merge alike.
///
/// A write supersedes what this replica holds for the key, which is what its writer has seen.
/// Dots are minted from this replica's context, so the coordinator MUST write through a
/// replica's copy of the object (never a stale or empty copy of a key it wrote before),
/// otherwise it could reuse a dot. The rules are in the comment on `StoredObject`.
extension StoredObject {
    /// How SET treats expiry: none (the default), an absolute instant (EX/PX/EXAT/PXAT), or
    /// the key's current expiry (KEEPTTL).
    public enum SetExpiry: Equatable, Sendable {
        case never
        case at(WallTime)
        case keep
    }

    /// Dots to drop and the baselines recorded for dropped counter entries.
    struct Removal {
        var dots: [Dot] = []
        var baselines: [CounterBaseline] = []

        mutating func drop(_ stamp: WriteStamp) { dots.append(stamp.dot) }

        mutating func drop(_ entry: CounterEntry) {
            dots.append(entry.stamp.dot)
            CounterBaseline.insert(CounterBaseline(removing: entry), into: &baselines)
        }
    }

    /// The seen entries a write of `kind` removes: those of other kinds, and expired ones of
    /// its own kind. With `kind` nil (SET, DEL, EXPIRE), every seen entry.
    func removal(seen: CausalContext, now: WallTime, keeping kind: Kind?) -> Removal {
        var removal = Removal()
        func drops(_ entryKind: Kind, _ stamp: WriteStamp) -> Bool {
            seen.contains(stamp.dot) && (entryKind != kind || !stamp.isLive(at: now))
        }
        for sibling in register where drops(.string, sibling.stamp) { removal.drop(sibling.stamp) }
        let rest = collections
        for entry in rest.counter where drops(.counter, entry.stamp) { removal.drop(entry) }
        for member in rest.members where drops(.set, member.stamp) { removal.drop(member.stamp) }
        for field in rest.fields where drops(.hash, field.stamp) { removal.drop(field.stamp) }
        return removal
    }

    /// `count` fresh dots for `node`, after everything in this replica and in `seen`.
    func mint(_ count: Int, for node: NodeID, seen: CausalContext) -> [Dot] {
        let first = (seen == context ? context : context.merged(seen)).nextDot(for: node)
        return (0..<count).map { Dot(node: node, counter: first.counter + UInt64($0)) }
    }

    /// Joins a delta into this replica and hands it back.
    mutating func absorb(_ delta: StoredObject) -> StoredObject {
        merge(delta)
        return delta
    }

    // MARK: strings and keys

    /// SET: replaces every write seen (`observed`, default all this replica holds), of any type.
    @discardableResult
    public mutating func set(
        _ value: [UInt8], expiry: SetExpiry = .never, observed: CausalContext? = nil,
        by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) -> StoredObject {
        let seen = observed ?? context
        let removal = removal(seen: seen, now: now, keeping: nil)
        let expiresAt: WallTime? =
            switch expiry {
            case .never: nil
            case .at(let instant): instant
            case .keep: self.expiry(at: now)
            }
        let dot = mint(1, for: node, seen: seen)[0]
        var deltaContext = seen
        deltaContext.insert(dot)
        let stamp = WriteStamp(dot: dot, timestamp: timestamp, expiresAt: expiresAt)
        let sibling = RegisterSibling(stamp: stamp, value: value)
        var rest = Collections()
        rest.baselines = removal.baselines
        return absorb(StoredObject(context: deltaContext, register: [sibling], collections: rest))
    }

    /// DEL: removes every write seen (`observed`, default all this replica holds). Mints no dot.
    @discardableResult
    public mutating func delete(observed: CausalContext? = nil, now: WallTime) -> StoredObject {
        let seen = observed ?? context
        var rest = Collections()
        rest.baselines = removal(seen: seen, now: now, keeping: nil).baselines
        return absorb(StoredObject(context: seen, register: [], collections: rest))
    }

    /// EXPIRE/PEXPIRE/EXPIREAT (an instant) or PERSIST (nil): rewrites every live entry of the
    /// visible type with a new dot carrying the new expiry; rewritten entries keep their
    /// timestamps (their order), a counter is folded into one entry of the writer. Returns
    /// nil, changing nothing, when the key is absent.
    @discardableResult
    public mutating func expire(
        at expiresAt: WallTime?, by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) -> StoredObject? {
        guard let kind = kind(at: now) else { return nil }
        let removal = removal(seen: context, now: now, keeping: nil)
        let expiry = expiresAt?.nanoseconds ?? WriteStamp.neverExpires
        func restamp(_ stamp: WriteStamp, _ dot: Dot) -> WriteStamp {
            var copy = stamp
            copy.dot = dot
            copy.expiryNanoseconds = expiry
            return copy
        }
        var register: [RegisterSibling] = []
        var rest = Collections()
        rest.baselines = removal.baselines
        var newDots: [Dot] = []
        switch kind {
        case .string:
            let live = siblings(at: now).sorted { $1.stamp.winsOver($0.stamp) }
            newDots = mint(live.count, for: node, seen: context)
            register = zip(live, newDots).map { RegisterSibling(stamp: restamp($0.stamp, $1), value: $0.value) }
        case .counter:
            let value = PNCounter.value(counterEntries, counterBaselines, at: now)
            newDots = mint(1, for: node, seen: context)
            let stamp = WriteStamp(dot: newDots[0], timestamp: timestamp, expiresAt: expiresAt)
            rest.counter = [
                CounterEntry(stamp: stamp, origin: newDots[0].counter, net: value.integer, floatNet: value.floating)
            ]
        case .set:
            let live = setMembers.filter { $0.stamp.isLive(at: now) }.sorted { $1.stamp.winsOver($0.stamp) }
            newDots = mint(live.count, for: node, seen: context)
            rest.members = zip(live, newDots).map { SetMember(element: $0.element, stamp: restamp($0.stamp, $1)) }
            rest.members.sort { DotStore.compare($0, $1) < 0 }
        case .hash:
            let live = hashFields.filter { $0.stamp.isLive(at: now) }.sorted { $1.stamp.winsOver($0.stamp) }
            newDots = mint(live.count, for: node, seen: context)
            rest.fields = zip(live, newDots).map {
                HashField(field: $0.field, stamp: restamp($0.stamp, $1), value: $0.value)
            }
            rest.fields.sort { DotStore.compare($0, $1) < 0 }
        }
        var deltaContext = context
        for dot in newDots { deltaContext.insert(dot) }
        return absorb(StoredObject(context: deltaContext, register: register, collections: rest))
    }
}
