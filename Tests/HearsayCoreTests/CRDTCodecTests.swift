import Testing

@testable import HearsayCore

// The versioned binary form: round trips, and no input (truncated, corrupt or random) traps.

/// Objects of every type reached by random commands, including tombstones and siblings.
private func sampleObjects(count: Int, seed: UInt64) -> [StoredObject] {
    var out: [StoredObject] = []
    for r in 0..<count {
        let run: SimulatedRun<StoredObject> = Simulation.run(seed: seed &+ UInt64(r), steps: 16) { object, site, rng in
            randomObjectOperation(&object, site, &rng)
        }
        out += run.replicas + run.deltas.prefix(2)
    }
    return out
}

@Test func storedObject_encodeThenDecode_givesAnEqualObjectForEveryType() throws {
    let objects = sampleObjects(count: 300, seed: 0xC0DE_C000)
    var kinds = Set<UInt8>()
    for object in objects {
        let decoded = try StoredObject(decoding: object.encoded)
        #expect(decoded == object)
        #expect(decoded.encoded == object.encoded)
        if let kind = object.kind(at: Simulation.start) { kinds.insert(kind.rawValue) }
    }
    #expect(kinds.count == StoredObject.Kind.allCases.count, "samples cover every type: \(kinds)")
    #expect(objects.contains { $0.isTombstone && !$0.context.isEmpty })
}

@Test func storedObject_everyTruncationOfValidEncodings_isRejectedWithoutTrapping() {
    var rejected = 0
    for object in sampleObjects(count: 40, seed: 0x7255_0000) {
        let bytes = object.encoded
        for length in 0..<bytes.count {
            #expect(throws: DecodeError.self, "prefix \(length) of \(bytes.count)") {
                try StoredObject(decoding: Array(bytes[0..<length]))
            }
            rejected += 1
        }
    }
    #expect(rejected > 1_000)
}

@Test func storedObject_randomAndMutatedBytes_decodeToAnErrorOrAValidObject() {
    var rng = SeededGenerator(seed: 0xF022_0001)
    let valid = sampleObjects(count: 20, seed: 0xF022_0002).map(\.encoded)
    var decodedValid = 0
    for i in 0..<10_000 {
        var bytes: [UInt8]
        if i % 2 == 0 {
            bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !bytes.isEmpty { bytes[0] = StoredObject.formatVersion }
        } else {
            bytes = valid.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        }
        if let object = try? StoredObject(decoding: bytes) {
            // Whatever decodes must satisfy the invariants and re-encode canonically.
            decodedValid += 1
            #expect(object.encoded == bytes, "case \(i) seed=0xF0220001")
            #expect(object.merged(object) == object, "case \(i) seed=0xF0220001")
        }
    }
    #expect(decodedValid < 10_000)
}

@Test func storedObject_hugeCountInHeader_isRejectedBeforeAllocating() {
    var writer = ByteWriter()
    writer.u8(StoredObject.formatVersion)
    writer.varint(UInt64.max >> 1)
    #expect(throws: DecodeError.truncated) { try StoredObject(decoding: writer.bytes) }
    #expect(throws: DecodeError.unsupportedVersion(9)) { try StoredObject(decoding: [9]) }
}

@Test func causalContext_encodeThenDecode_roundTripsAndRejectsNonCanonicalForms() throws {
    let context = CausalContext(dots: [
        Dot(node: NodeID(1), counter: 1), Dot(node: NodeID(1), counter: 3), Dot(node: NodeID(2), counter: 5),
    ])
    #expect(context.versionVector[NodeID(1)] == 1 && context.cloud.count == 2)
    #expect(try CausalContext(decoding: context.encoded) == context)
    #expect(try CausalContext(opaqueText: context.opaqueText) == context)
    // A cloud dot that the vector already covers is not canonical.
    var writer = ByteWriter()
    writer.u8(CausalContext.formatVersion)
    VersionVector([(NodeID(1), 4)]).encode(into: &writer)
    writer.varint(1)
    Dot(node: NodeID(1), counter: 5).encode(into: &writer)
    #expect(throws: DecodeError.self) { try CausalContext(decoding: writer.bytes) }
    let bytes = context.encoded
    for length in 0..<bytes.count {
        #expect(throws: DecodeError.self) { try CausalContext(decoding: Array(bytes[0..<length])) }
    }
}

@Test func causalContext_randomBytes_decodeToAnErrorOrACanonicalContext() {
    var rng = SeededGenerator(seed: 0xCC_0001)
    for i in 0..<10_000 {
        var bytes = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if !bytes.isEmpty { bytes[0] = CausalContext.formatVersion }
        if bytes.count > 1 { bytes[1] = UInt8.random(in: 0...2, using: &rng) }
        if let context = try? CausalContext(decoding: bytes) {
            #expect(context.encoded == bytes, "case \(i) seed=0xCC0001")
        }
    }
}
