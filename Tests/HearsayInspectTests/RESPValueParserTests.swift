import HearsayInspect
import Testing

struct RESPValueParserTests {
    func parseAll(_ text: String) throws -> [RESPValue] {
        var parser = RESPValueParser()
        parser.append(Array(text.utf8))
        var values: [RESPValue] = []
        while let value = try parser.next() { values.append(value) }
        return values
    }

    @Test func everyRESP2Type() throws {
        let values = try parseAll("+OK\r\n-ERR no\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$0\r\n\r\n*-1\r\n")
        #expect(
            values == [
                .simple("OK"), .error("ERR no"), .integer(42), .bulk(Array("hello".utf8)), .null,
                .array([.integer(1), .array([.bulk([])])]), .null,
            ])
    }

    @Test func aReplySplitAtEveryByteParsesOnceWhole() throws {
        let text = "*3\r\n$3\r\nkey\r\n:7\r\n*2\r\n+a\r\n-b\r\n"
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            var parser = RESPValueParser()
            parser.append(bytes[..<cut])
            #expect(try parser.next() == nil, "cut at \(cut)")
            parser.append(bytes[cut...])
            #expect(
                try parser.next()
                    == .array([.bulk(Array("key".utf8)), .integer(7), .array([.simple("a"), .error("b")])]))
        }
    }

    @Test func garbageThrowsInsteadOfHanging() {
        for text in ["HTTP/1.1 200 OK\r\n", ":abc\r\n", "$99999999999\r\n", "$3\r\nabcXY"] {
            var parser = RESPValueParser()
            parser.append(Array(text.utf8))
            #expect(throws: RESPGarbage.self, "\(text)") { _ = try parser.next() }
        }
    }

    @Test func flattenedMapsReadAsFields() {
        let value = RESPValue.array([
            .bulk(Array("id".utf8)), .bulk(Array("1".utf8)), .bulk(Array("n".utf8)), .integer(3),
        ])
        #expect(value.fields?["id"]?.text == "1")
        #expect(value.fields?["n"]?.int == 3)
        #expect(RESPValue.error("ERR unknown command 'HS.X'").isUnknownCommand)
    }
}
