import Foundation
import Glibc
import HearsayServer
import Testing

/// The loop's polling before sleep (Server+BusyPoll): it must keep serving while it polls,
/// go to sleep once a window passes without input, and never delay a stop.
@Suite struct BusyPollTests {
    @Test func servesRequestsWhilePollingAndAfterSleeping() throws {
        let node = try RunningNode { $0.busyPollMicroseconds = 2_000 }
        let client = try TestClient(port: node.port)
        for round in 0..<20 {
            #expect(try client.command("SET", "k\(round)", "v") == "+OK\r\n")
            // Every other pause outlasts the window, so the next request finds the loop asleep.
            if round % 2 == 1 { usleep(10_000) }
            #expect(try client.command("GET", "k\(round)") == "$1\r\nv\r\n")
        }
    }

    @Test func sleepsOnceAWindowPassesWithoutInput() throws {
        let node = try RunningNode { $0.busyPollMicroseconds = 1_000 }
        let client = try TestClient(port: node.port)
        #expect(try client.command("PING") == "+PONG\r\n")
        usleep(20_000)
        let before = node.loopThreadCPUSeconds
        usleep(500_000)
        let spent = node.loopThreadCPUSeconds - before
        // A loop that kept polling would spend close to the whole half second.
        #expect(spent < 0.1, "the loop thread used \(spent) s of CPU in 0.5 s without input")
    }

    @Test func pollsAfterInputWithinItsWindow() throws {
        let node = try RunningNode { $0.busyPollMicroseconds = 300_000 }
        let client = try TestClient(port: node.port)
        usleep(20_000)
        let before = node.loopThreadCPUSeconds
        #expect(try client.command("PING") == "+PONG\r\n")
        usleep(400_000)
        let spent = node.loopThreadCPUSeconds - before
        // Polling yields the processor but stays runnable: a sleeping loop would spend about nothing.
        #expect(spent > 0.01, "the loop thread used only \(spent) s of CPU in its 0.3 s window")
    }

    @Test func stopIsNotDelayedByTheWindow() throws {
        let node = try RunningNode { $0.busyPollMicroseconds = 30_000_000 }
        let client = try TestClient(port: node.port)
        #expect(try client.command("PING") == "+PONG\r\n")
        let start = Date()
        #expect(node.stop(timeout: 10))
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
