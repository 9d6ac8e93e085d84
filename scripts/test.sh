#!/usr/bin/env bash
# The project's test command: makes sure the test tools are installed, then
# runs `cargo test --all-targets` with any extra arguments, e.g.
#
#   scripts/test.sh                        # everything
#   scripts/test.sh --locked               # as CI runs it
#   scripts/test.sh --test it -- mastodon_mock::   # one test module
#
# tests/it/mastodon_mock.rs runs circles against mastodon_mock, a Mastodon API
# server from PyPI. It lives in a virtualenv, .venv-test/, made here on the
# first run (and again when the pinned version changes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MASTODON_MOCK_VERSION=0.6.1
venv=.venv-test
mock="$PWD/$venv/bin/mastodon_mock"

# Runs the installed server (which also catches a venv moved from elsewhere,
# its scripts pointing at the old path).
installed() {
    [[ -x "$mock" ]] && [[ "$("$mock" --version 2>/dev/null)" == "mastodon_mock $MASTODON_MOCK_VERSION" ]]
}

if ! installed; then
    if [[ ! -x "$venv/bin/python" ]]; then
        if ! command -v python3 >/dev/null 2>&1; then
            echo "scripts/test.sh: python3 is needed for the mastodon_mock test server;" \
                 "install it (Debian/Ubuntu: apt-get install python3 python3-venv)" >&2
            exit 1
        fi
        echo "scripts/test.sh: creating $venv with mastodon_mock==$MASTODON_MOCK_VERSION" >&2
        rm -rf "$venv"
        if ! python3 -m venv "$venv" >/dev/null; then
            rm -rf "$venv"
            echo "scripts/test.sh: \`python3 -m venv\` failed; install the venv module" \
                 "(Debian/Ubuntu: apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --force-reinstall "mastodon_mock==$MASTODON_MOCK_VERSION" >&2; then
        echo "scripts/test.sh: could not install mastodon_mock==$MASTODON_MOCK_VERSION" \
             "into $venv (is PyPI reachable? delete $venv to start over)" >&2
        exit 1
    fi
fi

export MASTODON_MOCK="$mock"

# The man page test renders `circles man` with groff.
if ! command -v groff >/dev/null 2>&1; then
    echo "scripts/test.sh: groff is needed to check the man page;" \
         "install it (Debian/Ubuntu: apt-get install groff-base)" >&2
    exit 1
fi

# All targets, unless the arguments pick some (cargo adds the picks up, so
# `--all-targets --test x` would still run everything).
all_targets=--all-targets
for arg in "$@"; do
    case "$arg" in
        --) break ;;
        --lib | --bins | --bin | --bin=* | --examples | --example | --example=* | \
        --tests | --test | --test=* | --benches | --bench | --bench=* | --doc | --all-targets)
            all_targets=
            break
            ;;
    esac
done
exec cargo test ${all_targets:+"$all_targets"} "$@"
