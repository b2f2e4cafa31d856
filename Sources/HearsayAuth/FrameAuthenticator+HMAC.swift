import Crypto
import HearsayCore

extension FrameAuthenticator {
    /// Frames of cluster `clusterName`, tagged with HMAC-SHA256 under `key`; with no key
    /// (empty), with the keyless `nameCheck` (see `FrameAuthenticator`).
    public init(clusterName: String, key: [UInt8]) {
        if key.isEmpty {
            self = .nameCheck(clusterName: clusterName)
            return
        }
        let prefix = FrameAuthenticator.namePrefix(clusterName: clusterName)
        let hashers = KeyedHashers(key: key, namePrefix: prefix)
        self.init(
            tagLength: FrameAuthenticator.keyedTagLength, key: key, namePrefix: prefix,
            mac: { frame, out in hashers.mac(frame, into: out) })
    }

    /// The full 32-byte HMAC-SHA256 of `namePrefix | frame` under `key` (for tests and tools).
    public static func hmac(key: [UInt8], namePrefix: [UInt8], frame: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: FrameAuthenticator.macLength)
        let hashers = KeyedHashers(key: key, namePrefix: namePrefix)
        frame.withUnsafeBytes { bytes in out.withUnsafeMutableBytes { hashers.mac(bytes, into: $0) } }
        return out
    }
}

/// HMAC-SHA256 (RFC 2104) split at the key: `inner` has absorbed (key XOR ipad) and the
/// name prefix, `outer` (key XOR opad), so a frame costs two copies and its own bytes, not a
/// key schedule. Built from swift-crypto's SHA256 through its non-generic
/// `update(bufferPointer:)`, because HMAC's generic `update(data:)` went through
/// unspecialised generic code and a key schedule per frame: a quarter of a replica's CPU.
/// Copies of SHA256 are copy-on-write, so this stays immutable. The tests pin it to
/// swift-crypto's own HMAC.
struct KeyedHashers: @unchecked Sendable {
    let inner: SHA256
    let outer: SHA256

    static let blockSize = 64

    init(key: [UInt8], namePrefix: [UInt8]) {
        var block = key
        if block.count > Self.blockSize {
            var hash = SHA256()
            key.withUnsafeBytes { hash.update(bufferPointer: $0) }
            block = hash.finalize().withUnsafeBytes { Array($0) }
        }
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        var inner = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        namePrefix.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        block.map { $0 ^ 0x5C }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    func mac(_ frame: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        var inner = self.inner
        inner.update(bufferPointer: frame)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        outer.finalize().withUnsafeBytes { digest in
            out.copyMemory(from: UnsafeRawBufferPointer(rebasing: digest.prefix(out.count)))
        }
    }
}
