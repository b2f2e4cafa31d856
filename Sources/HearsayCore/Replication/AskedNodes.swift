/// The nodes a request asked, and which of them answered. An answer from a node that was not
/// asked, or a second one from the same node, counts for nothing: quorums are made of
/// distinct replicas the coordinator chose. Up to four inline (the N - 1 others at N <= 5,
/// without an allocation per request), more in an array; at most 64 (N is far below).
struct AskedNodes {
    private var first: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var more: [NodeID] = []
    private(set) var count = 0
    /// Bit i: the i-th node asked has answered.
    private var answered: UInt64 = 0

    static let capacity = 64

    init() {}

    init(_ nodes: some Sequence<NodeID>) {
        for node in nodes { insert(node) }
    }

    private func node(at i: Int) -> NodeID {
        switch i {
        case 0: NodeID(first.0)
        case 1: NodeID(first.1)
        case 2: NodeID(first.2)
        case 3: NodeID(first.3)
        default: more[i - 4]
        }
    }

    func index(of id: NodeID) -> Int? {
        for i in 0..<count where node(at: i) == id { return i }
        return nil
    }

    func contains(_ id: NodeID) -> Bool { index(of: id) != nil }

    /// Adds `id` (once).
    mutating func insert(_ id: NodeID) {
        guard index(of: id) == nil else { return }
        precondition(count < AskedNodes.capacity, "a request asked more than \(AskedNodes.capacity) nodes")
        switch count {
        case 0: first.0 = id.rawValue
        case 1: first.1 = id.rawValue
        case 2: first.2 = id.rawValue
        case 3: first.3 = id.rawValue
        default: more.append(id)
        }
        count += 1
    }

    /// Notes an answer from `id`: true the first time a node that was asked answers.
    mutating func noteAnswer(from id: NodeID) -> Bool {
        guard let i = index(of: id) else { return false }
        let bit: UInt64 = 1 << UInt64(i)
        guard answered & bit == 0 else { return false }
        answered |= bit
        return true
    }

    var answeredCount: Int {
        invariant(answered >> UInt64(count) == 0, "answers from \(answered) outside the \(count) nodes asked")
        return answered.nonzeroBitCount
    }
}
