//! Names no other run draws: twelve random hex digits from the standard library's randomly
//! seeded hasher, with the time and the process id mixed in.

use std::hash::{BuildHasher, Hasher};
use std::time::SystemTime;

/// Twelve hex digits, as Alembic's `uuid4().hex[-12:]`.
#[must_use]
pub(crate) fn hex12() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff)
}
