import CLibUV

/// Whoever owns a TCP stream (its handle's `data`) and hears when a queued write finishes.
protocol StreamWriter: AnyObject {
    /// A queued write of `length` bytes finished with `status` (negative: failed) on `stream`.
    func didWrite(_ length: Int, status: Int32, on stream: UnsafeMutablePointer<uv_stream_t>)
}

/// The one write path of every TCP stream, clients' and peers': `uv_try_write` first when
/// nothing is queued (most writes end there, with no copy), and whatever the socket does not
/// take copied into memory that lives until libuv's callback, so output keeps its order.
/// `uv_write` copies the buffer list, not the bytes, hence the copy.
enum StreamWrite {
    /// Writes `bytes` to `stream`, whose handle's `data` is its `StreamWriter`. `tryFirst`
    /// is false while earlier bytes are still queued. Returns the bytes queued (0 when the
    /// socket took them all), or a negative libuv error: the caller then drops the stream.
    static func write(_ bytes: UnsafeRawBufferPointer, to stream: UnsafeMutablePointer<uv_stream_t>, tryFirst: Bool)
        -> Int
    {
        guard bytes.count > 0 else { return 0 }
        var offset = 0
        if tryFirst {
            var buf = uv_buf_init(
                UnsafeMutableRawPointer(mutating: bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                UInt32(bytes.count))
            let written = uv_try_write(stream, &buf, 1)
            if written >= 0 {
                offset = Int(written)
            } else if written != Int32(UV_EAGAIN.rawValue) {
                return Int(written)
            }
        }
        guard offset < bytes.count else { return 0 }
        let length = bytes.count - offset
        let pending = UnsafeMutablePointer<PendingWrite>.allocate(capacity: 1)
        let copy = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 1)
        copy.copyMemory(from: bytes.baseAddress! + offset, byteCount: length)
        pending.initialize(to: PendingWrite(request: uv_write_t(), bytes: copy, length: length))
        pending.pointee.request.data = UnsafeMutableRawPointer(pending)
        var buf = uv_buf_init(copy.assumingMemoryBound(to: CChar.self), UInt32(length))
        let status = uv_write(&pending.pointee.request, stream, &buf, 1) { request, status in
            let pending = request!.pointee.data!.assumingMemoryBound(to: PendingWrite.self)
            let stream = request!.pointee.handle!
            let writer = Unmanaged<AnyObject>.fromOpaque(stream.pointee.data!).takeUnretainedValue()
            (writer as! StreamWriter).didWrite(pending.pointee.length, status: status, on: stream)
            pending.pointee.bytes.deallocate()
            pending.deinitialize(count: 1)
            pending.deallocate()
        }
        guard status == 0 else {
            copy.deallocate()
            pending.deinitialize(count: 1)
            pending.deallocate()
            return Int(status)
        }
        return length
    }
}

/// A queued write and the bytes it owns until libuv calls back.
struct PendingWrite {
    var request: uv_write_t
    var bytes: UnsafeMutableRawPointer
    var length: Int
}
