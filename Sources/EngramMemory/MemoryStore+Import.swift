/// Bulk writes.
extension MemoryStore {
    /// What an import did.
    public struct ImportSummary: Sendable, Equatable {
        public var stored = 0
        public var duplicates = 0
    }

    /// Stores `items` in transactions of ``Configuration/importBatchSize``, calling `committed`
    /// after each commit with the number of items handled so far: everything reported there is
    /// durable, whatever happens to the process afterwards. At the end the imported scopes'
    /// index snapshots are saved, so that the next process to open them restores them at once.
    /// - Throws: as ``remember(_:)-([NewMemory])``; batches committed before the failure stay.
    public func importMemories(
        _ items: [NewMemory], committed: (_ done: Int, _ summary: ImportSummary) -> Void = { _, _ in }
    ) throws -> ImportSummary {
        var summary = ImportSummary()
        var done = 0
        let size = max(1, configuration.importBatchSize)
        while done < items.count {
            let batch = Array(items[done ..< min(done + size, items.count)])
            for outcome in try remember(batch) {
                if case .stored = outcome { summary.stored += 1 } else { summary.duplicates += 1 }
            }
            done += batch.count
            committed(done, summary)
        }
        saveSnapshots(of: Set(items.map(\.scope)))
        return summary
    }
}
