// The checksums that end a binary checkpoint. They catch flipped, lost and truncated bytes;
// they are not authentication codes.

/// Version 2's checksum: four independent 64-bit lanes, each taking every fourth 8-byte word
/// of 32-byte stripes through an add-multiply-rotate round, then merged, mixed with the total
/// length and the bytes of the last partial stripe, and avalanched. Each round is a bijection of
/// its lane for a fixed word, so changing any one word (or bit) changes that lane's end state;
/// four lanes keep four multiplies in flight, several GB/s where version 1's byte-serial FNV-1a
/// managed about one. Bytes may arrive in pieces of any size (`update` keeps a partial stripe).
struct StripeChecksum {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (
        0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89
    )
    private var length: UInt64 = 0
    /// Bytes of an unfinished stripe.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    @inline(__always)
    private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = lane &+ word &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    @inline(__always)
    private mutating func stripe(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        lanes = (Self.round(lanes.0, a), Self.round(lanes.1, b), Self.round(lanes.2, c), Self.round(lanes.3, d))
    }

    /// Adds `bytes` to the checksummed data.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var cursor = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        // Complete a pending stripe byte by byte.
        while pendingCount > 0 && remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { $0[pendingCount] = cursor.load(as: UInt8.self) }
            pendingCount += 1
            cursor += 1
            remaining -= 1
            if pendingCount == 32 {
                let words = pending
                stripe(
                    UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), UInt64(littleEndian: words.2),
                    UInt64(littleEndian: words.3))
                pendingCount = 0
            }
        }
        while remaining >= 32 {
            stripe(
                UInt64(littleEndian: cursor.loadUnaligned(as: UInt64.self)),
                UInt64(littleEndian: cursor.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt64(littleEndian: cursor.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                UInt64(littleEndian: cursor.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
            cursor += 32
            remaining -= 32
        }
        if remaining > 0 {
            pending = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &pending) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: cursor, count: remaining))
            }
            pendingCount = remaining
        }
    }

    /// The checksum of everything added so far.
    func finalize() -> UInt64 {
        func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        var h = rotate(lanes.0, 1) &+ rotate(lanes.1, 7) &+ rotate(lanes.2, 12) &+ rotate(lanes.3, 18)
        h = (h ^ length) &* Self.prime1
        var tail = pending
        withUnsafeMutableBytes(of: &tail) { bytes in
            for index in pendingCount..<32 { bytes[index] = 0 }
        }
        for word in [tail.0, tail.1, tail.2, tail.3].prefix((pendingCount + 7) / 8) {
            h = rotate(h ^ Self.round(0, UInt64(littleEndian: word)), 27) &* Self.prime1 &+ Self.prime3
        }
        h ^= UInt64(pendingCount)
        h ^= h >> 33
        h &*= Self.prime2
        h ^= h >> 29
        h &*= Self.prime3
        return h ^ (h >> 32)
    }
}

/// Version 1's checksum: FNV-1a, 64 bits, one byte at a time.
func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash
}
