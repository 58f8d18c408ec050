#!/bin/sh
# The build: `tsc -b` (incremental). `--if-changed` (what `npm run synth` and the commands use) first asks one `find`
# whether any input of the build is newer than the last successful build, and does nothing when none is: about 5 ms,
# where starting TypeScript only to learn that costs about 150 ms. A new, removed or renamed file changes its folder's
# time, so it counts too.
set -e
cd "$(dirname "$0")/.."
stamp=build/.inputs-stamp
inputs="main.ts lib imports bin scripts tsconfig.json package.json package-lock.json node_modules/.package-lock.json"
if [ "$1" = --if-changed ] && [ -f "$stamp" ] && [ -f build/.tsbuildinfo ] \
  && [ -z "$(find $inputs -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  exit 0
fi
mkdir -p build
# Stamped before compiling: a file saved while tsc runs is newer than the stamp, so the next run builds again.
: > "$stamp.next"
# New dependencies (npm ci rewrites node_modules/.package-lock.json) rebuild everything: tsc -b does not compare the
# declarations in node_modules with the last build.
force=
if [ ! -f build/.tsbuildinfo ] || [ node_modules/.package-lock.json -nt build/.tsbuildinfo ]; then force=--force; fi
node_modules/.bin/tsc -b tsconfig.json $force
mv "$stamp.next" "$stamp"
