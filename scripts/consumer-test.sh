#!/usr/bin/env bash
# The library as another team meets it: pack it from this checkout, install the tarball into a fresh cdk8s app
# outside the repository (examples/consumer-project), then build, seal with the team's own controller certificate,
# synthesize (the library's environments and a plain app.synth()), and run every cdk8s-cnpg command there.
# Run by .ci/run; needs the npm registry (or its cache) and openssl.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say() { printf 'consumer-test: %s\n' "$*"; }

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
say "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
# The package ships what runs and nothing more.
unexpected="$(tar -tzf "$work/$tarball" | grep -Ev '^package/(build/(lib|bin|imports)/|compile-cache\.(js|d\.ts)$|README\.md$|package\.json$)' || true)"
[ -z "$unexpected" ] || { echo "unexpected files in the package:"; echo "$unexpected"; exit 1; }

version() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }
app="$work/consumer"
mkdir -p "$app"
cp examples/consumer-project/{main.ts,bare.ts,cdk8s.yaml,tsconfig.json} "$app/"
cat > "$app/package.json" <<JSON
{
  "name": "orders-and-platform-databases",
  "private": true,
  "dependencies": {
    "cdk8s-cnpg": "file:../$tarball",
    "cdk8s": "$(version cdk8s)",
    "constructs": "$(version constructs)",
    "cdk8s-plus-28": "$(version cdk8s-plus-28)"
  },
  "devDependencies": {
    "typescript": "$(version typescript)",
    "@types/node": "$(version @types/node)"
  }
}
JSON

cd "$app"
say "npm install (the tarball, cdk8s, typescript)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error
npx tsc -p tsconfig.json
say "compiled main.ts and bare.ts against the package's declarations"

# The team's own Sealed Secrets controller certificate (in real life: kubeseal --fetch-cert).
mkdir -p secrets/orders secrets/tenants
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/controller-key.pem" -out secrets/orders/sealing-cert.pem \
  -days 365 -subj "/O=sealed-secret/CN=sealed-secret" 2>/dev/null
cp secrets/orders/sealing-cert.pem secrets/tenants/sealing-cert.pem
# S3 keys come from SEAL_<NAMESPACE>_<NAME>_<KEY> variables; passwords are generated. Test-only values.
s3() { echo "SEAL_$1_CNPG_BACKUP_S3_AWS_ACCESS_KEY_ID=test-only-access-key SEAL_$1_CNPG_BACKUP_S3_AWS_SECRET_ACCESS_KEY=test-only-secret-key"; }
env $(s3 ORDERS_DB) npx cdk8s-cnpg seal --env orders --all --from-env-prefix SEAL_ --generate-missing > seal-orders.txt 2>&1
env $(for i in $(seq -w 1 20); do s3 "DB_SVC$i"; done) npx cdk8s-cnpg seal --env tenants --all --from-env-prefix SEAL_ --generate-missing > seal-tenants.txt 2>&1
say "sealed both environments in one run each"

node build/main.js 2> synth.txt
node build/bare.js 2> bare.txt
say "synthesized the environments (runSynth) and a plain app.synth()"
# main.ts imports cdk8s-cnpg/compile-cache first: the second run reads the bytecode the first one left, and writes the
# same output.
cp -r dist "$work/dist-first-run"
node build/main.js 2> synth-again.txt
diff -r "$work/dist-first-run" dist
say "synthesized again from the compile cache ($(ls node_modules/.cache/cdk8s-cnpg/)): the same output"

npx cdk8s-cnpg plan --env tenants > plan.txt
npx cdk8s-cnpg backup --env orders --cluster orders-db > backup.yaml
npx cdk8s-cnpg seal --env orders --list > seal-list.txt
if npx cdk8s-cnpg rehearse --env orders > rehearse.txt 2>&1; then echo "rehearse must say what to install"; exit 1; fi
say "ran plan, backup, seal --list and rehearse"

node "$repo/scripts/consumer-check.js" "$app"
