import Testing

@testable import HearsayCore

private func nodes(_ n: Int, seed: UInt64) -> [NodeID] {
    var g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in NodeID(g.next()) }
}

@Test func placement_isAFunctionOfTheMemberSetOnly() {
    let members = nodes(9, seed: 7)
    let a = Placement(members: members)
    let b = Placement(members: members.reversed() + [members[3]])
    #expect(a == b)
}

@Test func placement_neverRepeatsANodeInAPreferenceList() {
    for n in [1, 2, 3, 5, 17, 64] {
        let placement = Placement(members: nodes(n, seed: UInt64(n)))
        #expect(placement.replicaCount == min(3, n))
        #expect(placement.listLength == n)
        for p in 0..<256 {
            let list = placement.preferenceList(for: PartitionID(p))
            #expect(Set(list).count == list.count)
        }
    }
}

@Test func placement_fallbacksFollowRendezvousOrder() {
    let placement = Placement(members: nodes(10, seed: 3), fallbackCount: 4)
    #expect(placement.listLength == 7)
    for p in 0..<256 {
        let partition = PartitionID(p)
        let fallbacks = Array(placement.preferenceList(for: partition).dropFirst(3))
        let scores = fallbacks.map { RendezvousScore.score($0, partition) }
        #expect(scores == scores.sorted())
        #expect(!fallbacks.contains { placement.isReplica($0, of: partition) })
    }
}

@Test func placement_emptyMemberSet_hasEmptyLists() {
    let placement = Placement(members: [NodeID]())
    #expect(placement.preferenceList(for: PartitionID(0)).isEmpty)
    #expect(placement.replicaCount == 0)
}

@Test func placement_diff_listsExactlyThePartitionsThatChanged() {
    let members = nodes(8, seed: 11)
    let old = Placement(members: members)
    let new = Placement(members: members.dropLast())
    let leaver = members.last!
    let changes = Placement.diff(old, new)
    #expect(Placement.diff(old, old).isEmpty)
    #expect(changes.map(\.partition) == changes.map(\.partition).sorted())
    for p in 0..<256 {
        let partition = PartitionID(p)
        let changed = Set(old.replicas(for: partition)) != Set(new.replicas(for: partition))
        #expect(changes.contains { $0.partition == partition } == changed)
        if old.isReplica(leaver, of: partition) {
            #expect(changes.first { $0.partition == partition }?.lost.contains(leaver) == true)
        }
    }
    #expect(Placement.movedReplicaCount(old, new) == changes.reduce(0) { $0 + $1.gained.count })
}

@Test func placement_lookupsAllocateNothing() {
    // ArraySlice shares the table's storage: same base address, no copy.
    let placement = Placement(members: nodes(12, seed: 5))
    let a = placement.preferenceList(for: PartitionID(17))
    let b = placement.preferenceList(for: PartitionID(17))
    let same = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
    #expect(same)
    #expect(placement.node(for: PartitionID(17), rank: 0) == a.first)
}
