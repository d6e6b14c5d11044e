/// The element types a safetensors header may name, spelled as in the header.
///
/// Every dtype of the format is listed so that each entry's byte range can be checked against its
/// shape when the file is opened; only `f32`, `f16` and `bf16` are converted to `Float`, and `i64`
/// is read as `Int64`.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case u16 = "U16"
    case i16 = "I16"
    case f16 = "F16"
    case bf16 = "BF16"
    case u32 = "U32"
    case i32 = "I32"
    case f32 = "F32"
    case u64 = "U64"
    case i64 = "I64"
    case f64 = "F64"

    /// The size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: 1
        case .u16, .i16, .f16, .bf16: 2
        case .u32, .i32, .f32: 4
        case .u64, .i64, .f64: 8
        }
    }
}
