#!/usr/bin/env bash
# The action's check step. Inputs arrive as environment variables and are only ever expanded
# inside double quotes, as single arguments; `--base=VALUE` binds even a value that looks like
# an option.
set -euo pipefail
cd -- "${INPUT_WORKING_DIRECTORY:-.}"
base=${INPUT_BASE:-}
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
    base="origin/$GITHUB_BASE_REF"
fi
args=(check --format github)
[ -z "$base" ] || args+=("--base=$base")
case "${INPUT_LINT:-true}" in
    true) lint=true ;;
    false) lint=false; [ -z "$base" ] || args+=(--no-lint) ;;
    *) echo "::error title=migrate::the input lint must be true or false"; exit 2 ;;
esac
status=0
migrate "${args[@]}" || status=$?
# Without a base, check lints nothing: lint every revision then, as the input asks.
if [ "$lint" = true ] && [ -z "$base" ] && [ "$status" -ne 2 ]; then
    lint_status=0
    migrate lint --format github || lint_status=$?
    [ "$lint_status" -le "$status" ] || status=$lint_status
fi
exit "$status"
