import Testing

@testable import HearsayCore

// The documented rules of StoredObject, each on a small hand-written scenario: two replicas
// start from the same state, act concurrently, then exchange states.

private let nodeA = NodeID(0xA)
private let nodeB = NodeID(0xB)
private let t0 = WallTime(milliseconds: 1_700_000_000_000)
private func ts(_ ms: Int64, _ logical: UInt16 = 0) -> HybridTimestamp {
    HybridTimestamp(physicalMilliseconds: t0.milliseconds + ms, logical: logical)
}
private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Test func set_concurrentSetsOnTwoNodes_keepTwoSiblingsAndEveryReplicaPicksTheSameWinner() {
    var a = StoredObject()
    var b = StoredObject()
    a.set(bytes("from-a"), by: nodeA, at: ts(10), now: t0)
    b.set(bytes("from-b"), by: nodeB, at: ts(10), now: t0)
    let ab = a.merged(b)
    let ba = b.merged(a)
    #expect(ab.siblings(at: t0).count == 2)
    #expect(ab == ba)
    // Same timestamp: the higher node id wins, on both replicas.
    #expect(ab.winner(at: t0)?.value == bytes("from-b"))
    #expect(ba.value(at: t0) == .string(bytes("from-b")))
}

@Test func set_laterTimestampAmongSiblings_winsRegardlessOfNodeId() {
    var a = StoredObject()
    var b = StoredObject()
    a.set(bytes("later"), by: nodeA, at: ts(20), now: t0)
    b.set(bytes("earlier"), by: nodeB, at: ts(10), now: t0)
    #expect(a.merged(b).value(at: t0) == .string(bytes("later")))
}

@Test func set_afterSeeingBothSiblings_collapsesThemIntoOne() {
    var a = StoredObject()
    var b = StoredObject()
    a.set(bytes("x"), by: nodeA, at: ts(10), now: t0)
    b.set(bytes("y"), by: nodeB, at: ts(11), now: t0)
    a.merge(b)
    a.set(bytes("z"), by: nodeA, at: ts(12), now: t0)
    b.merge(a)
    #expect(b.siblings(at: t0).map(\.value) == [bytes("z")])
}

@Test func incrBy_concurrentFiveAndSevenOnTwoNodes_countsTwelve() throws {
    var a = StoredObject()
    try a.increment(by: 100, by: nodeA, at: ts(1), now: t0)
    var b = a
    try a.increment(by: 5, by: nodeA, at: ts(10), now: t0)
    try b.increment(by: 7, by: nodeB, at: ts(10), now: t0)
    #expect(a.merged(b).value(at: t0) == .counter(CounterValue(integer: 112, isSaturated: false, floating: 0)))
    #expect(b.merged(a) == a.merged(b))
}

@Test func incr_onStringHoldingAnInteger_parsesItAndBecomesACounter() throws {
    var a = StoredObject()
    a.set(bytes("41"), by: nodeA, at: ts(1), now: t0)
    try a.increment(by: 1, by: nodeA, at: ts(2), now: t0)
    #expect(a.value(at: t0) == .counter(CounterValue(integer: 42, isSaturated: false, floating: 0)))
    #expect(a.register.isEmpty)
    var text = StoredObject()
    text.set(bytes("hello"), by: nodeA, at: ts(1), now: t0)
    #expect(throws: CounterError.notAnInteger) { try text.increment(by: 1, by: nodeA, at: ts(2), now: t0) }
}

@Test func incrBy_pastInt64Max_isRefusedAndChangesNothing() throws {
    var a = StoredObject()
    try a.increment(by: .max, by: nodeA, at: ts(1), now: t0)
    let before = a
    #expect(throws: CounterError.overflow) { try a.increment(by: 1, by: nodeA, at: ts(2), now: t0) }
    #expect(a == before)
}

@Test func incrBy_concurrentIncrementsOverflowingInt64_clampAndStayAJoin() throws {
    var a = StoredObject()
    var b = StoredObject()
    try a.increment(by: .max, by: nodeA, at: ts(1), now: t0)
    try b.increment(by: .max, by: nodeB, at: ts(1), now: t0)
    guard case .counter(let value)? = a.merged(b).value(at: t0) else {
        Issue.record("expected a counter")
        return
    }
    #expect(value.integer == .max && value.isSaturated)
    #expect(value.integerValue == nil)
}

@Test func incrByFloat_concurrentOnTwoNodes_bothCountAndEveryReplicaAgrees() throws {
    var a = StoredObject()
    try a.increment(by: 10, by: nodeA, at: ts(1), now: t0)
    var b = a
    try a.increment(byFloat: 0.5, by: nodeA, at: ts(2), now: t0)
    try b.increment(byFloat: 0.25, by: nodeB, at: ts(2), now: t0)
    guard case .counter(let value)? = a.merged(b).value(at: t0) else {
        Issue.record("expected a counter")
        return
    }
    #expect(value.asDouble == 10.75)
    #expect(value.description == "10.75")
    #expect(throws: CounterError.notAnInteger) {
        var c = a.merged(b)
        try c.increment(by: 1, by: nodeA, at: ts(3), now: t0)
    }
}

@Test func sadd_concurrentWithSremOfSameElement_keepsTheElement() throws {
    var a = StoredObject()
    try a.addMembers([bytes("x")], by: nodeA, at: ts(1), now: t0)
    var b = a
    try a.addMembers([bytes("x")], by: nodeA, at: ts(2), now: t0)
    try b.removeMembers([bytes("x")], now: t0)
    #expect(a.merged(b).value(at: t0) == .set([bytes("x")]))
}

@Test func srem_afterSeeingTheSadd_removesTheElement() throws {
    var a = StoredObject()
    try a.addMembers([bytes("x"), bytes("y")], by: nodeA, at: ts(1), now: t0)
    var b = a
    try b.removeMembers([bytes("x")], now: t0)
    a.merge(b)
    #expect(a.value(at: t0) == .set([bytes("y")]))
    // Removing the last element leaves a tombstone, not an empty set.
    try a.removeMembers([bytes("y")], now: t0)
    #expect(a.value(at: t0) == nil && a.isTombstone)
}

@Test func hset_concurrentWritesOfOneField_areSiblingsAndHdelConcurrentWithHsetKeepsTheField() throws {
    var a = StoredObject()
    try a.setFields([(bytes("f"), bytes("1"))], by: nodeA, at: ts(1), now: t0)
    var b = a
    try a.setFields([(bytes("f"), bytes("2"))], by: nodeA, at: ts(2), now: t0)
    try b.setFields([(bytes("f"), bytes("3"))], by: nodeB, at: ts(3), now: t0)
    let merged = a.merged(b)
    #expect(merged.hashFields.count == 2)
    #expect(merged.value(at: t0) == .hash([merged.hashFields.first { $0.value == bytes("3") }!]))
    var c = merged
    var d = merged
    try c.removeFields([bytes("f")], now: t0)
    try d.setFields([(bytes("f"), bytes("4"))], by: nodeB, at: ts(4), now: t0)
    guard case .hash(let fields)? = c.merged(d).value(at: t0) else {
        Issue.record("expected a hash")
        return
    }
    #expect(fields.map(\.value) == [bytes("4")])
}

@Test func del_concurrentWithSet_theSetSurvivesAndTheDeletedValueDoesNot() {
    var a = StoredObject()
    a.set(bytes("old"), by: nodeA, at: ts(1), now: t0)
    var b = a
    a.delete(now: t0)
    b.set(bytes("new"), by: nodeB, at: ts(2), now: t0)
    let merged = a.merged(b)
    #expect(merged.siblings(at: t0).map(\.value) == [bytes("new")])
    #expect(b.merged(a) == merged)
}

@Test func del_afterSeeingEverything_leavesATombstoneThatAStaleReplicaCannotUndo() {
    var a = StoredObject()
    a.set(bytes("v"), by: nodeA, at: ts(1), now: t0)
    let stale = a
    a.delete(now: t0)
    #expect(a.isTombstone && a.value(at: t0) == nil)
    a.merge(stale)
    #expect(a.isTombstone)
}

@Test func del_concurrentWithIncr_countsOnlyTheConcurrentIncrement() throws {
    var a = StoredObject()
    try a.increment(by: 100, by: nodeA, at: ts(1), now: t0)
    var b = a
    a.delete(now: t0)
    try b.increment(by: 5, by: nodeA, at: ts(2), now: t0)
    #expect(a.merged(b).value(at: t0) == .counter(CounterValue(integer: 5, isSaturated: false, floating: 0)))
}

@Test func expire_concurrentWithSetWithoutExpiry_theSetSurvivesTheExpiry() {
    var a = StoredObject()
    a.set(bytes("old"), by: nodeA, at: ts(1), now: t0)
    var b = a
    a.expire(at: t0.adding(milliseconds: 100), by: nodeA, at: ts(2), now: t0)
    b.set(bytes("new"), by: nodeB, at: ts(2), now: t0)
    let merged = a.merged(b)
    #expect(merged.siblings(at: t0).count == 2)
    let later = t0.adding(milliseconds: 100)
    #expect(merged.value(at: later) == .string(bytes("new")))
    #expect(merged.expiry(at: later) == nil)
}

@Test func expire_thenExpiryInstant_keyIsGoneOnEveryReplicaAndPurgeLeavesATombstone() {
    var a = StoredObject()
    a.set(bytes("v"), expiry: .at(t0.adding(milliseconds: 50)), by: nodeA, at: ts(1), now: t0)
    #expect(a.expiry(at: t0) == t0.adding(milliseconds: 50))
    #expect(a.exists(at: t0.adding(milliseconds: 49)))
    #expect(!a.exists(at: t0.adding(milliseconds: 50)))
    a.purgeExpired(at: t0.adding(milliseconds: 50))
    #expect(a.isTombstone && !a.context.isEmpty)
}

@Test func persist_afterExpire_removesTheExpiry() {
    var a = StoredObject()
    a.set(bytes("v"), expiry: .at(t0.adding(milliseconds: 50)), by: nodeA, at: ts(1), now: t0)
    a.expire(at: nil, by: nodeA, at: ts(2), now: t0)
    #expect(a.expiry(at: t0) == nil)
    #expect(a.value(at: t0.adding(milliseconds: 60)) == .string(bytes("v")))
}

@Test func sadd_onKeyWithTtl_keepsTheTtlAndSetKeepTtlKeepsIt() throws {
    var a = StoredObject()
    try a.addMembers([bytes("x")], by: nodeA, at: ts(1), now: t0)
    a.expire(at: t0.adding(milliseconds: 50), by: nodeA, at: ts(2), now: t0)
    try a.addMembers([bytes("y")], by: nodeA, at: ts(3), now: t0)
    #expect(a.expiry(at: t0) == t0.adding(milliseconds: 50))
    var s = StoredObject()
    s.set(bytes("v"), expiry: .at(t0.adding(milliseconds: 50)), by: nodeA, at: ts(1), now: t0)
    s.set(bytes("w"), expiry: .keep, by: nodeA, at: ts(2), now: t0)
    #expect(s.expiry(at: t0) == t0.adding(milliseconds: 50))
}

@Test func typeConflict_concurrentSetAndSadd_visibleTypeIsTheLaterWriteAndASetClearsBoth() throws {
    var a = StoredObject()
    var b = StoredObject()
    a.set(bytes("s"), by: nodeA, at: ts(10), now: t0)
    try b.addMembers([bytes("m")], by: nodeB, at: ts(11), now: t0)
    var merged = a.merged(b)
    #expect(merged.kind(at: t0) == .set)
    #expect(b.merged(a).kind(at: t0) == .set)
    // The string is hidden, not lost: once the set is removed it shows again.
    try merged.removeMembers([bytes("m")], now: t0)
    #expect(merged.kind(at: t0) == nil)
    var other = a.merged(b)
    other.set(bytes("final"), by: nodeA, at: ts(12), now: t0)
    #expect(other.value(at: t0) == .string(bytes("final")) && other.setMembers.isEmpty)
}

@Test func typeConflict_hiddenTypeShowsWhenTheVisibleTypeExpires() throws {
    var a = StoredObject()
    var b = StoredObject()
    a.set(bytes("s"), by: nodeA, at: ts(10), now: t0)
    try b.addMembers([bytes("m")], by: nodeB, at: ts(11), now: t0)
    b.expire(at: t0.adding(milliseconds: 5), by: nodeB, at: ts(12), now: t0)
    let merged = a.merged(b)
    #expect(merged.kind(at: t0) == .set)
    #expect(merged.value(at: t0.adding(milliseconds: 5)) == .string(bytes("s")))
}

@Test func collectionWrite_onKeyVisibleAsAnotherType_isRefusedWithWrongType() {
    var a = StoredObject()
    a.set(bytes("s"), by: nodeA, at: ts(1), now: t0)
    #expect(throws: WrongTypeError(found: .string)) { try a.addMembers([bytes("m")], by: nodeA, at: ts(2), now: t0) }
    #expect(throws: CounterError.wrongType) {
        var h = StoredObject()
        try h.setFields([(bytes("f"), bytes("v"))], by: nodeA, at: ts(1), now: t0)
        try h.increment(by: 1, by: nodeA, at: ts(2), now: t0)
    }
}

@Test func causalDigest_sameStateReachedInDifferentOrders_isEqualAndDiffersAfterAWrite() throws {
    var a = StoredObject()
    var b = StoredObject()
    a.set(bytes("x"), by: nodeA, at: ts(1), now: t0)
    try b.increment(by: 2, by: nodeB, at: ts(2), now: t0)
    let ab = a.merged(b)
    let ba = b.merged(a)
    #expect(ab.causalDigest(key: bytes("k")) == ba.causalDigest(key: bytes("k")))
    #expect(ab.causalDigest(key: bytes("k")) != ab.causalDigest(key: bytes("j")))
    var later = ab
    later.set(bytes("y"), by: nodeA, at: ts(3), now: t0)
    #expect(later.causalDigest(key: bytes("k")) != ab.causalDigest(key: bytes("k")))
}

@Test func approximateSize_singleSiblingString_staysSmallAndGrowsWithTheValue() {
    var a = StoredObject()
    a.set(Array(repeating: 7, count: 100), by: nodeA, at: ts(1), now: t0)
    var b = StoredObject()
    b.set(Array(repeating: 7, count: 200), by: nodeA, at: ts(1), now: t0)
    #expect(b.approximateByteSize - a.approximateByteSize == 100)
    // Metadata for a single-sibling string key, beyond its value bytes (see README).
    #expect(a.approximateMetadataByteSize <= 200, "metadata \(a.approximateMetadataByteSize) bytes")
    #expect(MemoryLayout<StoredObject>.size <= 32, "inline size \(MemoryLayout<StoredObject>.size)")
}

@Test func multiValueRegister_writeWithStaleContext_keepsTheUnseenSibling() {
    var register = MultiValueRegister()
    register.write(value: bytes("a"), context: CausalContext(), by: nodeA, at: ts(1))
    let seenA = register.context
    register.write(value: bytes("b"), context: CausalContext(), by: nodeB, at: ts(2))
    register.write(value: bytes("c"), context: seenA, by: nodeA, at: ts(3))
    #expect(register.siblings.map(\.value).sorted { compareBytes($0, $1) < 0 } == [bytes("b"), bytes("c")])
    #expect(register.winner(at: t0)?.value == bytes("c"))
}
