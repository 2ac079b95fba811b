//! The wheel `scripts/wheel` built, and a machine without Rust to install it on: a `PATH` with
//! every program of this one but `cargo`, `rustc` and the C compilers.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::root;

/// The wheel of this crate's version in `target/wheels`. The test fails without it: it never
/// passes without installing one. `scripts/test` builds it before the suite runs.
pub(crate) fn built_wheel() -> PathBuf {
    let version = env!("CARGO_PKG_VERSION");
    let dir = root().join("target/wheels");
    let prefix = format!("migrate_pg-{version}-py3-none-");
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.starts_with(&prefix)
                            && n.contains("x86_64")
                            && n.contains("linux")
                            && Path::new(n).extension().is_some_and(|e| e == "whl")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        found.len(),
        1,
        "want exactly one wheel {prefix}*linux*x86_64.whl in {}, found {found:?}: run \
         scripts/wheel (scripts/test does)",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

/// The Python interpreter itself (not a pyenv shim, which needs the shell's whole `PATH`).
pub(crate) fn real_python() -> PathBuf {
    let venv_python = root().join("target/venv/bin/python3");
    let out = Command::new(&venv_python)
        .args([
            "-c",
            "import sys, os; print(os.path.realpath(sys.executable))",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} does not run ({e}): run scripts/test, which makes target/venv",
                venv_python.display()
            )
        });
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// A directory of links to every program in `/usr/local/bin`, `/usr/bin` and `/bin` but Rust's
/// and the C compilers, with the real `python3`: a `PATH` for a machine with git, a shell and
/// Python and no way to build anything. The function checks that no compiler is reachable.
pub(crate) fn bare_path(tmp: &Path) -> OsString {
    let bin = tmp.join("bare-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let python = real_python();
    for name in ["python3", "python"] {
        std::os::unix::fs::symlink(&python, bin.join(name)).unwrap();
    }
    for dir in ["/usr/local/bin", "/usr/bin", "/bin"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            let Some(text) = name.to_str() else { continue };
            let link = bin.join(&name);
            if builds(text) || text.starts_with("python") || link.symlink_metadata().is_ok() {
                continue;
            }
            std::os::unix::fs::symlink(entry.path(), link).unwrap();
        }
    }
    for entry in std::fs::read_dir(&bin).unwrap().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!builds(&name), "{name} is reachable on the bare PATH");
    }
    bin.into_os_string()
}

/// Whether a program's name is a compiler or Rust's toolchain.
fn builds(name: &str) -> bool {
    ["cargo", "rust", "clang", "zig", "maturin"]
        .iter()
        .any(|p| name.starts_with(p))
        || ["gcc", "g++", "c++", "tcc"]
            .iter()
            .any(|p| name.contains(p))
        || ["cc", "cpp", "c89", "c99", "ld", "as"].contains(&name)
}

/// A fresh virtual environment in `dir/venv` with the wheel installed from `target/wheels`
/// alone (no index), made and filled on the bare `PATH`; returns the `migrate` it installed.
pub(crate) fn installed_from_wheel(dir: &Path, path: &OsString) -> PathBuf {
    let venv = dir.join("venv");
    let made = Command::new(real_python())
        .args(["-m", "venv"])
        .arg(&venv)
        .env_clear()
        .env("PATH", path)
        .status()
        .unwrap();
    assert!(made.success(), "python3 -m venv failed");
    let wheel = built_wheel();
    let out = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--no-cache-dir",
            "--disable-pip-version-check",
        ])
        .arg(&wheel)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", root().join("target/wheels"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip install {} failed: {}",
        wheel.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let migrate = venv.join("bin/migrate");
    assert!(migrate.is_file(), "the wheel installed no bin/migrate");
    migrate
}
