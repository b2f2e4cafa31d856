import HearsayCore
import HearsayInspect
import HearsaySim

/// The inspector's view of a simulated node: a command runs on the node at the current
/// virtual time (`HearsayCluster.command`), out of band like an operator's connection, and
/// its RESP bytes are parsed as the TCP client would. A crashed node is unreachable.
final class SimNodeClient: NodeClient {
    let cluster: HearsayCluster
    let index: Int

    init(cluster: HearsayCluster, index: Int) {
        self.cluster = cluster
        self.index = index
    }

    func send(_ words: [String]) throws(InspectError) -> RESPValue {
        guard let text = cluster.command(index, words) else { throw InspectError.unreachable("node \(index) is down") }
        var parser = RESPValueParser()
        parser.append(Array(text.utf8))
        do {
            guard let value = try parser.next() else { throw InspectError.garbage("an incomplete reply") }
            return value
        } catch let garbage as RESPGarbage {
            throw InspectError.garbage(garbage.reason)
        } catch let error as InspectError {
            throw error
        } catch {
            throw InspectError.garbage("\(error)")
        }
    }
}

/// Simulated nodes are reached by their peer address (HS.MEMBERS shows it).
struct SimConnector: NodeConnector {
    let cluster: HearsayCluster

    func connect(to address: String) throws(InspectError) -> NodeClient {
        guard let index = cluster.ids.indices.first(where: { HearsayCluster.address($0) == address }) else {
            throw InspectError.unreachable("no simulated node at \(address)")
        }
        guard cluster.sim.isRunning(index) else { throw InspectError.unreachable("node \(index) is down") }
        return SimNodeClient(cluster: cluster, index: index)
    }

    func clientAddress(forPeer peerAddress: String) -> String { peerAddress }
}
