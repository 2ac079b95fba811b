//! Generated git histories: random branches, commits, pushes, merges both ways, rebases,
//! cherry-picks, squash merges and pulls against a bare remote, each repaired the way the README
//! says, with invariants checked after every repair. Scenarios are generated, not chosen: the
//! incident this tool exists for came from a case where two hand-picked rules agreed.
//!
//! `MIGRATE_SCENARIO_SEED=N cargo test --test it scenarios` reruns one seed;
//! `MIGRATE_SCENARIOS=N` sets how many seeds run (300 by default). A seed that ever failed is
//! kept in `FIXED`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::server::{TestDb, server};
use crate::common::{Run, alembic, git_command, run_in};

/// Seeds that failed once, kept as regression tests.
const FIXED: &[u64] = &[];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tree {
    Native,
    Alembic,
}

struct World {
    rng: fastrand::Rng,
    seed: u64,
    _tmp: tempfile::TempDir,
    remote: PathBuf,
    work: PathBuf,
    other: Option<PathBuf>,
    tree: Tree,
    head_file: bool,
    /// Feature branches still to be integrated.
    features: Vec<String>,
    counter: usize,
    db: Option<TestDb>,
    log: Vec<String>,
}

fn sh(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = git_command(dir, args)
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = fastrand::Rng::with_seed(seed);
        let tmp = tempfile::tempdir().unwrap();
        let remote = tmp.path().join("remote.git");
        let work = tmp.path().join("work");
        let tree = if rng.bool() {
            Tree::Native
        } else {
            Tree::Alembic
        };
        let head_file = rng.bool();
        std::fs::create_dir_all(&remote).unwrap();
        assert!(sh(&remote, &["init", "-q", "--bare", "-b", "main"]).0);
        std::fs::create_dir_all(&work).unwrap();
        let mut world = World {
            rng,
            seed,
            _tmp: tmp,
            remote,
            work,
            other: None,
            tree,
            head_file,
            features: Vec::new(),
            counter: 0,
            db: None,
            log: vec![format!("{tree:?} tree, head file {head_file}")],
        };
        let work = world.work.clone();
        world.git(&["init", "-q", "-b", "main"]);
        if tree == Tree::Alembic {
            alembic::project(&work);
        }
        world.add_revision(&work);
        world.add_revision(&work);
        world.git(&["add", "-A"]);
        world.git(&["commit", "-q", "-m", "first two revisions"]);
        let remote = world.remote.display().to_string();
        world.git(&["remote", "add", "origin", &remote]);
        world.git(&["push", "-q", "-u", "origin", "main"]);
        world.git(&["remote", "set-head", "origin", "main"]);
        if tree == Tree::Native {
            world.db = Some(server().database(&format!("scenario_{seed}")));
            world.deploy();
        }
        world
    }

    fn git(&mut self, args: &[&str]) -> String {
        let (ok, text) = sh(&self.work, args);
        assert!(ok, "{}git {args:?} failed: {text}", self.context());
        text
    }

    fn context(&self) -> String {
        format!(
            "seed {} (rerun: MIGRATE_SCENARIO_SEED={} cargo test --test it scenarios)\n{}\n",
            self.seed,
            self.seed,
            self.log.join("\n")
        )
    }

    fn dir(&self, repo: &Path) -> PathBuf {
        match self.tree {
            Tree::Native => repo.join("migrations"),
            Tree::Alembic => repo.join("alembic/versions"),
        }
    }

    /// The revisions in `repo`'s working tree: id -> (file name, parents).
    fn revisions(&self, repo: &Path) -> BTreeMap<String, (String, Vec<String>)> {
        let mut found = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir(self.dir(repo)) else {
            return found;
        };
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(self.dir(repo).join(&name)).unwrap_or_default();
            let (id, parents) = match self.tree {
                Tree::Native if Path::new(&name).extension().is_some_and(|e| e == "sql") => {
                    let id = name.split('_').next().unwrap().to_owned();
                    let line = text
                        .lines()
                        .find_map(|l| l.strip_prefix("-- migrate:revises "))
                        .unwrap_or("none");
                    let parents = line
                        .split_whitespace()
                        .filter(|p| *p != "none")
                        .map(str::to_owned)
                        .collect();
                    (id, parents)
                }
                Tree::Alembic if Path::new(&name).extension().is_some_and(|e| e == "py") => {
                    let value = |key: &str| {
                        text.lines()
                            .find(|l| l.starts_with(key))
                            .and_then(|l| l.split_once(" = "))
                            .map(|(_, v)| v.to_owned())
                            .unwrap_or_default()
                    };
                    let id = value("revision:").trim_matches('\'').to_owned();
                    let parents = value("down_revision:")
                        .split('\'')
                        .skip(1)
                        .step_by(2)
                        .map(str::to_owned)
                        .collect();
                    (id, parents)
                }
                _ => continue,
            };
            found.insert(id, (name, parents));
        }
        found
    }

    /// Writes a new revision after the one head of `repo`'s working tree, and the head file.
    fn add_revision(&mut self, repo: &Path) -> String {
        let revisions = self.revisions(repo);
        let heads: Vec<&String> = revisions
            .keys()
            .filter(|id| !revisions.values().any(|(_, ps)| ps.contains(id)))
            .collect();
        assert!(
            heads.len() <= 1,
            "{}adding a revision on a tree with heads {heads:?}",
            self.context()
        );
        let parent = heads.first().map(|h| (*h).clone());
        self.counter += 1;
        let tag = format!("s{}_{}", self.seed, self.counter);
        let (id, file, text) = match self.tree {
            Tree::Native => {
                let next = revisions
                    .keys()
                    .filter_map(|k| k.parse::<u32>().ok())
                    .max()
                    .unwrap_or(0)
                    + 1;
                let id = format!("{next:03}");
                let file = format!("{id}_add_{tag}.sql");
                let text = format!(
                    "-- add {tag}\n-- migrate:revises {}\n\n-- migrate:up\nCREATE TABLE t_{tag} (id int);\n\n-- migrate:down\nDROP TABLE t_{tag};\n",
                    parent.as_deref().unwrap_or("none")
                );
                (id, file, text)
            }
            Tree::Alembic => {
                let id: String = (0..12)
                    .map(|_| char::from_digit(self.rng.u32(0..16), 16).unwrap())
                    .collect();
                let file = format!("{id}_add_{tag}.py");
                let parents: Vec<&str> = parent.iter().map(String::as_str).collect();
                let text = alembic::revision_file(&id, &parents, &format!("add {tag}"));
                (id, file, text)
            }
        };
        let dir = self.dir(repo);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&file), text).unwrap();
        if self.head_file {
            std::fs::write(dir.join("HEAD"), format!("{id} {file}\n")).unwrap();
        }
        file
    }

    fn migrate(&self, args: &[&str]) -> Run {
        let mut full: Vec<&str> = Vec::new();
        let url;
        if let Some(db) = &self.db {
            url = db.url.clone();
            if matches!(args.first(), Some(&"upgrade" | &"current")) {
                full.extend(["--database-url", url.as_str()]);
            }
        }
        full.extend(args);
        run_in(&self.work, &full)
    }

    fn checkout(&mut self, branch: &str) {
        self.git(&["checkout", "-q", branch]);
    }

    /// The operation in progress, if any.
    fn in_progress(&self) -> Option<&'static str> {
        let git_dir = self.work.join(".git");
        if git_dir.join("rebase-merge").exists() || git_dir.join("rebase-apply").exists() {
            Some("rebase")
        } else if git_dir.join("MERGE_HEAD").exists() {
            Some("merge")
        } else if git_dir.join("CHERRY_PICK_HEAD").exists() {
            Some("cherry-pick")
        } else {
            None
        }
    }

    /// The README's repair: `migrate rebase` wherever `check` fails or git stopped, then
    /// the commit (or `--continue`) that git's operation needs.
    fn repair(&mut self, finish: &str) {
        for _ in 0..20 {
            let operation = self.in_progress();
            let unmerged = !self
                .git(&["diff", "--name-only", "--diff-filter=U"])
                .is_empty();
            let check = self.migrate(&["check"]);
            if operation.is_none() && !unmerged && check.code == 0 {
                let staged = !self.git(&["status", "--porcelain"]).is_empty();
                if staged {
                    self.git(&["add", "-A"]);
                    self.git(&["commit", "-q", "-m", finish]);
                }
                return;
            }
            if unmerged || check.code != 0 {
                let run = self.migrate(&["rebase"]);
                self.log.push(format!(
                    "  migrate rebase ({operation:?}): exit {}\n{}{}",
                    run.code, run.stdout, run.stderr
                ));
                assert_eq!(
                    run.code,
                    0,
                    "{}`migrate rebase` refused where no side has shipped twice",
                    self.context()
                );
            }
            match operation {
                Some("rebase") => {
                    let (_, text) = sh(&self.work, &["rebase", "--continue"]);
                    self.log
                        .push(format!("  git rebase --continue: {}", text.trim()));
                }
                Some("merge") => {
                    self.git(&["commit", "-q", "--no-edit"]);
                }
                Some(_) => {
                    let (_, text) = sh(&self.work, &["cherry-pick", "--continue"]);
                    self.log
                        .push(format!("  git cherry-pick --continue: {}", text.trim()));
                }
                None => {
                    self.git(&["add", "-A"]);
                    self.git(&["commit", "-q", "-m", finish]);
                }
            }
        }
        panic!("{}the repair did not converge", self.context());
    }

    /// Pushes `main` and upgrades the database that follows the remote's default branch.
    fn push_main(&mut self) {
        self.git(&["push", "-q", "origin", "main"]);
        self.deploy();
    }

    fn deploy(&mut self) {
        if self.db.is_none() {
            return;
        }
        let run = self.migrate(&["upgrade"]);
        assert_eq!(
            run.code,
            0,
            "{}the deploy of origin/main failed:\n{}{}",
            self.context(),
            run.stdout,
            run.stderr
        );
        let current = self.migrate(&["current", "--check-heads"]);
        assert_eq!(
            current.code,
            0,
            "{}{}{}",
            self.context(),
            current.stdout,
            current.stderr
        );
        let revisions = self.revisions(&self.work.clone()).len();
        let db = self.db.as_ref().unwrap();
        let rows = db.one("SELECT count(*) FROM refinery_schema_history");
        let versions = db.one("SELECT count(DISTINCT version) FROM refinery_schema_history");
        assert_eq!(
            (rows.clone(), versions),
            (revisions.to_string(), rows),
            "{}each revision recorded once",
            self.context()
        );
    }

    /// The invariants that hold after every repair.
    fn invariants(&mut self) {
        let check = self.migrate(&["check"]);
        assert_eq!(
            check.code,
            0,
            "{}check after the repair:\n{}{}",
            self.context(),
            check.stdout,
            check.stderr
        );
        self.git(&["fetch", "-q", "origin"]);
        let head = self.git(&["rev-parse", "HEAD"]);
        if sh(
            &self.work,
            &["merge-base", "--is-ancestor", "origin/main", head.trim()],
        )
        .0
        {
            let base = self.migrate(&["check", "--base", "origin/main"]);
            assert_eq!(
                base.code,
                0,
                "{}check --base origin/main:\n{}{}",
                self.context(),
                base.stdout,
                base.stderr
            );
        }
        // Every revision the remote's default branch has keeps its name and bytes.
        let dir = self.dir(Path::new(""));
        let prefix = dir.to_string_lossy().into_owned();
        let listing = self.git(&[
            "ls-tree",
            "--name-only",
            "origin/main",
            &format!("{prefix}/"),
        ]);
        for path in listing.lines().filter(|p| !p.ends_with("/HEAD")) {
            let shipped = git_command(&self.work, &["show", &format!("origin/main:{path}")])
                .output()
                .unwrap()
                .stdout;
            let here = std::fs::read(self.work.join(path));
            assert!(
                here.as_ref().is_ok_and(|b| *b == shipped),
                "{}`{path}` shipped on origin/main and changed or moved",
                self.context()
            );
        }
        let status = self.git(&["status", "--porcelain"]);
        assert_eq!(
            status,
            "",
            "{}the repair left changes behind",
            self.context()
        );
    }

    fn step(&mut self) {
        let choice = if self.features.is_empty() {
            0
        } else {
            self.rng.u32(0..9)
        };
        match choice {
            0 => self.new_feature(),
            1 => self.feature_commit(),
            2 => self.main_commit(),
            3 => self.merge_into_main(),
            4 => self.merge_main_into_feature(),
            5 => self.rebase_feature(),
            6 => self.cherry_pick_into_main(),
            7 => self.squash_into_main(),
            _ => self.pull_with_collision(),
        }
    }

    fn pick_feature(&mut self) -> String {
        let i = self.rng.usize(..self.features.len());
        self.features[i].clone()
    }

    fn new_feature(&mut self) {
        if self.features.len() >= 3 {
            return self.feature_commit();
        }
        let name = format!("feature{}", self.counter);
        self.log.push(format!("new branch {name} from main"));
        self.checkout("main");
        self.git(&["checkout", "-q", "-b", &name]);
        self.features.push(name);
        self.feature_commit_on_current();
    }

    fn feature_commit(&mut self) {
        let branch = self.pick_feature();
        self.checkout(&branch);
        self.feature_commit_on_current();
    }

    fn feature_commit_on_current(&mut self) {
        let count = self.rng.usize(1..=2);
        for _ in 0..count {
            let work = self.work.clone();
            let file = self.add_revision(&work);
            self.log.push(format!("commit {file}"));
            self.git(&["add", "-A"]);
            self.git(&["commit", "-q", "-m", &file]);
        }
        if self.rng.bool() {
            let branch = self.git(&["branch", "--show-current"]);
            self.log.push(format!("push -u {}", branch.trim()));
            self.git(&["push", "-q", "-f", "-u", "origin", branch.trim()]);
        }
    }

    fn main_commit(&mut self) {
        self.checkout("main");
        let work = self.work.clone();
        let file = self.add_revision(&work);
        self.log.push(format!("main: commit and push {file}"));
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", &file]);
        self.push_main();
        self.invariants();
    }

    fn retire(&mut self, branch: &str) {
        self.features.retain(|f| f != branch);
    }

    fn merge_into_main(&mut self) {
        let branch = self.pick_feature();
        self.checkout("main");
        self.log.push(format!("main: git merge {branch}"));
        let _ = sh(&self.work, &["merge", "--no-ff", "--no-edit", &branch]);
        self.repair(&format!("renumber after merging {branch}"));
        self.push_main();
        self.invariants();
        self.retire(&branch);
    }

    fn merge_main_into_feature(&mut self) {
        let branch = self.pick_feature();
        self.checkout(&branch);
        self.log.push(format!("{branch}: git merge main"));
        let _ = sh(&self.work, &["merge", "--no-edit", "main"]);
        self.repair("renumber after merging main");
        self.invariants();
    }

    fn rebase_feature(&mut self) {
        let branch = self.pick_feature();
        self.checkout(&branch);
        self.log.push(format!("{branch}: git rebase main"));
        let _ = sh(&self.work, &["rebase", "main"]);
        self.repair("renumber after rebasing on main");
        self.invariants();
    }

    fn cherry_pick_into_main(&mut self) {
        let branch = self.pick_feature();
        let commits = self.git(&["rev-list", &format!("main..{branch}")]);
        // Merges cannot be picked one by one; the branch is merged instead.
        let merges = self.git(&["rev-list", "--merges", &format!("main..{branch}")]);
        if commits.trim().is_empty() || !merges.is_empty() {
            return self.merge_into_main();
        }
        self.checkout("main");
        self.log
            .push(format!("main: git cherry-pick main..{branch}"));
        let _ = sh(&self.work, &["cherry-pick", &format!("main..{branch}")]);
        self.repair("renumber the picked revisions");
        self.push_main();
        self.invariants();
        // The picked revisions are now main's: the branch is done with.
        self.retire(&branch);
    }

    fn squash_into_main(&mut self) {
        let branch = self.pick_feature();
        self.checkout("main");
        self.log.push(format!("main: git merge --squash {branch}"));
        let _ = sh(&self.work, &["merge", "--squash", &branch]);
        self.repair(&format!("squash {branch}"));
        self.push_main();
        self.invariants();
        self.retire(&branch);
    }

    fn pull_with_collision(&mut self) {
        let other = self.other.clone().unwrap_or_else(|| {
            let other = self.work.with_file_name("other");
            let remote = self.remote.display().to_string();
            let parent = other.parent().unwrap().to_path_buf();
            assert!(sh(&parent, &["clone", "-q", &remote, "other"]).0);
            other
        });
        self.other = Some(other.clone());
        assert!(sh(&other, &["checkout", "-q", "main"]).0);
        assert!(sh(&other, &["pull", "-q", "--no-rebase"]).0);
        let file = self.add_revision(&other);
        assert!(sh(&other, &["add", "-A"]).0);
        assert!(sh(&other, &["commit", "-q", "-m", &file]).0);
        assert!(sh(&other, &["push", "-q", "origin", "main"]).0);
        self.deploy_from(&other);
        self.checkout("main");
        let work = self.work.clone();
        let mine = self.add_revision(&work);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", &mine]);
        let rebase = self.rng.bool();
        self.log.push(format!(
            "another clone pushed {file}; main committed {mine}; git pull {}",
            if rebase { "--rebase" } else { "--no-rebase" }
        ));
        let flag = if rebase { "--rebase" } else { "--no-rebase" };
        let _ = sh(&self.work, &["pull", "-q", "--no-edit", flag]);
        self.repair("renumber after pulling");
        self.push_main();
        self.invariants();
    }

    /// The database follows whatever was pushed to the default branch, from any clone.
    fn deploy_from(&mut self, clone: &Path) {
        let Some(db) = &self.db else {
            return;
        };
        let run = run_in(clone, &["--database-url", &db.url, "upgrade"]);
        assert_eq!(
            run.code,
            0,
            "{}the other clone's deploy failed:\n{}{}",
            self.context(),
            run.stdout,
            run.stderr
        );
    }
}

fn run_seed(seed: u64) {
    let mut world = World::new(seed);
    let steps = world.rng.usize(3..=8);
    for _ in 0..steps {
        world.step();
    }
    // Every branch is integrated at the end, so every revision reaches the database once.
    while let Some(branch) = world.features.first().cloned() {
        world.checkout(&branch);
        world.merge_into_main();
    }
}

#[test]
fn generated_histories_keep_every_invariant() {
    if let Some(seed) = std::env::var("MIGRATE_SCENARIO_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return run_seed(seed);
    }
    let count: u64 = std::env::var("MIGRATE_SCENARIOS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let seeds: Vec<u64> = FIXED.iter().copied().chain(0..count).collect();
    // Two threads: the machine has two cores, and each history waits on git and PostgreSQL.
    let (left, right) = seeds.split_at(seeds.len() / 2);
    std::thread::scope(|scope| {
        let a = scope.spawn(|| left.iter().for_each(|&s| run_seed(s)));
        let b = scope.spawn(|| right.iter().for_each(|&s| run_seed(s)));
        for handle in [a, b] {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}
