import Testing
@testable import RESP

@Test func replyBuffer_integer_encodesRESP() {
    var r = ReplyBuffer()
    r.integer(-42)
    #expect(r.bytes == Array(":-42\r\n".utf8))
}
