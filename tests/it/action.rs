//! The GitHub Action (`action.yml`), run here as a runner runs a composite action: each step's
//! `run` in `bash -eo pipefail`, with the step's `env` evaluated from the inputs, `GITHUB_PATH`
//! carried to the next step. The install step takes the wheel from `target/wheels` by its hash;
//! the check step annotates findings. No input reaches the shell as code: hostile values such
//! as `$(touch pwned)` are tried in every input, and nothing is ever created.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{commit_all, git, git_init, revision, root, write_tree};

fn action() -> Value {
    crate::common::yaml_as_json(&root().join("action.yml"))
}

/// A runner for one job: its temporary directory, `GITHUB_PATH` file and the action's copy.
struct Runner {
    temp: tempfile::TempDir,
    action_dir: PathBuf,
    steps: Vec<Value>,
    defaults: Vec<(String, String)>,
}

/// What one step printed and how it exited.
struct Step {
    code: i32,
    said: String,
}

impl Runner {
    /// The action copied with `requirements` as its pins (`None`: pins of `target/wheels`).
    fn new(requirements: Option<&str>) -> Runner {
        crate::common::wheel::built_wheel();
        let temp = tempfile::tempdir().unwrap();
        let action_dir = temp.path().join("action");
        std::fs::create_dir_all(action_dir.join("packaging/action")).unwrap();
        std::fs::copy(root().join("action.yml"), action_dir.join("action.yml")).unwrap();
        for script in ["install.sh", "check.sh"] {
            std::fs::copy(
                root().join("packaging/action").join(script),
                action_dir.join("packaging/action").join(script),
            )
            .unwrap();
        }
        let pins = action_dir.join("packaging/action/requirements.txt");
        if let Some(text) = requirements {
            std::fs::write(&pins, text).unwrap();
        } else {
            let made = Command::new(root().join("target/venv/bin/python"))
                .arg(root().join("scripts/action-pins"))
                .arg(root().join("target/wheels"))
                .arg("--out")
                .arg(&pins)
                .output()
                .unwrap();
            assert!(
                made.status.success(),
                "{}",
                String::from_utf8_lossy(&made.stderr)
            );
        }
        std::fs::create_dir_all(temp.path().join("runner-temp")).unwrap();
        std::fs::write(temp.path().join("github-path"), "").unwrap();
        let action = action();
        let steps = action["runs"]["steps"].as_array().unwrap().clone();
        let defaults = action["inputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_owned()))
            .collect();
        Runner {
            temp,
            action_dir,
            steps,
            defaults,
        }
    }

    /// An expression of the step's `env`, as the runner evaluates it.
    fn evaluate(&self, value: &str, inputs: &[(&str, &str)]) -> String {
        let mut out = value.replace(
            "${{ github.action_path }}",
            &self.action_dir.to_string_lossy(),
        );
        for (name, default) in &self.defaults {
            let given = inputs
                .iter()
                .find(|(k, _)| k == name)
                .map_or(default.as_str(), |(_, v)| v);
            out = out.replace(&format!("${{{{ inputs.{name} }}}}"), given);
        }
        assert!(
            !out.contains("${{"),
            "an expression the test does not know: {value}"
        );
        out
    }

    /// Runs step `index` in `workspace`, as the runner would.
    fn step(
        &self,
        index: usize,
        workspace: &Path,
        inputs: &[(&str, &str)],
        env: &[(&str, &str)],
    ) -> Step {
        let step = &self.steps[index];
        assert_eq!(step["shell"], "bash");
        let script = self.temp.path().join(format!("step-{index}.sh"));
        std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
        let github_path = self.temp.path().join("github-path");
        let mut path: Vec<PathBuf> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(PathBuf::from)
            .collect();
        path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace)
            .env_clear()
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("HOME", self.temp.path())
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_ACTION_PATH", &self.action_dir)
            .env("RUNNER_TEMP", self.temp.path().join("runner-temp"))
            .env("PIP_NO_INDEX", "1")
            .env("PIP_NO_CACHE_DIR", "1")
            .env("PIP_FIND_LINKS", root().join("target/wheels"));
        for (key, value) in step["env"].as_object().into_iter().flatten() {
            cmd.env(key, self.evaluate(value.as_str().unwrap(), inputs));
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().unwrap();
        Step {
            code: out.status.code().unwrap_or(-1),
            said: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

/// A repository whose `main` has `001` and `002`, with `origin/main` pointing at it, and a
/// branch `feature` checked out that adds a second `002`.
fn workspace(dir: &Path) {
    git_init(dir);
    let migrations = dir.join("migrations");
    write_tree(
        &migrations,
        &[
            ("001_a.sql", &revision("a", "none")),
            ("002_b.sql", &revision("b", "001")),
        ],
    );
    commit_all(dir, "main");
    git(dir, &["update-ref", "refs/remotes/origin/main", "main"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write_tree(&migrations, &[("002_c.sql", &revision("c", "001"))]);
    commit_all(dir, "feature");
}

/// No file named `pwned` anywhere under these directories.
fn nothing_injected(dirs: &[&Path]) {
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            assert!(
                !entry.file_name().to_string_lossy().contains("pwned"),
                "an input ran as code: {}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn expressions_reach_the_scripts_only_through_env() {
    let action = action();
    for step in action["runs"]["steps"].as_array().unwrap() {
        let run = step["run"].as_str().unwrap();
        assert!(
            !run.contains("${{"),
            "an expression pasted into a script: {run}"
        );
    }
    // Every input is used, through a step's env.
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for name in action["inputs"].as_object().unwrap().keys() {
        assert!(
            text.contains(&format!("${{{{ inputs.{name} }}}}")),
            "{name} is not used"
        );
    }
}

#[test]
fn the_action_installs_the_pinned_wheel_and_annotates_a_second_head() {
    let runner = Runner::new(None);
    let work = tempfile::tempdir().unwrap();
    workspace(work.path());
    let installed = runner.step(0, work.path(), &[], &[]);
    assert_eq!(installed.code, 0, "{}", installed.said);
    assert!(
        installed
            .said
            .contains(&format!("migrate {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        installed.said
    );
    // The pull request's base, from GITHUB_BASE_REF.
    let checked = runner.step(1, work.path(), &[], &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(checked.code, 1, "{}", checked.said);
    assert!(
        checked.said.contains("::error file=migrations/002_"),
        "{}",
        checked.said
    );
    assert!(
        checked.said.contains("duplicate-revision"),
        "{}",
        checked.said
    );
    // On the base itself, nothing to say.
    git(work.path(), &["checkout", "-q", "main"]);
    let clean = runner.step(1, work.path(), &[("base", "origin/main")], &[]);
    assert_eq!(clean.code, 0, "{}", clean.said);
    let unlinted = runner.step(1, work.path(), &[("lint", "false")], &[]);
    assert_eq!(unlinted.code, 0, "{}", unlinted.said);
    git(work.path(), &["checkout", "-q", "feature"]);

    let hostile = [
        "$(touch pwned)",
        "`touch pwned`",
        "\"; touch pwned; exit 0; \"",
        "'; touch pwned; exit 0; '",
        "main; touch pwned",
        "--fix",
        "main\n::error::forged",
        "${IFS}$(touch${IFS}pwned)",
    ];
    for value in hostile {
        for input in ["base", "lint", "working-directory"] {
            let step = runner.step(1, work.path(), &[(input, value)], &[]);
            assert_ne!(step.code, 0, "{input}={value:?} passed:\n{}", step.said);
            assert!(
                !step.said.lines().any(|l| l.starts_with("::error::forged")),
                "{}",
                step.said
            );
        }
        let step = runner.step(1, work.path(), &[], &[("GITHUB_BASE_REF", value)]);
        assert_ne!(step.code, 0, "GITHUB_BASE_REF={value:?}:\n{}", step.said);
    }
    nothing_injected(&[
        work.path(),
        runner.temp.path(),
        &std::env::current_dir().unwrap(),
    ]);
    // `--fix` was a ref name, not an option: no file was repaired or written.
    assert_eq!(git(work.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_wheel_whose_hash_is_not_pinned_is_refused() {
    let wrong = format!(
        "migrate-pg=={} --hash=sha256:{}\n",
        env!("CARGO_PKG_VERSION"),
        "0".repeat(64)
    );
    let runner = Runner::new(Some(&wrong));
    let work = tempfile::tempdir().unwrap();
    let installed = runner.step(0, work.path(), &[], &[]);
    assert_ne!(installed.code, 0, "{}", installed.said);
    assert!(
        installed.said.contains("DO NOT MATCH THE HASHES"),
        "{}",
        installed.said
    );
    assert_eq!(
        std::fs::read_to_string(runner.temp.path().join("github-path")).unwrap(),
        ""
    );
}

/// The pins committed with the action name this version: a version bump without new pins
/// would install the old release.
#[test]
fn the_committed_pins_name_this_version() {
    let pins = std::fs::read_to_string(root().join("packaging/action/requirements.txt")).unwrap();
    let wanted = format!("migrate-pg=={} ", env!("CARGO_PKG_VERSION"));
    assert!(pins.lines().any(|l| l.starts_with(&wanted)), "{pins}");
    assert!(pins.contains("--hash=sha256:"), "{pins}");
}
