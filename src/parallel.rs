//! Mapping over many files on every core: reading thousands of small files is mostly
//! system-call time, which threads overlap.

/// Applies `f` to every item, in order, on every core when there are at least `threshold` items.
pub(crate) fn map<T: Sync, R: Send>(
    items: &[T],
    threshold: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads == 1 || items.len() < threshold {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        // Sized once: growing a vector of thousands of parsed files would copy them repeatedly.
        let mut results = Vec::with_capacity(items.len());
        for worker in workers {
            // Workers only read and parse; if one panicked, the bug should surface, not be hidden.
            results.extend(
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results
    })
}
