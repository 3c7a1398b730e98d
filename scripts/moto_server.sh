#!/usr/bin/env bash
# A real S3 endpoint on 127.0.0.1 for the tests: moto in server mode, from
# PyPI, installed into the project venv (.venv) on first use.
# Usage: scripts/moto_server.sh PORT   (runs in the foreground; stop it by its PID)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PORT="${1:?usage: moto_server.sh PORT}"
(
  # One installer at a time (several tests may start servers at once).
  flock 9
  if [ ! -x "$VENV/bin/python" ]; then
    echo "[moto] creating $VENV" >&2
    python3 -m venv "$VENV"
  fi
  if [ ! -x "$VENV/bin/moto_server" ]; then
    echo "[moto] installing moto[server] into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet 'moto[server]'
  fi
) 9>"${TMPDIR:-/tmp}/marquee-venv.lock"
exec "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT"
