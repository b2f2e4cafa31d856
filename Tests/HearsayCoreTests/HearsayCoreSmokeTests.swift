import Testing

@testable import HearsayCore

@Test func stableHash_isFixedAcrossRuns() {
    #expect(StableHash.hash(Array("hello".utf8)) == StableHash.hash(Array("hello".utf8)))
    #expect(StableHash.hash(Array("hello".utf8)) != StableHash.hash(Array("hellp".utf8)))
}
