/// The last tokenizer stage: BERT's single-sequence template, `[CLS] pieces [SEP]`, with
/// truncation so the whole sequence fits the model's length.
///
/// Truncation keeps the first pieces (Hugging Face's `truncation=True`, `max_length`): the result
/// has at most `maxLength` ids and always ends with `[SEP]`.
struct BertPostProcessor: Sendable {
    let clsID: Int32
    let sepID: Int32

    /// The ids the template adds around the pieces.
    static let addedTokenCount = 2

    /// How many word pieces fit a sequence of at most `maxLength` ids.
    /// - Precondition: `maxLength >= 2`, room for `[CLS]` and `[SEP]`.
    func pieceBudget(maxLength: Int) -> Int {
        precondition(maxLength >= Self.addedTokenCount, "maxLength must leave room for [CLS] and [SEP], got \(maxLength)")
        return maxLength - Self.addedTokenCount
    }

    /// `[CLS]`, the first `pieceBudget(maxLength:)` of `pieces`, `[SEP]`.
    /// - Precondition: `maxLength >= 2`.
    func process(_ pieces: [Int32], maxLength: Int) -> [Int32] {
        let kept = pieces.prefix(pieceBudget(maxLength: maxLength))
        var ids: [Int32] = []
        ids.reserveCapacity(kept.count + Self.addedTokenCount)
        ids.append(clsID)
        ids.append(contentsOf: kept)
        ids.append(sepID)
        return ids
    }
}
