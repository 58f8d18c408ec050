// A platform team's fleet in one app, through the public fleet API: N tenants in one environment of one Kubernetes
// cluster, each with credentials, a Cluster, a backup store and schedule, a pooler, monitoring, guardrails, network
// policies and Argo CD delivery. `node fleet-app.js N` synthesizes it (everything synth does: validation, the
// first-sync model, writing dist/); `--seal` first seals every tenant's credentials into a cached store (not timed).
// A program built on the library: its compile cache first (`import 'cdk8s-cnpg/compile-cache'`).
require('../../compile-cache');
const fs = require('fs');
const os = require('os');
const path = require('path');
const lib = require('../../build/lib');

const n = Number(process.argv[2] ?? 100);
const cache = path.join(os.tmpdir(), 'cdk8s-cnpg-bench');
const store = path.join(cache, `fleet-${n}.sealed-values.json`);
const pad = (i) => String(i).padStart(4, '0');

const environment = lib.defineEnvironment({
  name: 'fleet',
  platform: {
    kubernetesCluster: { name: 'fleet', delivery: { repoUrl: 'https://git.example.com/platform/fleet.git', monitoringStack: true } },
    // The demo controller certificate (public, test-only key) and a store sealed for it.
    sealingCertificatePath: path.join(__dirname, '..', '..', 'secrets', 'default', 'sealing-cert.pem'),
    sealedStorePath: store,
    s3Credential: { region: 'eu-central-1' },
    cluster: { clusterName: 'pg', instances: 3, image: lib.PostgresImage.current(17), storageSize: '10Gi', database: 'app' },
  },
  tenants: Array.from({ length: n }, (_, i) => ({
    name: `t${pad(i)}`,
    databaseNamespace: `db-t${pad(i)}`,
    backup: { destinationPath: `s3://fleet-backups/t${pad(i)}`, endpointUrl: 'https://s3.eu-central-1.amazonaws.com', retentionPolicy: '7d' },
  })),
});

async function seal() {
  if (fs.existsSync(store)) return;
  fs.mkdirSync(cache, { recursive: true });
  const catalog = lib.credentialCatalogOf([environment]);
  const vars = {};
  for (const c of catalog.credentials('fleet')) {
    for (const key of c.keys.filter((k) => !(c.generatedKeys ?? []).includes(k) && c.fixedValues?.[k] === undefined)) {
      vars[`SEAL_${c.namespace}_${c.name}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_')] = 'bench-only-value-0123456789';
    }
  }
  const code = await lib.runSeal(['--env', 'fleet', '--all', '--from-env-prefix', 'SEAL_', '--generate-missing'],
    { stdin: () => Buffer.alloc(0), env: vars, stdout: () => undefined, stderr: (s) => process.stderr.write(s), readFile: (p) => fs.readFileSync(p) }, catalog);
  if (code !== 0) throw new Error(`sealing the fleet of ${n} failed`);
}

if (process.argv.includes('--seal')) {
  seal().catch((e) => { console.error(e.message); process.exitCode = 1; });
} else {
  lib.synthEnvironments([environment], { outdir: process.env.CDK8S_OUTDIR ?? require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'bench-')), updateChecks: false, timelineDir: false, report: () => undefined });
}
