import ArgumentParser
import Foundation
import HearsayInspect

/// Set by SIGINT/SIGTERM during --watch: the loop stops, writes its report and exits.
nonisolated(unsafe) var interrupted: sig_atomic_t = 0

@main
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearsay-inspect",
        abstract: "Shows how a Hearsay cluster's replicas differ, and watches them converge.",
        discussion: """
            Connects to one node (or several), discovers the others through HS.MEMBERS and reads \
            HS.MEMBERS, HS.RING, HS.STATS, HS.DIGEST, HS.PARTITIONS, HS.SIBLINGKEYS and HS.AGREEMENT \
            from each. It never changes data. Exit status: 0 converged, 1 not converged, 2 no node answered.
            """)

    @Argument(help: "Client address (host:port) of one or more nodes.")
    var addresses: [String] = ["127.0.0.1:7379"]

    @Flag(help: "One JSON document per sample (JSON Lines with --watch).")
    var json = false

    @Option(help: "Write a self-contained HTML report (chart, membership matrix, heat map) to this file.")
    var html: String?

    @Option(help: "List this partition's keys and which replica holds which version.")
    var partition: Int?

    @Flag(help: "Refresh at --interval until interrupted (or converged, with --until-converged).")
    var watch = false

    @Option(help: "Milliseconds between samples with --watch.")
    var interval = 1_000

    @Flag(help: "With --watch: stop at the first converged sample and print how long it took.")
    var untilConverged = false

    @Option(help: "With --watch: give up after this many seconds (0 = never); exit status 1.")
    var timeout: Double = 0

    @Option(help: "Milliseconds to wait for a node to connect or answer.")
    var commandTimeout = 2_000

    @Option(help: "A member's client port is its cluster port minus this.")
    var clusterPortOffset = 10_000

    mutating func validate() throws {
        if interval < 10 { throw ValidationError("--interval must be at least 10 ms") }
        if untilConverged && !watch { throw ValidationError("--until-converged needs --watch") }
        if commandTimeout < 1 { throw ValidationError("--command-timeout must be positive") }
    }

    func run() throws {
        let inspector = Inspector(
            connector: TCPConnector(timeoutMilliseconds: commandTimeout, clusterPortOffset: clusterPortOffset),
            seeds: addresses)
        inspector.detailPartition = partition
        guard watch else {
            let snapshot = inspector.sample(now: Date().timeIntervalSince1970)
            var timeline = Timeline()
            timeline.record(snapshot)
            print(json ? JSONReport.render(snapshot) : TextReport.render(snapshot), terminator: json ? "\n" : "")
            try writeHTML(snapshot, timeline)
            throw ExitCode(snapshot.nodes.contains { $0.reachable } ? (snapshot.converged ? 0 : 1) : 2)
        }
        signal(SIGINT) { _ in interrupted = 1 }
        signal(SIGTERM) { _ in interrupted = 1 }
        let started = Date()
        var timeline = Timeline()
        var last: Snapshot?
        var peak: Snapshot?
        let live = !json && isatty(STDOUT_FILENO) != 0
        while interrupted == 0 {
            let snapshot = inspector.sample(now: Date().timeIntervalSince1970)
            timeline.record(snapshot)
            last = snapshot
            if snapshot.divergentKeys > (peak?.divergentKeys ?? 0) { peak = snapshot }
            if json {
                print(JSONReport.render(snapshot))
            } else if live {
                print("\u{1B}[H\u{1B}[2J" + header(snapshot) + TextReport.render(snapshot) + "\n" + timeline.render())
            } else {
                // Not a terminal (a log, a pipe): one line per sample, the full view at the end.
                print(TextReport.line(snapshot))
            }
            fflush(nil)
            if untilConverged && snapshot.converged { break }
            if timeout > 0 && Date().timeIntervalSince(started) >= timeout { break }
            usleep(UInt32(interval) * 1_000)
        }
        guard let last else { throw ExitCode(2) }
        if !json && !live { print("\n" + header(last) + TextReport.render(last) + "\n" + timeline.render()) }
        try writeHTML(last, timeline, peak: peak)
        if let after = timeline.convergedAfter, last.converged {
            let message =
                "converged after \(Timeline.seconds(after)) (\(timeline.points.count) samples, peak "
                + "\(timeline.peakDivergentKeys) divergent keys)"
            if json { FileHandle.standardError.write(Data((message + "\n").utf8)) } else { print(message) }
            throw ExitCode(0)
        }
        let message = "not converged after \(Timeline.seconds(Date().timeIntervalSince(started))): \(last.verdict)"
        if json { FileHandle.standardError.write(Data((message + "\n").utf8)) } else { print(message) }
        throw ExitCode(1)
    }

    func header(_ s: Snapshot) -> String {
        let when = Date(timeIntervalSince1970: s.time).formatted(.iso8601)
        return "hearsay-inspect  \(s.nodes.count) nodes via \(s.seed)  \(when)  +\(Timeline.seconds(s.elapsed))\n"
    }

    func writeHTML(_ snapshot: Snapshot, _ timeline: Timeline, peak: Snapshot? = nil) throws {
        guard let html else { return }
        do {
            try HTMLReport.render(snapshot, timeline, peak: peak).write(toFile: html, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(html): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("HTML report: \(html)\n".utf8))
    }
}
