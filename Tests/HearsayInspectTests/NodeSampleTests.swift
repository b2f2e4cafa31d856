import Testing

@testable import HearsayInspect

/// A node's key count is every database's keys, not database 0's alone.
@Test func nodeSample_keyCount_sumsEveryDatabase() {
    var sample = NodeSample(address: "127.0.0.1:1", expectedID: nil, problem: "unasked")
    #expect(sample.keyCount == nil)
    sample.info = ["node_id": "a", "db0": "keys=7,expires=0,avg_ttl=0", "db3": "keys=5,expires=1,avg_ttl=0"]
    #expect(sample.keyCount == 12)
    sample.info = ["node_id": "a"]
    #expect(sample.keyCount == 0)
}
