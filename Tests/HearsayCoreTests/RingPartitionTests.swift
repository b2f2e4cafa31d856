import Testing

@testable import HearsayCore

@Test func partitionCount_defaultsTo256() {
    #expect(PartitionCount.default.value == 256)
    #expect(PartitionCount.default.bits == 8)
}

@Test func partitionCount_validated_refusesNonPowersOfTwo() {
    #expect(PartitionCount.validated(0) == nil)
    #expect(PartitionCount.validated(3) == nil)
    #expect(PartitionCount.validated(1 << 17) == nil)
    #expect(PartitionCount.validated(1)?.value == 1)
    #expect(PartitionCount.validated(1024)?.value == 1024)
}

@Test func partitionOfKey_isStableAndInRange() {
    let count = PartitionCount(64)
    for i in 0..<1000 {
        let key = Array("key:\(i)".utf8)
        let p = count.partition(of: key)
        #expect(p.index < 64)
        #expect(p == key.withUnsafeBytes { count.partition(of: $0) })
    }
    #expect(PartitionCount(1).partition(of: Array("x".utf8)).index == 0)
}

@Test func partitionOfKey_spreadsSequentialKeysEvenly() {
    let count = PartitionCount.default
    var hits = [Int](repeating: 0, count: 256)
    for i in 0..<256 * 200 { hits[count.partition(of: Array("user:\(i)".utf8)).index] += 1 }
    // Expected 200 per partition; binomial sd ~14, so 120...280 is far outside chance.
    #expect(hits.min()! > 120)
    #expect(hits.max()! < 280)
}

@Test func partitionOfKey_isAFixedValueAcrossProcesses() {
    // Pinned: if this changes, every existing cluster would re-home its keys.
    let p = PartitionCount.default.partition(of: Array("hello".utf8))
    #expect(p == PartitionCount.default.partition(ofHash: StableHash.hash(Array("hello".utf8))))
    #expect(p.index == Int((StableHash.hash(Array("hello".utf8)) &* 0x9E37_79B9_7F4A_7C15) >> 56))
}
