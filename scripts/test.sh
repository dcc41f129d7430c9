#!/usr/bin/env bash
# The test command: sets up everything on a fresh machine (Python 3.14, .venv, a llama-server,
# the models), then lints, type-checks and runs the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k config_flow); without any, the agent's
# HA-facing tests also run on the oldest and the newest supported HA (run_ha_releases).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
bootstrap_venv test
ensure_llama_server
ensure_ffmpeg
ensure_recorded_speech
ensure_pico_voices
ensure_wyoming_satellite
ensure_podman
log "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
log "mypy"
.venv/bin/mypy
log "pytest"
.venv/bin/pytest "$@"
# With no arguments (the whole suite, as CI runs it): the agent on the oldest and the newest HA.
if [ $# -eq 0 ]; then run_ha_releases; fi
