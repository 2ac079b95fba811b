//! The Kubernetes manifests of `deploy/kubernetes/`: each is valid against the Kubernetes API
//! schema (`kubernetes-validate --strict`, from PyPI, offline), and its container's command runs
//! here as each pod of the Indexed Job would, with its `JOB_COMPLETION_INDEX`, all at once: the
//! shards together bring every target to head, each revision once.

use std::process::{Command, Stdio};

use crate::common::root;

const MANIFESTS: [&str; 3] = [
    "indexed-job.yaml",
    "helm-pre-upgrade-job.yaml",
    "argocd-presync-job.yaml",
];

#[test]
fn the_manifests_are_valid_kubernetes() {
    let validate = root().join("target/venv/bin/kubernetes-validate");
    for manifest in MANIFESTS {
        let out = Command::new(&validate)
            .arg("--strict")
            .arg(root().join("deploy/kubernetes").join(manifest))
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} does not run ({e}): run scripts/test, which installs it",
                    validate.display()
                )
            });
        assert!(
            out.status.success(),
            "{manifest}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn each_manifest_runs_as_its_indexed_pods_would() {
    let srv = crate::common::server::server();
    for manifest in MANIFESTS {
        let job = crate::common::yaml_as_json(&root().join("deploy/kubernetes").join(manifest));
        let spec = &job["spec"];
        assert_eq!(spec["completionMode"], "Indexed", "{manifest}");
        let completions = spec["completions"].as_u64().unwrap();
        let container = &spec["template"]["spec"]["containers"][0];
        let command: Vec<String> = container["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let env: Vec<(String, String)> = container["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_owned(),
                    e["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let shards = env
            .iter()
            .find(|(k, _)| k == "SHARDS")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert_eq!(
            shards,
            completions.to_string(),
            "{manifest}: SHARDS is the Job's completions"
        );
        let fleet = crate::fleet::fleet(srv, "k8s", 9, &[], 0.0);
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_migrate"))
            .parent()
            .unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let pods: Vec<_> = (0..completions)
            .map(|index| {
                let mut cmd = Command::new(&command[0]);
                cmd.args(&command[1..])
                    .current_dir(fleet.dir.path())
                    .env_clear()
                    .env("PATH", &path)
                    .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    // Where the pod mounts them, here.
                    .env("MIGRATE_TARGETS", &fleet.targets)
                    .env("MIGRATE_DIR", fleet.dir.path())
                    .env("JOB_COMPLETION_INDEX", index.to_string())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        for pod in pods {
            let out = pod.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{manifest}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        crate::fleet::all_at_head_once(&fleet);
    }
}
