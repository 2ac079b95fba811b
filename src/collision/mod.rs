//! Collisions between branches: git, the base branch, the head file, the scan for stale
//! references, and the plan that `rebase` carries out.

pub(crate) mod base_branch;
pub(crate) mod file_walk;
pub(crate) mod git;
pub(crate) mod head_file;
pub(crate) mod rebase_plan;
pub(crate) mod references;
pub(crate) mod renumber;
