import Testing

@testable import HearsayCore

private func randomVector(_ rng: inout SeededGenerator) -> VersionVector {
    VersionVector(
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            (NodeID(UInt64.random(in: 1...5, using: &rng)), UInt64.random(in: 0...6, using: &rng))
        })
}

private func randomDot(_ rng: inout SeededGenerator) -> Dot {
    Dot(node: NodeID(UInt64.random(in: 1...5, using: &rng)), counter: UInt64.random(in: 1...12, using: &rng))
}

private func randomContext(_ rng: inout SeededGenerator) -> CausalContext {
    var context = CausalContext(randomVector(&rng))
    for _ in 0..<Int.random(in: 0...4, using: &rng) {
        context.insert(randomDot(&rng))
    }
    return context
}

@Test func versionVector_randomVectors_mergeIsAJoinAndDescendsIsItsOrder() throws {
    var rng = SeededGenerator(seed: 0x7676_0001)
    for i in 0..<10_000 {
        let (a, b, c) = (randomVector(&rng), randomVector(&rng), randomVector(&rng))
        let ab = a.merged(b)
        #expect(ab == b.merged(a), "case \(i) seed=0x76760001")
        #expect(ab.merged(c) == a.merged(b.merged(c)), "case \(i) seed=0x76760001")
        #expect(a.merged(a) == a, "case \(i) seed=0x76760001")
        #expect(ab.descends(a) && ab.descends(b), "case \(i) seed=0x76760001")
        #expect(a.descends(b) == (a.merged(b) == a), "case \(i) seed=0x76760001")
        #expect(try VersionVector(opaqueText: a.opaqueText) == a, "case \(i) seed=0x76760001")
    }
}

@Test func versionVector_concurrentVectors_neitherDescends() {
    let a = VersionVector([(NodeID(1), 2), (NodeID(2), 1)])
    let b = VersionVector([(NodeID(1), 1), (NodeID(2), 2)])
    #expect(a.isConcurrent(with: b))
    #expect(a.merged(b).descends(a) && !a.descends(a.merged(b)))
    #expect(a.contains(Dot(node: NodeID(1), counter: 2)) && !a.contains(Dot(node: NodeID(1), counter: 3)))
}

@Test func causalContext_randomContexts_mergeIsAJoinAndContainsTheUnion() {
    var rng = SeededGenerator(seed: 0xCA05_0001)
    for i in 0..<10_000 {
        let (a, b, c) = (randomContext(&rng), randomContext(&rng), randomContext(&rng))
        let ab = a.merged(b)
        #expect(ab == b.merged(a), "case \(i) seed=0xCA050001")
        #expect(ab.merged(c) == a.merged(b.merged(c)), "case \(i) seed=0xCA050001")
        #expect(a.merged(a) == a, "case \(i) seed=0xCA050001")
        let probe = randomDot(&rng)
        #expect(ab.contains(probe) == (a.contains(probe) || b.contains(probe)), "case \(i) seed=0xCA050001")
        #expect(ab.cloud.allSatisfy { $0.counter > ab.versionVector[$0.node] + 1 }, "compacted, case \(i)")
    }
}

@Test func causalContext_outOfOrderDots_compactIntoTheVectorOnceTheGapCloses() {
    var context = CausalContext()
    let node = NodeID(7)
    context.insert(Dot(node: node, counter: 3))
    context.insert(Dot(node: node, counter: 2))
    #expect(context.versionVector[node] == 0 && context.cloud.count == 2)
    context.insert(Dot(node: node, counter: 1))
    #expect(context.versionVector[node] == 3 && context.cloud.isEmpty)
    #expect(context.nextDot(for: node) == Dot(node: node, counter: 4))
}

@Test func opaqueText_randomBytes_roundTripAndRejectForeignCharacters() throws {
    var rng = SeededGenerator(seed: 0x0B64_0001)
    for _ in 0..<2_000 {
        let bytes = (0..<Int.random(in: 0..<20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let text = OpaqueText.encode(bytes)
        #expect(try OpaqueText.decode(text) == bytes)
        #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
    }
    #expect(OpaqueText.encode(Array("hello".utf8)) == "aGVsbG8")
    #expect(throws: DecodeError.self) { try OpaqueText.decode("a+b/") }
    #expect(throws: DecodeError.self) { try OpaqueText.decode("abcde") }
    #expect(throws: DecodeError.self) { try OpaqueText.decode("aGVsbG9") }
}

/// A removal can name a dot twice (one dot per write, several removed entries from it). With
/// a gap before it the dot stays in the cloud, and held twice it made the context's encoding
/// one that every decoder refuses ("dot cloud not sorted"), so the object could not be
/// replicated. Found by the merge invariant (`StoredObject.malformation`).
@Test func causalContext_fromDotsGivenTwice_holdsEachOnceAndRoundTrips() {
    let node = NodeID(0xB2)
    let twice = CausalContext(dots: [Dot(node: node, counter: 2), Dot(node: node, counter: 2)])
    #expect(twice.cloud == [Dot(node: node, counter: 2)])
    var merged = CausalContext(dots: [Dot(node: node, counter: 5)])
    merged.merge(twice)
    #expect(merged.cloud == [Dot(node: node, counter: 2), Dot(node: node, counter: 5)])
    var reader = ByteReader(merged.encoded, offset: 1)
    #expect((try? CausalContext.decode(from: &reader)) == merged)
}
