import Foundation
import Testing

/// The real redis-cli and redis-benchmark against an in-process node.
@Suite(.serialized) struct RedisToolsTests {
    @Test func redisCliRunsCommandsWithArguments() throws {
        guard let cli = executableOnPath("redis-cli") else {
            print("skipping: redis-cli is not on PATH (tools/dev test installs it)")
            return
        }
        let node = try RunningNode()
        func cliRun(_ arguments: String...) throws -> String {
            let (status, output) = try runProgram(cli, ["-p", String(node.port)] + arguments, timeout: 20)
            #expect(status == 0, "redis-cli \(arguments) exited \(status): \(output)")
            return output
        }
        #expect(try cliRun("SET", "greeting", "hello world") == "OK\n")
        #expect(try cliRun("GET", "greeting") == "hello world\n")
        #expect(try cliRun("INCRBY", "n", "41") == "41\n")
        #expect(try cliRun("INCR", "n") == "42\n")
        #expect(try cliRun("MSET", "a", "1", "b", "2") == "OK\n")
        #expect(try cliRun("MGET", "a", "missing", "b") == "1\n\n2\n")
        #expect(try cliRun("EXPIRE", "a", "100") == "1\n")
        #expect(try cliRun("TTL", "a") == "100\n")
        #expect(try cliRun("NOSUCH", "x").contains("ERR unknown command 'NOSUCH'"))
        #expect(try cliRun("-3", "GET", "missing") == "\n")
        #expect(try cliRun("--no-raw", "GET", "missing") == "(nil)\n")
        #expect(node.stop())
    }

    @Test func redisBenchmarkReportsNoErrors() throws {
        guard let benchmark = executableOnPath("redis-benchmark") else {
            print("skipping: redis-benchmark is not on PATH (tools/dev test installs it)")
            return
        }
        let node = try RunningNode()
        let (status, output) = try runProgram(
            benchmark, ["-p", String(node.port), "-q", "-t", "ping,set,get,incr,mset", "-n", "2000"], timeout: 120)
        #expect(status == 0, "redis-benchmark exited \(status): \(output)")
        let lower = output.lowercased()
        #expect(!lower.contains("error") && !lower.contains("err "), "\(output)")
        for test in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"] {
            #expect(output.contains("\(test): "), "no result line for \(test) in \(output)")
        }
        let client = try TestClient(port: node.port)
        #expect(try client.command("EXISTS", "key:__rand_int__", "counter:__rand_int__") == ":2\r\n")
        #expect(node.stop())
    }
}
