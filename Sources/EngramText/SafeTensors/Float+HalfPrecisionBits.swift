extension Float {
    /// Widens an IEEE 754 binary16 value, given as its bit pattern, to `Float`; exact for every
    /// input, subnormals, infinities and NaN payloads included.
    ///
    /// Bit manipulation rather than `Float16`, which is unavailable on macOS on Intel: one code path
    /// on every platform, tested against all 65,536 bit patterns. The exponent is rebiased from 15
    /// to 127; binary16 subnormals become `Float` normals by letting the FPU renormalise them
    /// (F. Giesen, "half_to_float_fast5").
    /// - Parameter bits: the binary16 bit pattern, in host byte order.
    init(float16Bits bits: UInt16) {
        let exponentMask: UInt32 = 0x7C00 << 13
        var widened = UInt32(bits & 0x7FFF) << 13
        let exponent = widened & exponentMask
        widened &+= (127 - 15) << 23
        if exponent == exponentMask {
            // Infinity or NaN: the exponent must become all ones.
            widened &+= (128 - 16) << 23
        } else if exponent == 0 {
            // Zero or subnormal: add the implicit bit, then subtract it back out in floating point.
            widened &+= 1 << 23
            widened = (Float(bitPattern: widened) - Float(bitPattern: 113 << 23)).bitPattern
        }
        self.init(bitPattern: widened | UInt32(bits & 0x8000) << 16)
    }

    /// Widens a bfloat16 value, given as its bit pattern, to `Float`: bfloat16 is the top 16 bits
    /// of a binary32, so this is exact.
    /// - Parameter bits: the bfloat16 bit pattern, in host byte order.
    @inline(__always)
    init(bfloat16Bits bits: UInt16) {
        self.init(bitPattern: UInt32(bits) << 16)
    }
}
