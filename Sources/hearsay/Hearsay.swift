import ArgumentParser

@main
struct Hearsay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearsay",
        abstract: "A leaderless, gossip-based, eventually consistent key-value store that speaks Redis.",
        subcommands: [ServerCommand.self, ClusterCommand.self, SimCommand.self]
    )
}
