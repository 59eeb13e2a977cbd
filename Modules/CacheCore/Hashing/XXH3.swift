// XXH3 (64- and 128-bit, seeded) in portable Swift.
//
// A bit-exact port of XXH3_64bits_withSeed / XXH3_128bits_withSeed and the
// XXH3_128bits streaming state of the reference xxHash (v0.8.x,
// https://github.com/Cyan4973/xxHash, BSD-2-Clause). The long-input path
// uses Swift SIMD types so that LLVM emits vector code (SSE2 `pmuludq` on
// x86_64, NEON on arm64) without any platform intrinsics.

/// The XXH3 hash family: 64- and 128-bit digests with an optional 64-bit seed.
///
/// Results equal the reference `XXH3_64bits_withSeed` / `XXH3_128bits_withSeed`
/// (and `xxhsum -H3` / `-H2`, Python `xxhash.xxh3_64` / `xxh3_128`).
public enum XXH3 {
    // MARK: Public API

    /// The 128-bit XXH3 digest of `bytes` (reference `XXH3_128bits_withSeed`).
    /// - Complexity: O(n); memory-bandwidth bound for large inputs.
    public static func hash128(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> Hash128 {
        let len = bytes.count
        return kSecret.withUnsafeBytes { s in
            let secret = s.baseAddress!
            guard len > 0, let p = bytes.baseAddress else {
                return len0_128(secret, seed)
            }
            if len <= 16 { return len1to16_128(p, len, secret, seed) }
            if len <= 128 { return len17to128_128(p, len, secret, seed) }
            if len <= midsizeMax { return len129to240_128(p, len, secret, seed) }
            if seed == 0 { return hashLong128(p, len, secret) }
            return withDerivedSecret(seed) { hashLong128(p, len, $0) }
        }
    }

    /// The 64-bit XXH3 digest of `bytes` (reference `XXH3_64bits_withSeed`).
    /// - Complexity: O(n); memory-bandwidth bound for large inputs.
    public static func hash64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let len = bytes.count
        return kSecret.withUnsafeBytes { s in
            let secret = s.baseAddress!
            guard len > 0, let p = bytes.baseAddress else {
                return xxh64Avalanche(seed ^ (read64(secret, 56) ^ read64(secret, 64)))
            }
            if len <= 16 { return len1to16_64(p, len, secret, seed) }
            if len <= 128 { return len17to128_64(p, len, secret, seed) }
            if len <= midsizeMax { return len129to240_64(p, len, secret, seed) }
            if seed == 0 { return hashLong64(p, len, secret) }
            return withDerivedSecret(seed) { hashLong64(p, len, $0) }
        }
    }

    /// The 128-bit XXH3 digest of a byte array.
    /// - Complexity: O(n).
    public static func hash128(_ bytes: [UInt8], seed: UInt64 = 0) -> Hash128 {
        bytes.withUnsafeBytes { hash128($0, seed: seed) }
    }

    /// The 64-bit XXH3 digest of a byte array.
    /// - Complexity: O(n).
    public static func hash64(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash64($0, seed: seed) }
    }

    /// The 128-bit XXH3 digest of the UTF-8 encoding of `string`.
    /// - Complexity: O(n) in the UTF-8 length (plus a copy if the string is not
    ///   stored contiguously as UTF-8).
    public static func hash128(_ string: String, seed: UInt64 = 0) -> Hash128 {
        var string = string
        return string.withUTF8 { hash128(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// The 64-bit XXH3 digest of the UTF-8 encoding of `string`.
    /// - Complexity: O(n) in the UTF-8 length (plus a copy if the string is not
    ///   stored contiguously as UTF-8).
    public static func hash64(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var string = string
        return string.withUTF8 { hash64(UnsafeRawBufferPointer($0), seed: seed) }
    }

    // MARK: Constants

    static let prime32_1: UInt64 = 0x9E37_79B1
    static let prime32_2: UInt64 = 0x85EB_CA77
    static let prime32_3: UInt64 = 0xC2B2_AE3D
    static let prime64_1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime64_2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime64_3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime64_4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime64_5: UInt64 = 0x27D4_EB2F_1656_67C5
    static let primeMX1: UInt64 = 0x1656_6791_9E37_79F9
    static let primeMX2: UInt64 = 0x9FB2_1C65_1E98_DF25

    static let secretSize = 192
    static let secretSizeMin = 136
    static let stripeLen = 64
    static let secretConsumeRate = 8
    static let stripesPerBlock = (secretSize - stripeLen) / secretConsumeRate  // 16
    static let blockLen = stripeLen * stripesPerBlock  // 1024
    static let secretLastAccStart = 7
    static let secretMergeAccsStart = 11
    static let midsizeMax = 240
    static let midsizeStartOffset = 3
    static let midsizeLastOffset = 17

    /// The reference default secret `XXH3_kSecret`.
    static let kSecret: [UInt8] = [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ]

    // MARK: Primitives

    @inline(__always)
    static func read32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    @inline(__always)
    static func read64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    static func mul128Fold64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high ^ low
    }

    @inline(__always)
    static func rotl64(_ x: UInt64, _ r: UInt64) -> UInt64 { (x &<< r) | (x &>> (64 &- r)) }

    @inline(__always)
    static func xxh64Avalanche(_ hash: UInt64) -> UInt64 {
        var h = hash
        h ^= h >> 33
        h &*= prime64_2
        h ^= h >> 29
        h &*= prime64_3
        h ^= h >> 32
        return h
    }

    @inline(__always)
    static func avalanche(_ hash: UInt64) -> UInt64 {
        var h = hash
        h ^= h >> 37
        h &*= primeMX1
        h ^= h >> 32
        return h
    }

    @inline(__always)
    static func rrmxmx(_ hash: UInt64, _ len: UInt64) -> UInt64 {
        var h = hash
        h ^= rotl64(h, 49) ^ rotl64(h, 24)
        h &*= primeMX2
        h ^= (h >> 35) &+ len
        h &*= primeMX2
        return h ^ (h >> 28)
    }

    @inline(__always)
    static func mix16B(_ p: UnsafeRawPointer, _ s: UnsafeRawPointer, _ seed: UInt64) -> UInt64 {
        mul128Fold64(read64(p, 0) ^ (read64(s, 0) &+ seed), read64(p, 8) ^ (read64(s, 8) &- seed))
    }

    /// Runs `body` with the secret derived from `seed` (`XXH3_initCustomSecret`).
    @inline(__always)
    static func withDerivedSecret<R>(_ seed: UInt64, _ body: (UnsafeRawPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: secretSize, alignment: 16) { buf in
            deriveSecret(seed, into: buf.baseAddress!)
            return body(UnsafeRawPointer(buf.baseAddress!))
        }
    }

    static func deriveSecret(_ seed: UInt64, into out: UnsafeMutableRawPointer) {
        kSecret.withUnsafeBytes { k in
            let k = k.baseAddress!
            for i in 0..<(secretSize / 16) {
                let lo = read64(k, 16 * i) &+ seed
                let hi = read64(k, 16 * i + 8) &- seed
                out.storeBytes(of: lo.littleEndian, toByteOffset: 16 * i, as: UInt64.self)
                out.storeBytes(of: hi.littleEndian, toByteOffset: 16 * i + 8, as: UInt64.self)
            }
        }
    }

    // MARK: 64-bit short and mid-size inputs

    static func len1to16_64(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer, _ seed: UInt64) -> UInt64 {
        let len64 = UInt64(len)
        if len > 8 {
            let bitflip1 = (read64(s, 24) ^ read64(s, 32)) &+ seed
            let bitflip2 = (read64(s, 40) ^ read64(s, 48)) &- seed
            let lo = read64(p, 0) ^ bitflip1
            let hi = read64(p, len - 8) ^ bitflip2
            let acc = len64 &+ lo.byteSwapped &+ hi &+ mul128Fold64(lo, hi)
            return avalanche(acc)
        }
        if len >= 4 {
            let seed = seed ^ (UInt64(UInt32(truncatingIfNeeded: seed).byteSwapped) << 32)
            let input1 = read32(p, 0)
            let input2 = read32(p, len - 4)
            let bitflip = (read64(s, 8) ^ read64(s, 16)) &- seed
            let input64 = input2 &+ (input1 << 32)
            return rrmxmx(input64 ^ bitflip, len64)
        }
        let c1 = UInt32(p.load(fromByteOffset: 0, as: UInt8.self))
        let c2 = UInt32(p.load(fromByteOffset: len >> 1, as: UInt8.self))
        let c3 = UInt32(p.load(fromByteOffset: len - 1, as: UInt8.self))
        let combined = (c1 << 16) | (c2 << 24) | c3 | (UInt32(len) << 8)
        let bitflip = (read32(s, 0) ^ read32(s, 4)) &+ seed
        return xxh64Avalanche(UInt64(combined) ^ bitflip)
    }

    static func len17to128_64(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer, _ seed: UInt64) -> UInt64 {
        var acc = UInt64(len) &* prime64_1
        if len > 32 {
            if len > 64 {
                if len > 96 {
                    acc &+= mix16B(p + 48, s + 96, seed)
                    acc &+= mix16B(p + len - 64, s + 112, seed)
                }
                acc &+= mix16B(p + 32, s + 64, seed)
                acc &+= mix16B(p + len - 48, s + 80, seed)
            }
            acc &+= mix16B(p + 16, s + 32, seed)
            acc &+= mix16B(p + len - 32, s + 48, seed)
        }
        acc &+= mix16B(p, s, seed)
        acc &+= mix16B(p + len - 16, s + 16, seed)
        return avalanche(acc)
    }

    static func len129to240_64(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer, _ seed: UInt64) -> UInt64 {
        var acc = UInt64(len) &* prime64_1
        for i in 0..<8 {
            acc &+= mix16B(p + 16 * i, s + 16 * i, seed)
        }
        acc = avalanche(acc)
        let nbRounds = len / 16
        for i in 8..<nbRounds {
            acc &+= mix16B(p + 16 * i, s + 16 * (i - 8) + midsizeStartOffset, seed)
        }
        acc &+= mix16B(p + len - 16, s + secretSizeMin - midsizeLastOffset, seed)
        return avalanche(acc)
    }

    // MARK: 128-bit short and mid-size inputs

    static func len0_128(_ s: UnsafeRawPointer, _ seed: UInt64) -> Hash128 {
        let bitflipl = read64(s, 64) ^ read64(s, 72)
        let bitfliph = read64(s, 80) ^ read64(s, 88)
        return Hash128(low: xxh64Avalanche(seed ^ bitflipl), high: xxh64Avalanche(seed ^ bitfliph))
    }

    static func len1to16_128(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer, _ seed: UInt64) -> Hash128 {
        let len64 = UInt64(len)
        if len > 8 {
            let bitflipl = (read64(s, 32) ^ read64(s, 40)) &- seed
            let bitfliph = (read64(s, 48) ^ read64(s, 56)) &+ seed
            let inputLo = read64(p, 0)
            var inputHi = read64(p, len - 8)
            var (mHigh, mLow) = (inputLo ^ inputHi ^ bitflipl).multipliedFullWidth(by: prime64_1)
            mLow &+= (len64 &- 1) << 54
            inputHi ^= bitfliph
            mHigh &+= inputHi &+ (inputHi & 0xFFFF_FFFF) &* (prime32_2 &- 1)
            mLow ^= mHigh.byteSwapped
            var (hHigh, hLow) = mLow.multipliedFullWidth(by: prime64_2)
            hHigh &+= mHigh &* prime64_2
            return Hash128(low: avalanche(hLow), high: avalanche(hHigh))
        }
        if len >= 4 {
            let seed = seed ^ (UInt64(UInt32(truncatingIfNeeded: seed).byteSwapped) << 32)
            let inputLo = read32(p, 0)
            let inputHi = read32(p, len - 4)
            let input64 = inputLo &+ (inputHi << 32)
            let bitflip = (read64(s, 16) ^ read64(s, 24)) &+ seed
            let keyed = input64 ^ bitflip
            var (mHigh, mLow) = keyed.multipliedFullWidth(by: prime64_1 &+ (len64 << 2))
            mHigh &+= mLow << 1
            mLow ^= mHigh >> 3
            mLow ^= mLow >> 35
            mLow &*= primeMX2
            mLow ^= mLow >> 28
            return Hash128(low: mLow, high: avalanche(mHigh))
        }
        let c1 = UInt32(p.load(fromByteOffset: 0, as: UInt8.self))
        let c2 = UInt32(p.load(fromByteOffset: len >> 1, as: UInt8.self))
        let c3 = UInt32(p.load(fromByteOffset: len - 1, as: UInt8.self))
        let combinedl = (c1 << 16) | (c2 << 24) | c3 | (UInt32(len) << 8)
        let swapped = combinedl.byteSwapped
        let combinedh = (swapped << 13) | (swapped >> 19)
        let bitflipl = (read32(s, 0) ^ read32(s, 4)) &+ seed
        let bitfliph = (read32(s, 8) ^ read32(s, 12)) &- seed
        return Hash128(
            low: xxh64Avalanche(UInt64(combinedl) ^ bitflipl),
            high: xxh64Avalanche(UInt64(combinedh) ^ bitfliph)
        )
    }

    @inline(__always)
    static func mix32B(
        _ low: inout UInt64, _ high: inout UInt64,
        _ p1: UnsafeRawPointer, _ p2: UnsafeRawPointer, _ s: UnsafeRawPointer, _ seed: UInt64
    ) {
        low &+= mix16B(p1, s, seed)
        low ^= read64(p2, 0) &+ read64(p2, 8)
        high &+= mix16B(p2, s + 16, seed)
        high ^= read64(p1, 0) &+ read64(p1, 8)
    }

    @inline(__always)
    static func finish128(_ low: UInt64, _ high: UInt64, _ len: Int, _ seed: UInt64) -> Hash128 {
        let h1 = low &+ high
        let h2 = (low &* prime64_1) &+ (high &* prime64_4) &+ ((UInt64(len) &- seed) &* prime64_2)
        return Hash128(low: avalanche(h1), high: 0 &- avalanche(h2))
    }

    static func len17to128_128(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer, _ seed: UInt64) -> Hash128 {
        var low = UInt64(len) &* prime64_1
        var high: UInt64 = 0
        var i = (len - 1) / 32
        while true {
            mix32B(&low, &high, p + 16 * i, p + len - 16 * (i + 1), s + 32 * i, seed)
            if i == 0 { break }
            i -= 1
        }
        return finish128(low, high, len, seed)
    }

    static func len129to240_128(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer, _ seed: UInt64) -> Hash128 {
        var low = UInt64(len) &* prime64_1
        var high: UInt64 = 0
        for i in 0..<4 {
            mix32B(&low, &high, p + 32 * i, p + 32 * i + 16, s + 32 * i, seed)
        }
        low = avalanche(low)
        high = avalanche(high)
        let nbRounds = len / 32
        for i in 4..<nbRounds {
            mix32B(&low, &high, p + 32 * i, p + 32 * i + 16, s + midsizeStartOffset + 32 * (i - 4), seed)
        }
        mix32B(&low, &high, p + len - 16, p + len - 32, s + secretSizeMin - midsizeLastOffset - 16, 0 &- seed)
        return finish128(low, high, len, seed)
    }

    // MARK: Long inputs (> 240 bytes)

    /// The eight 64-bit accumulators of the long path.
    typealias Accumulators = SIMD8<UInt64>

    static let initialAccumulators = Accumulators(
        prime32_3, prime64_1, prime64_2, prime64_3, prime64_4, prime32_2, prime64_5, prime32_1
    )

    @inline(__always)
    static func loadLanes(_ p: UnsafeRawPointer) -> Accumulators {
        let v = p.loadUnaligned(as: Accumulators.self)
        #if _endian(big)
        return Accumulators(
            v[0].byteSwapped, v[1].byteSwapped, v[2].byteSwapped, v[3].byteSwapped,
            v[4].byteSwapped, v[5].byteSwapped, v[6].byteSwapped, v[7].byteSwapped
        )
        #else
        return v
        #endif
    }

    /// `XXH3_accumulate_512`: one 64-byte stripe.
    @inline(__always)
    static func accumulate512(_ acc: inout Accumulators, _ p: UnsafeRawPointer, _ s: UnsafeRawPointer) {
        let data = loadLanes(p)
        let key = data ^ loadLanes(s)
        // acc[i ^ 1] += data[i]
        let swapped = Accumulators(
            lowHalf: SIMD4(data[1], data[0], data[3], data[2]),
            highHalf: SIMD4(data[5], data[4], data[7], data[6])
        )
        // 32x32->64 multiply of the halves of each key lane (pmuludq / umull).
        let product = (key & 0xFFFF_FFFF) &* (key &>> 32)
        acc = acc &+ swapped &+ product
    }

    /// `XXH3_accumulate`: `nbStripes` consecutive stripes, the secret advancing 8 bytes each.
    @inline(__always)
    static func accumulate(
        _ acc: inout Accumulators, _ p: UnsafeRawPointer, _ s: UnsafeRawPointer, _ nbStripes: Int
    ) {
        var a = acc
        for n in 0..<nbStripes {
            accumulate512(&a, p + n * stripeLen, s + n * secretConsumeRate)
        }
        acc = a
    }

    /// `XXH3_scrambleAcc`.
    @inline(__always)
    static func scramble(_ acc: inout Accumulators, _ s: UnsafeRawPointer) {
        var a = acc
        a ^= a &>> 47
        a ^= loadLanes(s)
        a &*= prime32_1
        acc = a
    }

    /// All full blocks and stripes of a > 240-byte input, and its last stripe.
    static func hashLongAccumulators(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer) -> Accumulators {
        var acc = initialAccumulators
        let nbBlocks = (len - 1) / blockLen
        var block = p
        for _ in 0..<nbBlocks {
            accumulate(&acc, block, s, stripesPerBlock)
            scramble(&acc, s + secretSize - stripeLen)
            block += blockLen
        }
        let nbStripes = ((len - 1) - blockLen * nbBlocks) / stripeLen
        accumulate(&acc, block, s, nbStripes)
        accumulate512(&acc, p + len - stripeLen, s + secretSize - stripeLen - secretLastAccStart)
        return acc
    }

    @inline(__always)
    static func mergeAccs(_ acc: Accumulators, _ s: UnsafeRawPointer, _ start: UInt64) -> UInt64 {
        var result = start
        result &+= mul128Fold64(acc[0] ^ read64(s, 0), acc[1] ^ read64(s, 8))
        result &+= mul128Fold64(acc[2] ^ read64(s, 16), acc[3] ^ read64(s, 24))
        result &+= mul128Fold64(acc[4] ^ read64(s, 32), acc[5] ^ read64(s, 40))
        result &+= mul128Fold64(acc[6] ^ read64(s, 48), acc[7] ^ read64(s, 56))
        return avalanche(result)
    }

    static func finishLong64(_ acc: Accumulators, _ s: UnsafeRawPointer, _ totalLen: UInt64) -> UInt64 {
        mergeAccs(acc, s + secretMergeAccsStart, totalLen &* prime64_1)
    }

    static func finishLong128(_ acc: Accumulators, _ s: UnsafeRawPointer, _ totalLen: UInt64) -> Hash128 {
        Hash128(
            low: mergeAccs(acc, s + secretMergeAccsStart, totalLen &* prime64_1),
            high: mergeAccs(acc, s + secretSize - stripeLen - secretMergeAccsStart, ~(totalLen &* prime64_2))
        )
    }

    static func hashLong64(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer) -> UInt64 {
        finishLong64(hashLongAccumulators(p, len, s), s, UInt64(len))
    }

    static func hashLong128(_ p: UnsafeRawPointer, _ len: Int, _ s: UnsafeRawPointer) -> Hash128 {
        finishLong128(hashLongAccumulators(p, len, s), s, UInt64(len))
    }

    /// Feeds `nbStripes` stripes that are known not to be the input's last,
    /// scrambling at each block end (shared by the streaming hasher).
    static func consumeStripes(
        _ acc: inout Accumulators, _ stripesInBlock: inout Int,
        _ p: UnsafeRawPointer, _ nbStripes: Int, _ s: UnsafeRawPointer
    ) {
        var p = p
        var remaining = nbStripes
        while remaining > 0 {
            let n = min(remaining, stripesPerBlock - stripesInBlock)
            accumulate(&acc, p, s + stripesInBlock * secretConsumeRate, n)
            stripesInBlock += n
            p += n * stripeLen
            remaining -= n
            if stripesInBlock == stripesPerBlock {
                scramble(&acc, s + secretSize - stripeLen)
                stripesInBlock = 0
            }
        }
    }
}

/// Incremental XXH3-128: feeding the input in any number of pieces gives the
/// same digest as `XXH3.hash128(_:seed:)` on the concatenation.
///
/// Holds a 256-byte buffer and the 192-byte (possibly seed-derived) secret;
/// large updates are hashed in place without copying.
public struct XXH3Hasher128: Sendable {
    private static let bufferSize = 256

    private let seed: UInt64
    private let secret: [UInt8]
    private var buffer: [UInt8]
    private var bufferedCount = 0
    private var acc = XXH3.initialAccumulators
    private var stripesInBlock = 0
    private var totalLength: UInt64 = 0

    /// A hasher for `XXH3_128bits_withSeed(…, seed)`.
    /// - Complexity: O(1).
    public init(seed: UInt64 = 0) {
        self.seed = seed
        self.secret = [UInt8](unsafeUninitializedCapacity: XXH3.secretSize) { buf, count in
            XXH3.deriveSecret(seed, into: UnsafeMutableRawPointer(buf.baseAddress!))
            count = XXH3.secretSize
        }
        self.buffer = [UInt8](repeating: 0, count: Self.bufferSize)
    }

    /// Appends `bytes` to the hashed input.
    /// - Complexity: O(n) in `bytes.count`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        totalLength &+= UInt64(bytes.count)
        let buffered = bufferedCount
        if buffered + bytes.count <= Self.bufferSize {
            buffer.withUnsafeMutableBytes { b in
                (b.baseAddress! + buffered).copyMemory(from: base, byteCount: bytes.count)
            }
            bufferedCount = buffered + bytes.count
            return
        }
        // More input follows everything consumed below, so no stripe here is the last one.
        var acc = self.acc
        var stripesInBlock = self.stripesInBlock
        var input = base
        var remaining = bytes.count
        let stripeLen = XXH3.stripeLen
        secret.withUnsafeBytes { s in
            let s = s.baseAddress!
            buffer.withUnsafeMutableBytes { b in
                let b = b.baseAddress!
                if buffered > 0 {
                    let fill = Self.bufferSize - buffered
                    (b + buffered).copyMemory(from: input, byteCount: fill)
                    input += fill
                    remaining -= fill
                    XXH3.consumeStripes(&acc, &stripesInBlock, b, Self.bufferSize / stripeLen, s)
                }
                if remaining > Self.bufferSize {
                    let nbStripes = (remaining - 1) / stripeLen
                    XXH3.consumeStripes(&acc, &stripesInBlock, input, nbStripes, s)
                    input += nbStripes * stripeLen
                    remaining -= nbStripes * stripeLen
                    // Keep the last consumed stripe: finalize needs it if < 64 bytes remain.
                    (b + Self.bufferSize - stripeLen).copyMemory(from: input - stripeLen, byteCount: stripeLen)
                }
                b.copyMemory(from: input, byteCount: remaining)
            }
        }
        self.acc = acc
        self.stripesInBlock = stripesInBlock
        bufferedCount = remaining
    }

    /// Appends `bytes` to the hashed input.
    /// - Complexity: O(n) in `bytes.count`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything passed to `update(_:)` so far.
    /// The hasher is not modified and may keep receiving input.
    /// - Complexity: O(1) (at most 256 buffered bytes are hashed).
    public func finalize() -> Hash128 {
        let buffered = bufferedCount
        if totalLength <= UInt64(XXH3.midsizeMax) {
            return buffer.withUnsafeBytes { b in
                XXH3.hash128(UnsafeRawBufferPointer(rebasing: b[0..<buffered]), seed: seed)
            }
        }
        var acc = self.acc
        var stripesInBlock = self.stripesInBlock
        let stripeLen = XXH3.stripeLen
        let lastStripeSecret = XXH3.secretSize - stripeLen - XXH3.secretLastAccStart
        return secret.withUnsafeBytes { s in
            let s = s.baseAddress!
            buffer.withUnsafeBytes { b in
                let b = b.baseAddress!
                if buffered >= stripeLen {
                    let nbStripes = (buffered - 1) / stripeLen
                    XXH3.consumeStripes(&acc, &stripesInBlock, b, nbStripes, s)
                    XXH3.accumulate512(&acc, b + buffered - stripeLen, s + lastStripeSecret)
                } else {
                    withUnsafeTemporaryAllocation(byteCount: stripeLen, alignment: 16) { last in
                        let last = last.baseAddress!
                        let fromPrevious = stripeLen - buffered
                        last.copyMemory(from: b + Self.bufferSize - fromPrevious, byteCount: fromPrevious)
                        (last + fromPrevious).copyMemory(from: b, byteCount: buffered)
                        XXH3.accumulate512(&acc, UnsafeRawPointer(last), s + lastStripeSecret)
                    }
                }
            }
            return XXH3.finishLong128(acc, s, totalLength)
        }
    }
}
