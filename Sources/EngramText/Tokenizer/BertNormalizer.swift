import Foundation

/// The first tokenizer stage: BERT's text normalisation for an uncased vocabulary.
///
/// In order, as Hugging Face's `BertNormalizer` (clean_text, handle_chinese_chars, strip_accents,
/// lowercase) does it:
/// 1. cleaning drops NUL, U+FFFD and control / format / private-use characters and turns every
///    whitespace character into a space;
/// 2. every CJK ideograph gets a space on either side, so it becomes a word of its own;
/// 3. accents are stripped: canonical decomposition (NFD), then non-spacing marks (Mn) are dropped;
/// 4. everything is lower-cased with the full, context-free Unicode mapping (so `Σ` is always `σ`
///    and `İ` becomes `i`).
///
/// The decomposition runs first, over the whole input; no decomposition changes whether a scalar is
/// dropped, a space or an ideograph, so the result is the same as decomposing after steps 1 and 2.
struct BertNormalizer: Sendable {
    /// Normalises `input`, replacing the contents of `output` with the normalised scalars.
    /// - Parameters:
    ///   - input: raw text (one segment between special tokens).
    ///   - output: receives the normalised scalars; its capacity is reused.
    /// - Complexity: O(n) in the number of scalars.
    func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        output.removeAll(keepingCapacity: true)
        // The first scalar with a canonical decomposition is U+00C0; below it NFD is the identity.
        if input.contains(where: { $0.value >= 0xC0 }) {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: input)
            let decomposed = String(text).decomposedStringWithCanonicalMapping
            output.reserveCapacity(decomposed.unicodeScalars.count + 8)
            for scalar in decomposed.unicodeScalars { append(scalar, to: &output) }
        } else {
            output.reserveCapacity(input.count + 8)
            for scalar in input { append(scalar, to: &output) }
        }
    }

    /// Cleans, spaces, strips and lower-cases one decomposed scalar onto `output`.
    private func append(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x41...0x5A: output.append(Unicode.Scalar(UInt8(value + 0x20)))
            case 0x09, 0x0A, 0x0D, 0x20: output.append(" ")
            case 0x00..<0x20, 0x7F: break
            default: output.append(scalar)
            }
            return
        }
        if scalar.isBertIgnorable { return }
        if scalar.isBertWhitespace {
            output.append(" ")
        } else if scalar.isBertCJKIdeograph {
            output.append(" ")
            output.append(scalar)
            output.append(" ")
        } else if scalar.isBertAccent {
            return
        } else {
            let properties = scalar.properties
            if properties.changesWhenLowercased {
                output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
    }
}
