import Testing
import CacheCore

/// Reference vectors for XXH3 (64- and 128-bit, seeded).
///
/// Produced with the Python `xxhash` package 4.1.0 (libxxhash 0.8.x) via
/// `xxhash.xxh3_128_hexdigest(data, seed=s)` and `xxhash.xxh3_64_intdigest(data, seed=s)`,
/// where `data` is the first `length` bytes of the classic xxHash sanity buffer
/// (see `sanityBuffer`), for seeds 0 and 0x9E3779B185EBCA8D. The lengths cover every
/// XXH3 length class (0, 1-3, 4-8, 9-16, 17-128, 129-240, > 240) and their edges,
/// including the long path's stripe (64 B) and block (1024 B) boundaries.
@Suite("XXH3")
struct XXH3Tests {
    /// The xxHash `sanityCheck` buffer: byteGen starts at PRIME32 and is multiplied by
    /// PRIME64 after each byte; each byte is the top byte of byteGen.
    static func sanityBuffer(_ count: Int) -> [UInt8] {
        let prime32: UInt64 = 2_654_435_761
        let prime64: UInt64 = 11_400_714_785_074_694_797
        var out = [UInt8](repeating: 0, count: count)
        var gen = prime32
        for i in 0..<count {
            out[i] = UInt8(truncatingIfNeeded: gen >> 56)
            gen &*= prime64
        }
        return out
    }

    static let buffer = sanityBuffer(100_000)

    static let seeds: [UInt64] = [0, 0x9E37_79B1_85EB_CA8D]

    // (length, seed, xxh3_128 hex, xxh3_64)
    static let vectors: [(Int, UInt64, String, UInt64)] = [
        (0, 0x0000000000000000, "99aa06d3014798d86001c324468d497f", 0x2D06800538D394C2),
        (0, 0x9E3779B185EBCA8D, "00feaa732a3ce25ea986dfc5d7605bfe", 0xA8A6B918B2F0364A),
        (1, 0x0000000000000000, "a6cd5e9392000f6ac44bdff4074eecdb", 0xC44BDFF4074EECDB),
        (1, 0x9E3779B185EBCA8D, "20e49abcc53b3842032be332dd766ef8", 0x032BE332DD766EF8),
        (2, 0x0000000000000000, "76750c3c7bf956687a9978044cb8a8bb", 0x7A9978044CB8A8BB),
        (2, 0x9E3779B185EBCA8D, "7b96e6a600dae67d764b35c90519ad88", 0x764B35C90519AD88),
        (3, 0x0000000000000000, "20efc49ff02422ea54247382a8d6b94d", 0x54247382A8D6B94D),
        (3, 0x9E3779B185EBCA8D, "1c7ecf6a308cf00e634b8990b4976373", 0x634B8990B4976373),
        (4, 0x0000000000000000, "970d585ac632bf8e2e7d8d6876a39fe9", 0xE5DC74BC51848A51),
        (4, 0x9E3779B185EBCA8D, "3d53e5dfd837d927bfaf51f1e67e0b0f", 0xAA2E7ECCB0C8F747),
        (5, 0x0000000000000000, "62ed587687606b4e057c7ed2c01fa1d1", 0xE4243F00720306BB),
        (5, 0x9E3779B185EBCA8D, "fac738e8fec3771567a0c170d32090d7", 0x5A67C87E50ED80ED),
        (6, 0x0000000000000000, "082afe0b8162d12a3e7039bdda43cfc6", 0x27B56A84CD2D7325),
        (6, 0x9E3779B185EBCA8D, "014bd95a51ca5ddbc5b54d56038e4e40", 0x84589C116AB59AB9),
        (7, 0x0000000000000000, "dd9b6039f79ec416081c22dd284a2f0a", 0x9941E0007F555E50),
        (7, 0x9E3779B185EBCA8D, "833cba0282dd6619d5da197923938e53", 0x75BDAB43463F0151),
        (8, 0x0000000000000000, "47a7f080d82bb45664c69cab4bb21dc5", 0x24CCC9ACAA9F65E4),
        (8, 0x9E3779B185EBCA8D, "f50cec145bcd5c5a7b29471dc729b5ff", 0x8F973410999B8F6B),
        (9, 0x0000000000000000, "564ef6078950d457ed7ccbc501eb7501", 0x14D5001C15DD3F2B),
        (9, 0x9E3779B185EBCA8D, "6b380b43ffa61042aef5dfc0ac9f9044", 0xB3AE7333D9013F60),
        (10, 0x0000000000000000, "c6f795961d7a19557a16d0a993b929b1", 0x1C117F233FBC3C14),
        (10, 0x9E3779B185EBCA8D, "977507c07d31fb34fc69c7d7394cc927", 0x5B8A62DB39366886),
        (15, 0x0000000000000000, "c402609e57ee5772958955df1889e6bc", 0x45556D4D6E1798BC),
        (15, 0x9E3779B185EBCA8D, "48864ef580a95f6b6a0a9ca5fd33cb9d", 0x710DD5318F6F16D5),
        (16, 0x0000000000000000, "c68c368ecf8a9c05562980258a998629", 0x981B17D36C7498C9),
        (16, 0x9E3779B185EBCA8D, "6ffcb80cd33085c80346d13a7a5498c7", 0x663F29333B4DB6B1),
        (17, 0x0000000000000000, "955fa78643ed3669abbc12d11973d7db", 0x796F5ACD3A60F862),
        (17, 0x9E3779B185EBCA8D, "d77681219e464828980a14119985a7df", 0xF3EC5067F4306DB3),
        (31, 0x0000000000000000, "301048a7ab476d21ec8365e74dc00653", 0x5D516692CA764C50),
        (31, 0x9E3779B185EBCA8D, "4639cf7b77ba9096d74750f8952360c3", 0x9B37274259C549C6),
        (32, 0x0000000000000000, "98fc6458710dc2e8278410a17595e3f9", 0x9FEADDBDBF57EED3),
        (32, 0x9E3779B185EBCA8D, "cc587e4fcdb86bc50054e82631cef166", 0x2199FAB1534893D9),
        (33, 0x0000000000000000, "3103c192ceaa2dede593bc4e5914c9d1", 0xABFB2D081B400A10),
        (33, 0x9E3779B185EBCA8D, "21273c8190c645cdc361d36cea597c31", 0xAD56348DA574BB6D),
        (48, 0x0000000000000000, "a002ac4e5478227ef942219aed80f67b", 0x397DA259ECBA1F11),
        (48, 0x9E3779B185EBCA8D, "bc689f4c0152fb443a94d91333ed395a", 0xADC2CBAA44ACC616),
        (63, 0x0000000000000000, "7fc0ae04a6d2bb0b5e4cb79e9a8121d9", 0x83D74A75F2C2577A),
        (63, 0x9E3779B185EBCA8D, "aec92695d77fea89c6ee481741654b12", 0xC3AB9C8B53960DC7),
        (64, 0x0000000000000000, "6d90e81a9b0fd622efdb6a44690721a9", 0x9CB48487720EC49D),
        (64, 0x9E3779B185EBCA8D, "37b738968d40bda59405ba2affa95ceb", 0x4FE8895DB9B8C077),
        (65, 0x0000000000000000, "6c074d65e54db85afe2f650fa500ec6e", 0xFD81AAC4BEBC3883),
        (65, 0x9E3779B185EBCA8D, "72503a6fa8d07adb9d60c345e5c297cd", 0xAD80AEEC1FC9E0A7),
        (96, 0x0000000000000000, "d9d0b885f56c93f1e9324473ea9afebe", 0x935A769A7F94776F),
        (96, 0x9E3779B185EBCA8D, "6f9ed3c2008cb388d61f3ab58705c405", 0x70CF51937E500540),
        (97, 0x0000000000000000, "09dff37faa6b284c7c87228ae9671ba7", 0xCA4CA268FD3C3A6C),
        (97, 0x9E3779B185EBCA8D, "14e68f850b481ada49ea87f2afe44f66", 0xEE461D3ADD7EE6C9),
        (112, 0x0000000000000000, "d1b2cf3831d419adcbfd9024e4b6c79d", 0xD13D8F57931EEF19),
        (112, 0x9E3779B185EBCA8D, "431161e8efc337f694de4eb7f80e7448", 0xA276B2E306E77FE5),
        (113, 0x0000000000000000, "8df75b439f599436b772da459af0f09d", 0xBE550B209B8053F4),
        (113, 0x9E3779B185EBCA8D, "9183c10cffb6ab05f313d63bcd414ebc", 0xF5F9BD8CF6B81D20),
        (127, 0x0000000000000000, "dcfae8002712db1c802a565a8a79a999", 0x2408ED71323D6096),
        (127, 0x9E3779B185EBCA8D, "37452e1967d3445b54c9d67f8b29dc74", 0x41D2F0C3F483208F),
        (128, 0x0000000000000000, "39992220e045260aebb15e34a7fb5ab1", 0xFCFF24126754D861),
        (128, 0x9E3779B185EBCA8D, "a0f7ccb68ee02add8394f5c51f1d8246", 0x73FDE75280646649),
        (129, 0x0000000000000000, "03815fc91f1b30b686c9e3bc8f0a3b5c", 0x98F1B0A679A2CA29),
        (129, 0x9E3779B185EBCA8D, "ad559266067c0bf3d4aae26fcec7dc03", 0x21FFFDBCA099C844),
        (144, 0x0000000000000000, "19a5ee4a79aa51237a9080376c0e4b95", 0xC440D47E5F03FE58),
        (144, 0x9E3779B185EBCA8D, "e93bf6d2478a9c7e3f757aa797a6dfcc", 0x858D16B71F4DD859),
        (159, 0x0000000000000000, "37562ea4ac14c650996ed46536cc0ef5", 0x7CB32A6ECDEBAF1C),
        (159, 0x9E3779B185EBCA8D, "c6f19f9e4243b2519bb496bb4447b646", 0xACFF1F7B6CC1FDC9),
        (160, 0x0000000000000000, "ba5d218964b622ad737126c8d7c09cee", 0x9D03A319ED4CBD2B),
        (160, 0x9E3779B185EBCA8D, "c6b7abc26def52ac46a4a3f67ccd556e", 0x3825C75FFE70FDE0),
        (161, 0x0000000000000000, "58621e54439ee75c524bf4f00d882c4e", 0x7F8A89C6BE63F006),
        (161, 0x9E3779B185EBCA8D, "940856fbf1ab951d969723dc5eb12aeb", 0xEE122D625550ADB5),
        (192, 0x0000000000000000, "064934db40706c3d0679e7f625e389d9", 0xAF9F58E78B8D3587),
        (192, 0x9E3779B185EBCA8D, "c1e549baf8d0d863fd5412027e573a96", 0x69E006AA2156C999),
        (200, 0x0000000000000000, "e76ff4780fe18439eb060f1bb3126f5a", 0xBDDCA58935D7C038),
        (200, 0x9E3779B185EBCA8D, "cf0349dd7cc2b5452236d1b483e8d9eb", 0x5B899E984B88DB8D),
        (239, 0x0000000000000000, "e59fc6554b5008bcf895e8b860b8a593", 0x16CE2B9D3B28805D),
        (239, 0x9E3779B185EBCA8D, "d6701eb51fc21716c0a8b4c9698db33d", 0xF59F5C23FCEBD3B7),
        (240, 0x0000000000000000, "aa4202daa2769dc85c9aae94c8ebe5a0", 0x81C3C2B67F568CCF),
        (240, 0x9E3779B185EBCA8D, "29d2133d6ea58c5b604e98db085c1864", 0xCC0F58C27EF3D8EE),
        (241, 0x0000000000000000, "99a80ecf0ecfc647c5a639ecd2030e5e", 0xC5A639ECD2030E5E),
        (241, 0x9E3779B185EBCA8D, "ec64afae6a137582dda9b0a161d4829a", 0xDDA9B0A161D4829A),
        (255, 0x0000000000000000, "961375c87e09efbce98f979f4ed8a197", 0xE98F979F4ED8A197),
        (255, 0x9E3779B185EBCA8D, "e72ec0137d62df442aca7901d9538c75", 0x2ACA7901D9538C75),
        (256, 0x0000000000000000, "8b1c66091423d28855de574ad89d0ac5", 0x55DE574AD89D0AC5),
        (256, 0x9E3779B185EBCA8D, "aaa57235b92d5e7c4d30234b7a3aa61c", 0x4D30234B7A3AA61C),
        (257, 0x0000000000000000, "f15fee7f9f457599b17fd5a8ae75bb0b", 0xB17FD5A8AE75BB0B),
        (257, 0x9E3779B185EBCA8D, "15c1f9c667c815ba802a6fbf3cacd97c", 0x802A6FBF3CACD97C),
        (319, 0x0000000000000000, "3f5e05af8ce5dda80fcaa9e59ec5a883", 0x0FCAA9E59EC5A883),
        (319, 0x9E3779B185EBCA8D, "1d2128f8604cd3ecdfaf7a1b8b2db390", 0xDFAF7A1B8B2DB390),
        (320, 0x0000000000000000, "2c6021659f44e8d375620d350ff5c694", 0x75620D350FF5C694),
        (320, 0x9E3779B185EBCA8D, "b93eca53885abfbd19171de40c928f07", 0x19171DE40C928F07),
        (1023, 0x0000000000000000, "e8083e4d83214c3c87a8f7b2f2e22496", 0x87A8F7B2F2E22496),
        (1023, 0x9E3779B185EBCA8D, "96b80fe329ce5e350f0f02de8590e1b5", 0x0F0F02DE8590E1B5),
        (1024, 0x0000000000000000, "0d30d24071c64c57dd85c9b5c1109c5c", 0xDD85C9B5C1109C5C),
        (1024, 0x9E3779B185EBCA8D, "17600efe2b493a18ef368a8a2ebabaef", 0xEF368A8A2EBABAEF),
        (1025, 0x0000000000000000, "fd3ee4fe7f2954c6d870c0fa13211c6a", 0xD870C0FA13211C6A),
        (1025, 0x9E3779B185EBCA8D, "2c383949f57bf7e196792bcf9af88519", 0x96792BCF9AF88519),
        (1087, 0x0000000000000000, "b67e858cf9e0959e047f181e7c8a41b9", 0x047F181E7C8A41B9),
        (1087, 0x9E3779B185EBCA8D, "0c85f8b06d2047479dda30bbbf69bf13", 0x9DDA30BBBF69BF13),
        (1088, 0x0000000000000000, "e0fa3b9e9fb69d83cc1450ea6b52a8f4", 0xCC1450EA6B52A8F4),
        (1088, 0x9E3779B185EBCA8D, "c0dd009b78c40121542632d046f3dde4", 0x542632D046F3DDE4),
        (2048, 0x0000000000000000, "f736557fd47073a5dd59e2c3a5f038e0", 0xDD59E2C3A5F038E0),
        (2048, 0x9E3779B185EBCA8D, "23cc3a2e75ebaaea66f81670669ababc", 0x66F81670669ABABC),
        (2049, 0x0000000000000000, "4cd2bd192f2d70bdd3afa4329779b921", 0xD3AFA4329779B921),
        (2049, 0x9E3779B185EBCA8D, "e4000f7a288a82cee48083836cd58024", 0xE48083836CD58024),
        (4095, 0x0000000000000000, "f69e23cfa8cea8c33044187222ab0efb", 0x3044187222AB0EFB),
        (4095, 0x9E3779B185EBCA8D, "01790e949e0cd4fa9f7ddf29c377a8ec", 0x9F7DDF29C377A8EC),
        (4096, 0x0000000000000000, "b9cfaea2ca5626a4e91206429d1f48f9", 0xE91206429D1F48F9),
        (4096, 0x9E3779B185EBCA8D, "8fbc8fd4d526d1bd2a3bbb20a5439dcd", 0x2A3BBB20A5439DCD),
        (4097, 0x0000000000000000, "0c6a7a5f1d0bbb1adac80d543e339451", 0xDAC80D543E339451),
        (4097, 0x9E3779B185EBCA8D, "c94c98bcf2d279fca78887a19a340214", 0xA78887A19A340214),
        (10000, 0x0000000000000000, "e20727cefc44ead3bcd883507019ca90", 0xBCD883507019CA90),
        (10000, 0x9E3779B185EBCA8D, "1029c26e83437399cb4fc4745fe1706b", 0xCB4FC4745FE1706B),
        (16384, 0x0000000000000000, "035fd334e0a37a89edd17b079a94769e", 0xEDD17B079A94769E),
        (16384, 0x9E3779B185EBCA8D, "8fdd6e6f2a269d4853dd5b3f9786a823", 0x53DD5B3F9786A823),
        (16385, 0x0000000000000000, "5ed7e463994e9d95cc7d15ef1cc53611", 0xCC7D15EF1CC53611),
        (16385, 0x9E3779B185EBCA8D, "5066454c3d709fcbb6d9cab47c635df1", 0xB6D9CAB47C635DF1),
        (100000, 0x0000000000000000, "351330331bc078fb34d658192a014311", 0x34D658192A014311),
        (100000, 0x9E3779B185EBCA8D, "5a7ae76762e52b200682260a8a5afe82", 0x0682260A8A5AFE82),
    ]

    @Test("one-shot hash128 and hash64 match the reference for every length class")
    func referenceVectors() {
        let buffer = Self.buffer
        for (length, seed, hex128, value64) in Self.vectors {
            let input = Array(buffer[0..<length])
            let h128 = input.withUnsafeBytes { XXH3.hash128($0, seed: seed) }
            let h64 = input.withUnsafeBytes { XXH3.hash64($0, seed: seed) }
            #expect(h128.hex == hex128, "hash128 length \(length) seed \(seed)")
            #expect(h64 == value64, "hash64 length \(length) seed \(seed)")
            #expect(XXH3.hash128(input, seed: seed) == h128)
            #expect(XXH3.hash64(input, seed: seed) == h64)
            #expect(Hash128(hex: hex128) == h128)
        }
    }

    @Test("seed 0 is the default")
    func defaultSeed() {
        let input = Array(Self.buffer[0..<3000])
        for length in [0, 1, 7, 16, 100, 200, 241, 3000] {
            let slice = Array(input[0..<length])
            #expect(XXH3.hash128(slice) == XXH3.hash128(slice, seed: 0))
            #expect(XXH3.hash64(slice) == XXH3.hash64(slice, seed: 0))
        }
    }

    @Test("empty buffer with a nil base address")
    func emptyNilBase() {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(XXH3.hash128(empty).hex == "99aa06d3014798d86001c324468d497f")
        #expect(XXH3.hash64(empty) == 0x2D06_8005_38D3_94C2)
    }

    @Test("String overloads hash the UTF-8 bytes")
    func strings() {
        // Python: xxhash.xxh3_128_hexdigest(s.encode()), xxh3_64_intdigest(s.encode()),
        // and xxh3_128_hexdigest(s.encode(), seed=42).
        let cases: [(String, String, UInt64, String)] = [
            ("", "99aa06d3014798d86001c324468d497f", 0x2D06_8005_38D3_94C2, "16c20acd33f7af2f3c1d09e9fe249164"),
            ("a", "a96faf705af16834e6c632b61e964e1f", 0xE6C6_32B6_1E96_4E1F, "28df5945863b24b74c437dd47f0716f4"),
            ("abc", "06b05ab6733a618578af5f94892f3950", 0x78AF_5F94_892F_3950, "4bc24859f045e0b4d8438def21bbdcc3"),
            ("hello, world", "11c83d9c1ee368164c0abe17b55db69c", 0x302C_D5FB_A73D_006C, "e4e54cf639aa8e214d0b2af9c15dc2a0"),
            ("swift-cache \u{2713} \u{FC}n\u{EF}c\u{F8}d\u{E9}", "c27ae064acb5d61032ae4c99810d36f7", 0xC9FA_D19A_CCDA_3776, "0a449de20619fb5b57902f0698e9c2ce"),
        ]
        for (string, hex128, value64, seeded128) in cases {
            #expect(XXH3.hash128(string).hex == hex128, "\(string)")
            #expect(XXH3.hash64(string) == value64, "\(string)")
            #expect(XXH3.hash128(string, seed: 42).hex == seeded128, "\(string)")
            #expect(XXH3.hash128(Array(string.utf8)) == XXH3.hash128(string))
        }
    }

    static func streamed(_ input: [UInt8], seed: UInt64, chunks: [Int]) -> Hash128 {
        var hasher = XXH3Hasher128(seed: seed)
        input.withUnsafeBytes { all in
            var offset = 0
            for size in chunks {
                hasher.update(UnsafeRawBufferPointer(rebasing: all[offset..<offset + size]))
                offset += size
            }
        }
        return hasher.finalize()
    }

    @Test("streaming matches one-shot for random splits")
    func streamingRandomSplits() {
        var rng = SplitMix64(seed: 0x5EED)
        let lengths = Set(Self.vectors.map(\.0)).sorted() + [300, 511, 512, 513, 767, 768, 769, 1280, 1300, 3333, 65_536]
        for length in lengths {
            let input = Array(Self.buffer[0..<length])
            for seed in Self.seeds {
                let expected = XXH3.hash128(input, seed: seed)
                for trial in 0..<12 {
                    var chunks: [Int] = []
                    var left = length
                    while left > 0 {
                        let cap: Int
                        switch trial % 4 {
                        case 0: cap = 8
                        case 1: cap = 70
                        case 2: cap = 300
                        default: cap = 5000
                        }
                        let n = Int.random(in: 0...min(cap, left), using: &rng)
                        chunks.append(n)
                        left -= n
                    }
                    #expect(Self.streamed(input, seed: seed, chunks: chunks) == expected,
                            "length \(length) seed \(seed) chunks \(chunks.prefix(20))")
                }
                #expect(Self.streamed(input, seed: seed, chunks: [length]) == expected)
            }
        }
    }

    @Test("streaming byte by byte, and finalize mid-stream")
    func streamingByteByByte() {
        let input = Array(Self.buffer[0..<2200])
        for seed in Self.seeds {
            var hasher = XXH3Hasher128(seed: seed)
            #expect(hasher.finalize() == XXH3.hash128([], seed: seed))
            for i in 0..<input.count {
                hasher.update([input[i]])
                #expect(hasher.finalize() == XXH3.hash128(Array(input[0...i]), seed: seed), "prefix \(i + 1)")
            }
        }
    }

    @Test("streaming with chunk sizes around the buffer and stripe sizes")
    func streamingEdgeChunks() {
        let input = Array(Self.buffer[0..<20_000])
        for seed in Self.seeds {
            let expected = XXH3.hash128(input, seed: seed)
            for size in [1, 31, 63, 64, 65, 127, 128, 129, 192, 240, 241, 255, 256, 257, 511, 512, 1023, 1024, 1025, 4096] {
                var chunks = [Int](repeating: size, count: input.count / size)
                chunks.append(input.count % size)
                #expect(Self.streamed(input, seed: seed, chunks: chunks) == expected, "chunk \(size)")
                // An odd first chunk shifts every later boundary.
                var shifted = [7] + [Int](repeating: size, count: (input.count - 7) / size)
                shifted.append((input.count - 7) % size)
                #expect(Self.streamed(input, seed: seed, chunks: shifted) == expected, "7 + chunk \(size)")
            }
        }
    }

    @Test("unaligned input")
    func unaligned() {
        let input = Array(Self.buffer[0..<5000])
        for offset in 1..<8 {
            for length in [3, 7, 15, 100, 200, 1500, 4000] {
                let expected = XXH3.hash128(Array(input[offset..<offset + length]), seed: 7)
                let actual = input.withUnsafeBytes { XXH3.hash128(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + length]), seed: 7) }
                #expect(actual == expected)
            }
        }
    }
}
