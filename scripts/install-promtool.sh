#!/usr/bin/env bash
# Makes `promtool` (Prometheus' rule checker and rule unit-test runner) available without
# downloading anything but Debian packages, and prints its absolute path on stdout (last line).
#
#   1. `promtool` already on PATH            -> print that path.
#   2. `.cache/promtool/usr/bin/promtool`    -> print it (second and later runs: no network).
#   3. otherwise `apt-get download prometheus` (running `apt-get update` first when apt has no
#      candidate), unpack the .deb with `dpkg -x` into `.cache/promtool/` and print the path.
#
# Nothing is installed system-wide; `.cache/` must be git-ignored. Exit code 1 when promtool
# cannot be provided (for example apt is missing); messages go to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PROMTOOL_CACHE_DIR:-$ROOT/.cache/promtool}"
BIN="$CACHE/usr/bin/promtool"

works() { "$1" --version >/dev/null 2>&1; }

if command -v promtool >/dev/null 2>&1 && works "$(command -v promtool)"; then
  command -v promtool
  exit 0
fi

if [ -x "$BIN" ] && works "$BIN"; then
  echo "$BIN"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
  echo "install-promtool: promtool is not on PATH and apt-get/dpkg are unavailable" >&2
  exit 1
fi

has_candidate() {
  # No `| grep -q` here: with pipefail, grep closing the pipe early would fail the pipeline.
  local policy
  policy="$(apt-cache policy prometheus 2>/dev/null || true)"
  [[ "$policy" =~ Candidate:\ [0-9] ]]
}

if ! has_candidate; then
  echo "install-promtool: running apt-get update" >&2
  apt-get update -qq >&2 || true
fi
if ! has_candidate; then
  echo "install-promtool: no 'prometheus' package available from apt" >&2
  exit 1
fi

TMP="$(mktemp -d)"
chmod 755 "$TMP"  # lets apt download as its sandbox user (no "unsandboxed" warning)
trap 'rm -rf "$TMP"' EXIT
echo "install-promtool: downloading the Debian 'prometheus' package" >&2
# apt-get download writes into the current directory; keep its chatter on stderr.
( cd "$TMP" && apt-get download -qq prometheus 1>&2 ) || {
  echo "install-promtool: apt-get download prometheus failed" >&2
  exit 1
}
DEB="$(ls "$TMP"/prometheus_*.deb 2>/dev/null | head -n 1)"
if [ -z "$DEB" ]; then
  echo "install-promtool: the downloaded .deb was not found" >&2
  exit 1
fi

rm -rf "$CACHE.partial"
mkdir -p "$CACHE.partial"
dpkg -x "$DEB" "$CACHE.partial"
if [ ! -x "$CACHE.partial/usr/bin/promtool" ]; then
  echo "install-promtool: the package has no usr/bin/promtool" >&2
  exit 1
fi
rm -rf "$CACHE"
mv "$CACHE.partial" "$CACHE"
if ! works "$BIN"; then
  echo "install-promtool: $BIN does not run" >&2
  exit 1
fi
echo "$BIN"
