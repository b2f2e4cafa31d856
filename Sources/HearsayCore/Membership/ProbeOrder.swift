/// Round-robin probing in a randomized order (SWIM 4.3): every member is probed
/// once per round, the order is reshuffled each round, and a new member is
/// inserted at a random position, so the worst-case detection time is bounded.
struct ProbeOrder {
    private var order: [NodeID] = []
    private var index = 0
    private var present: Set<NodeID> = []

    var isEmpty: Bool { order.isEmpty }

    /// Inserts `id` at a random position among those not yet probed this round.
    mutating func insert(_ id: NodeID, using rng: inout SeededGenerator) {
        guard present.insert(id).inserted else { return }
        order.append(id)
        let position = Int.random(in: index...(order.count - 1), using: &rng)
        order.swapAt(position, order.count - 1)
    }

    /// The next member for which `isProbeable` holds, dropping those that no longer
    /// qualify; reshuffles `candidates` (sorted, so the order depends only on the
    /// generator) when a round ends. Bounded: at most two passes over the order.
    mutating func next(
        candidates: () -> [NodeID], isProbeable: (NodeID) -> Bool,
        using rng: inout SeededGenerator
    ) -> NodeID? {
        for pass in 0..<2 {
            while index < order.count {
                let id = order[index]
                index += 1
                if isProbeable(id) { return id }
                present.remove(id)
            }
            guard pass == 0 else { break }
            order = candidates()
            order.shuffle(using: &rng)
            present = Set(order)
            index = 0
        }
        return nil
    }
}
