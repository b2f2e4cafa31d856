import ArgumentParser
import Glibc
import HearsayCore
import HearsayServer
import Logging

/// `hearsay server`: runs one node in the foreground until SIGINT or SIGTERM.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Run one Hearsay node (RESP on --port, peers on --cluster-port).")

    @Option(help: "Client (RESP) port.") var port = 7379
    @Option(help: "Address to bind; loopback unless told otherwise.") var bind = "127.0.0.1"
    @Option(help: "Peer port (default: port + 10000).") var clusterPort: Int?
    @Option(help: "Most simultaneous clients.") var maxclients = 10_000
    @Option(help: "Memory bound for keys and values, e.g. 512mb (0 = none; past it writes get OOM).")
    var maxmemory = "0"
    @Option(help: "Password clients must AUTH with.") var requirepass: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown --log-level \(logLevel)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        guard let memory = MemorySize.parse(maxmemory) else { throw ValidationError("bad --maxmemory \(maxmemory)") }
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.bindAddress = bind
        configuration.clusterPort = clusterPort
        configuration.maxClients = maxclients
        configuration.node.maxMemoryBytes = memory
        configuration.node.requirePassword = requirepass
        let server: Server
        do {
            server = try Server(configuration: configuration, logger: Logger(label: "hearsay"))
        } catch {
            throw ValidationError("cannot start: \(error)")
        }
        server.run()
    }
}
