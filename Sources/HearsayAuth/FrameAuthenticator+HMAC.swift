import CLibCrypto
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

    /// HMAC-SHA256 of `message` under `key` by OpenSSL's own one-shot `HMAC` (a reference for
    /// the tests: the precomputed states above must agree with it).
    public static func referenceHMAC(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                _ = HMAC(
                    EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    m.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }
}

/// HMAC-SHA256 (RFC 2104) split at the key: `inner` has absorbed (key XOR ipad) and the
/// name prefix, `outer` (key XOR opad), so a frame costs two copies of a plain SHA256_CTX
/// and its own bytes, not a key schedule. On OpenSSL's libcrypto, the system's, rather than
/// swift-crypto, whose Swift layer brings Foundation (and ICU) into the process: several
/// MiB of resident memory on an idle node. The tests pin it to RFC 4231's vectors and to
/// OpenSSL's one-shot HMAC.
struct KeyedHashers: Sendable {
    let inner: SHA256_CTX
    let outer: SHA256_CTX

    static let blockSize = 64

    init(key: [UInt8], namePrefix: [UInt8]) {
        var block = key
        if block.count > Self.blockSize {
            var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
            key.withUnsafeBytes { k in
                _ = SHA256(k.baseAddress?.assumingMemoryBound(to: UInt8.self), k.count, &digest)
            }
            block = digest
        }
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        var inner = SHA256_CTX()
        SHA256_Init(&inner)
        block.map { $0 ^ 0x36 }.withUnsafeBytes { _ = SHA256_Update(&inner, $0.baseAddress, $0.count) }
        namePrefix.withUnsafeBytes { _ = SHA256_Update(&inner, $0.baseAddress, $0.count) }
        var outer = SHA256_CTX()
        SHA256_Init(&outer)
        block.map { $0 ^ 0x5C }.withUnsafeBytes { _ = SHA256_Update(&outer, $0.baseAddress, $0.count) }
        self.inner = inner
        self.outer = outer
    }

    func mac(_ frame: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        var inner = self.inner
        _ = SHA256_Update(&inner, frame.baseAddress, frame.count)
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { d in
            _ = SHA256_Final(d.baseAddress!.assumingMemoryBound(to: UInt8.self), &inner)
            var outer = self.outer
            _ = SHA256_Update(&outer, d.baseAddress, d.count)
            _ = SHA256_Final(d.baseAddress!.assumingMemoryBound(to: UInt8.self), &outer)
            out.copyMemory(from: UnsafeRawBufferPointer(rebasing: d.prefix(out.count)))
        }
    }
}
