#ifndef CENGRAM_PREFETCH_H
#define CENGRAM_PREFETCH_H

/// A hint that the cache line holding `address` will be read soon (a prefetch; no effect on
/// results, never faults). Swift has no prefetch of its own; this inline function compiles to one
/// instruction inside the Swift loop that calls it (`__builtin_prefetch`, locality 3).
static inline void engram_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#else
    (void)address;
#endif
}

#endif
