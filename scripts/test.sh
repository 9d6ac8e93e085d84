#!/usr/bin/env bash
# Runs every test of circles: unit, reducer, integration and CLI tests, plus
# the benches in test mode (each runs once, so they are known to work).
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo test --locked --all-targets "$@"
cargo test --locked --doc
