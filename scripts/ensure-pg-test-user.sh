#!/usr/bin/env bash
# Creates the unprivileged system user that runs real PostgreSQL servers in tests
# (test/support/real-postgres.ts) and in `npm run gen:pg-settings`.
# PostgreSQL refuses to run as root; CI and the dev sessions run as root.
# Idempotent: does nothing when the user exists or when not run as root.
# The harness also runs this script itself when it is root and the user is missing,
# so calling it from .ci/run is optional (it makes the failure mode explicit).
# The user must be able to reach the server binaries: when the checkout sits under a folder only root may enter
# (e.g. /root, a mktemp -d folder), the harness copies them once to $TMPDIR/cdk8s-cnpg-pg-bin-uid<uid>/<version>/.
set -euo pipefail
user="${PG_TEST_USER:-pgtest}"
if [ "$(id -u)" != "0" ]; then
  echo "ensure-pg-test-user: not root, servers run as $(id -un); nothing to do"
  exit 0
fi
if id -u "$user" >/dev/null 2>&1; then
  exit 0
fi
if command -v useradd >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$user"
elif command -v adduser >/dev/null 2>&1; then
  adduser -S -D -H -h /nonexistent -s /sbin/nologin "$user" 2>/dev/null || adduser --system --no-create-home --group "$user"
else
  echo "ensure-pg-test-user: neither useradd nor adduser exists" >&2
  exit 1
fi
echo "ensure-pg-test-user: created system user $user"
