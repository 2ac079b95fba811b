//! Collisions between branches: git, the base branch, the head file, the scan for stale
//! references, and the plan that `rebase` carries out.

pub mod base_branch;
pub mod file_walk;
pub mod git;
pub mod head_file;
pub mod rebase_plan;
pub mod references;
