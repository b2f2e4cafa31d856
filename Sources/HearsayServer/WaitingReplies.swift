import RESP

/// A connection's replies that must wait for an earlier deferred one (a request its
/// replicas are still answering), oldest first; empty in the common case, where replies go
/// straight to the connection's reply buffer. Released slots are passed over with a head
/// index and the array is emptied once all are, rather than shifted on every reply.
/// Bounded by the requests one client has pipelined (its query buffer limit).
struct WaitingReplies {
    private var slots: [(ticket: UInt64, bytes: [UInt8]?)] = []
    private var head = 0

    var isEmpty: Bool { head == slots.count }

    /// A reply that is ready but must wait its turn.
    mutating func appendReady(_ bytes: [UInt8]) { slots.append((0, bytes)) }

    /// A request whose reply comes later with `ticket`.
    mutating func appendDeferred(ticket: UInt64) { slots.append((ticket, nil)) }

    /// Fills the slot waiting for `ticket`, then moves every reply now at the head, in
    /// order, into `reply`. False when no slot waits for `ticket`.
    mutating func deliver(ticket: UInt64, _ bytes: UnsafeRawBufferPointer, into reply: inout ReplyBuffer) -> Bool {
        // Replies mostly complete in request order: the head is the one.
        let atHead = head < slots.count && slots[head].ticket == ticket && slots[head].bytes == nil
        guard let i = atHead ? head : slots[head...].firstIndex(where: { $0.ticket == ticket && $0.bytes == nil })
        else { return false }
        guard i == head else {
            slots[i].bytes = Array(bytes)
            return true
        }
        reply.raw(bytes)
        head += 1
        while head < slots.count, let ready = slots[head].bytes {
            ready.withUnsafeBytes { reply.raw($0) }
            slots[head].bytes = nil
            head += 1
        }
        if head == slots.count {
            slots.removeAll(keepingCapacity: slots.capacity <= 1024)
            head = 0
        }
        return true
    }
}
