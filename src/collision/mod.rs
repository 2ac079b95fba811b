//! Collisions between branches: git, the base branch, the head file, the scan for stale
//! references, the plan that `rebase` carries out, and the repairs of `check --fix`.

pub(crate) mod atomic;
pub(crate) mod base_branch;
pub(crate) mod file_walk;
pub(crate) mod fix;
pub(crate) mod git;
pub(crate) mod head_file;
pub(crate) mod moving;
pub(crate) mod neighbours;
pub(crate) mod new_only;
pub(crate) mod rebase_plan;
pub(crate) mod references;
pub(crate) mod renumber;
pub(crate) mod shipped;
