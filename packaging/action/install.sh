#!/usr/bin/env bash
# The action's install step: a virtual environment in RUNNER_TEMP holding exactly the wheel
# requirements.txt pins, its sha256 checked by pip (--require-hashes: a file whose hash is not
# listed is refused, whatever the index serves). Its bin directory goes on GITHUB_PATH.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
venv="${RUNNER_TEMP:?RUNNER_TEMP is not set}/migrate-venv"
python=$(command -v python3 || command -v python) || { echo "::error::migrate's action needs Python 3 on the runner"; exit 2; }
"$python" -m venv "$venv"
bin="$venv/bin"
[ -d "$bin" ] || bin="$venv/Scripts"
"$bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary :all: \
    --require-hashes -r "$here/requirements.txt"
printf '%s\n' "$bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
"$bin/migrate" --version
