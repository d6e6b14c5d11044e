#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RandomProjectionLSH {
    /// A dense binary code of `bitCount` bits packed into 64-bit words: bit b is bit `b % 64` of
    /// word `b / 64`; the bits past `bitCount` in the last word are 0.
    public struct Code: Sendable, Hashable {
        /// The packed bits.
        public let words: [UInt64]
        /// The number of bits.
        public let bitCount: Int

        /// Creates a code from packed words after checking them.
        /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a non-positive
        ///   `bitCount`, the wrong number of words, or set bits past `bitCount`.
        public init(words: [UInt64], bitCount: Int) throws {
            guard bitCount > 0 else {
                throw AssociativeError.invalidParameter(name: "bitCount", requirement: "must be positive, got \(bitCount)")
            }
            let count = Self.wordCount(bits: bitCount)
            guard words.count == count else {
                throw AssociativeError.invalidParameter(
                    name: "words", requirement: "must hold \(count) words for \(bitCount) bits, got \(words.count)")
            }
            let spare = bitCount & 63
            if spare != 0, let last = words.last, last >> UInt64(spare) != 0 {
                throw AssociativeError.invalidParameter(name: "words", requirement: "must have no bit set past bit \(bitCount - 1)")
            }
            self.init(uncheckedWords: words, bitCount: bitCount)
        }

        init(uncheckedWords words: [UInt64], bitCount: Int) {
            self.words = words
            self.bitCount = bitCount
        }

        static func wordCount(bits: Int) -> Int { (bits + 63) / 64 }

        /// Bit `bit` of the code.
        /// - Precondition: `0 ≤ bit < bitCount`.
        public subscript(bit: Int) -> Bool {
            precondition(bit >= 0 && bit < bitCount, "RandomProjectionLSH.Code: bit \(bit) outside 0..<\(bitCount)")
            return words[bit >> 6] >> UInt64(bit & 63) & 1 == 1
        }

        /// The number of set bits.
        public var setBitCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

        /// The number of bits where the two codes differ (popcount of the XOR).
        /// - Precondition: both codes have the same `bitCount`.
        public func hammingDistance(to other: Code) -> Int {
            precondition(bitCount == other.bitCount, "RandomProjectionLSH.Code: \(bitCount) vs \(other.bitCount) bits")
            var distance = 0
            for i in words.indices { distance &+= (words[i] ^ other.words[i]).nonzeroBitCount }
            return distance
        }

        /// Charikar's estimate of the angle between the two coded vectors, π · Hamming / bits, in radians.
        /// - Precondition: both codes have the same `bitCount`.
        public func estimatedAngle(to other: Code) -> Double {
            Double.pi * Double(hammingDistance(to: other)) / Double(bitCount)
        }

        /// The cosine of ``estimatedAngle(to:)``.
        /// - Precondition: both codes have the same `bitCount`.
        public func estimatedCosine(to other: Code) -> Double {
            cos(estimatedAngle(to: other))
        }
    }
}

extension RandomProjectionLSH.Code: Codable {
    private enum CodingKeys: String, CodingKey {
        case words, bitCount
    }

    /// - Throws: ``AssociativeError/malformedData(_:)`` when the words do not fit `bitCount`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let words = try container.decode([UInt64].self, forKey: .words)
        let bitCount = try container.decode(Int.self, forKey: .bitCount)
        do {
            try self.init(words: words, bitCount: bitCount)
        } catch let error as AssociativeError {
            throw AssociativeError.malformedData("RandomProjectionLSH.Code: \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(words, forKey: .words)
        try container.encode(bitCount, forKey: .bitCount)
    }
}
