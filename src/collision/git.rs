//! Running `git` itself: refs, the files at a ref, merge state, and renames that git records.
//!
//! Asking git rather than reading `.git` keeps every repository layout working: worktrees,
//! submodules, shallow clones, packed refs.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;

/// A git repository, entered from a directory inside it.
#[derive(Debug, Clone)]
pub(crate) struct Git {
    dir: PathBuf,
}

/// A file at a ref: its name inside the directory listed, and its bytes.
pub(crate) type File = (String, Vec<u8>);

impl Git {
    /// The repository holding `dir`, or `None` when `dir` is not inside one (or git is missing).
    #[must_use]
    pub(crate) fn discover(dir: &Path) -> Option<Git> {
        let git = Git {
            dir: dir.to_path_buf(),
        };
        let inside = git.output(&["rev-parse", "--is-inside-work-tree"]).ok()?;
        (inside.trim() == "true").then_some(git)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command.arg("-C").arg(&self.dir).args(args);
        command
    }

    /// Runs git and returns its stdout; a failure carries git's own message.
    fn output(&self, args: &[&str]) -> Result<String, Error> {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Git(format!("cannot run `git`: {e}")))?;
        if !output.status.success() {
            return Err(Error::Git(format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        String::from_utf8(output.stdout)
            .map_err(|_| Error::Git(format!("`git {}` printed non-UTF-8", args.join(" "))))
    }

    /// The commit `reference` names, or `None` when there is no such commit here.
    pub(crate) fn commit(&self, reference: &str) -> Result<Option<String>, Error> {
        let spec = format!("{reference}^{{commit}}");
        let output = self
            .command(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Git(format!("cannot run `git`: {e}")))?;
        Ok(output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned()))
    }

    /// The newest common ancestor of two commits; `None` when history does not reach it,
    /// as in a shallow clone.
    #[must_use]
    pub(crate) fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        self.output(&["merge-base", a, b])
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// The directory git was entered from, relative to the top level: `migrations/`, or empty.
    pub(crate) fn prefix(&self) -> Result<String, Error> {
        Ok(self
            .output(&["rev-parse", "--show-prefix"])?
            .trim()
            .to_owned())
    }

    /// The tree of the directory `prefix` at `commit`, as git names it.
    fn tree(commit: &str, prefix: &str) -> String {
        match prefix.trim_end_matches('/') {
            "" => format!("{commit}^{{tree}}"),
            dir => format!("{commit}:{dir}"),
        }
    }

    /// The regular files directly in directory `prefix` at `commit` (at every depth with
    /// `recursive`, named by their path under it), with their blob ids; empty when the
    /// directory does not exist there.
    fn blobs(
        &self,
        commit: &str,
        prefix: &str,
        recursive: bool,
    ) -> Result<Vec<(String, String)>, Error> {
        let tree = Git::tree(commit, prefix);
        if self.commit_object(&tree).is_none() {
            return Ok(Vec::new());
        }
        // `--full-tree`: from inside a subdirectory, git would otherwise filter the listing by it.
        let mut args = vec!["ls-tree", "-z", "--full-tree"];
        if recursive {
            args.push("-r");
        }
        args.push(&tree);
        let listing = self.output(&args)?;
        Ok(listing
            .split('\0')
            .filter_map(|entry| {
                let (meta, name) = entry.split_once('\t')?;
                let mut fields = meta.split(' ');
                let (mode, kind, id) = (fields.next()?, fields.next()?, fields.next()?);
                // Links (120000) hold a target path, not a migration.
                (kind == "blob" && mode != "120000").then(|| (name.to_owned(), id.to_owned()))
            })
            .collect())
    }

    fn commit_object(&self, spec: &str) -> Option<String> {
        self.output(&["rev-parse", "--verify", "--quiet", "--end-of-options", spec])
            .ok()
            .map(|s| s.trim().to_owned())
    }

    /// The names of the files directly in directory `prefix` at `commit` (under it, with
    /// `recursive`).
    pub(crate) fn names(
        &self,
        commit: &str,
        prefix: &str,
        recursive: bool,
    ) -> Result<Vec<String>, Error> {
        Ok(self
            .blobs(commit, prefix, recursive)?
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }

    /// The files directly in directory `prefix` at `commit` (under it, with `recursive`), read
    /// in one `git cat-file` process.
    pub(crate) fn files(
        &self,
        commit: &str,
        prefix: &str,
        recursive: bool,
    ) -> Result<Vec<File>, Error> {
        let blobs = self.blobs(commit, prefix, recursive)?;
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let failed = |e: std::io::Error| Error::Git(format!("cannot read files from git: {e}"));
        let mut child = self
            .command(&["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(failed)?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| Error::Git("no stdin".to_owned()))?;
        let ids: String = blobs
            .iter()
            .flat_map(|(_, id)| [id.as_str(), "\n"])
            .collect();
        // Writing from another thread: git answers while it reads, and both pipes can fill.
        let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::Git("no stdout".to_owned()))?;
        let mut reader = BufReader::new(stdout);
        let mut files = Vec::with_capacity(blobs.len());
        for (name, id) in blobs {
            let mut header = String::new();
            reader.read_line(&mut header).map_err(failed)?;
            let size = header
                .trim_end()
                .strip_prefix(&format!("{id} blob "))
                .and_then(|s| s.parse::<usize>().ok())
                .ok_or_else(|| Error::Git(format!("unexpected `git cat-file` output: {header}")))?;
            let mut bytes = vec![0; size + 1];
            reader.read_exact(&mut bytes).map_err(failed)?;
            bytes.pop();
            files.push((name, bytes));
        }
        writer
            .join()
            .map_err(|_| Error::Git("writing to `git cat-file` panicked".to_owned()))?
            .map_err(failed)?;
        child.wait().map_err(failed)?;
        Ok(files)
    }

    /// A file's bytes at `commit`, by its path relative to the directory git was entered from;
    /// `None` when the file is not there.
    #[must_use]
    pub(crate) fn show(&self, commit: &str, path: &str) -> Option<Vec<u8>> {
        let output = self
            .command(&["cat-file", "blob", &format!("{commit}:./{path}")])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output.status.success().then_some(output.stdout)
    }

    /// Whether a merge is in progress, and which commit is being merged in.
    #[must_use]
    pub(crate) fn merge_head(&self) -> Option<String> {
        self.commit_object("MERGE_HEAD")
    }

    /// The current branch's short name; `None` on a detached HEAD.
    #[must_use]
    pub(crate) fn current_branch(&self) -> Option<String> {
        self.line(&["symbolic-ref", "--quiet", "--short", "HEAD"])
    }

    /// The remote's default branch (`origin/HEAD` points at it), when the clone knows it.
    #[must_use]
    pub(crate) fn remote_default(&self) -> Option<String> {
        self.line(&[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ])
    }

    /// The current branch's upstream (`@{upstream}`), when it has one.
    #[must_use]
    pub(crate) fn upstream(&self) -> Option<String> {
        self.line(&[
            "rev-parse",
            "--abbrev-ref",
            "--symbolic-full-name",
            "@{upstream}",
        ])
    }

    /// The local branches whose tip is `commit`.
    #[must_use]
    pub(crate) fn branches_at(&self, commit: &str) -> Vec<String> {
        self.output(&["branch", "--format=%(refname:short)", "--points-at", commit])
            .map(|out| out.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Whether commit `a` is `b` or one of its ancestors.
    #[must_use]
    pub(crate) fn is_ancestor(&self, a: &str, b: &str) -> bool {
        self.command(&["merge-base", "--is-ancestor", a, b])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// git's one line of output, when it answered.
    fn line(&self, args: &[&str]) -> Option<String> {
        self.command(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// Whether a `git rebase` is stopped in the middle.
    #[must_use]
    pub(crate) fn rebasing(&self) -> bool {
        ["rebase-merge", "rebase-apply"].iter().any(|name| {
            self.output(&["rev-parse", "--git-path", name])
                .is_ok_and(|path| self.dir.join(path.trim()).is_dir())
        })
    }

    /// Whether a `git cherry-pick` is stopped in the middle.
    #[must_use]
    pub(crate) fn cherry_picking(&self) -> bool {
        self.commit_object("CHERRY_PICK_HEAD").is_some()
    }

    /// Of `paths`, the ones git tracks.
    pub(crate) fn tracked(&self, paths: &[&Path]) -> Result<Vec<PathBuf>, Error> {
        let mut args = vec!["ls-files", "-z", "--full-name", "--"];
        let strings: Vec<String> = paths.iter().map(|p| absolute(p)).collect();
        args.extend(strings.iter().map(String::as_str));
        let top = PathBuf::from(self.output(&["rev-parse", "--show-toplevel"])?.trim());
        Ok(self
            .output(&args)?
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(|s| top.join(s))
            .collect())
    }

    /// `git mv`, so that the rename is staged as one.
    pub(crate) fn mv(&self, from: &Path, to: &Path) -> Result<(), Error> {
        self.output(&["mv", "--", &absolute(from), &absolute(to)])
            .map(drop)
    }

    /// `git add`: stages exactly these paths (and marks a resolved conflict as resolved).
    pub(crate) fn add(&self, paths: &[&Path]) -> Result<(), Error> {
        if paths.is_empty() {
            return Ok(());
        }
        let strings: Vec<String> = paths.iter().map(|p| absolute(p)).collect();
        let mut args = vec!["add", "--"];
        args.extend(strings.iter().map(String::as_str));
        self.output(&args).map(drop)
    }
}

/// Paths handed to git are absolute: git runs in another directory than `migrate`.
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}
