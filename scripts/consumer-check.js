// Assertions on what scripts/consumer-test.sh produced in the consumer's app. Exits 1 with every failure listed.
const fs = require('fs');
const path = require('path');
const { parseAllDocuments } = require(require.resolve('yaml', { paths: [process.argv[2]] }));

const app = process.argv[2];
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const read = (f) => fs.readFileSync(path.join(app, f), 'utf8');
const docs = (dir) => {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.yaml')) for (const doc of parseAllDocuments(fs.readFileSync(p, 'utf8'))) if (doc.toJS()?.kind) out.push({ file: path.relative(app, p), obj: doc.toJS() });
    }
  };
  walk(path.join(app, dir));
  return out;
};

const dist = docs('dist');
const cacheFiles = fs.existsSync(path.join(app, 'node_modules/.cache/cdk8s-cnpg')) ? fs.readdirSync(path.join(app, 'node_modules/.cache/cdk8s-cnpg')) : [];
check(cacheFiles.some((f) => /^main\.js-[0-9a-f]+-v[\d.]+-\w+\.cache2$/.test(f)), `the compile cache of build/main.js is in node_modules/.cache/cdk8s-cnpg (found: ${cacheFiles.join(', ')})`);
const charts = (prefix) => dist.filter((d) => d.file.startsWith(prefix) && d.obj.kind === 'Application' && d.obj.spec.source.chart).map((d) => d.obj.spec.source.chart).sort();
const operators = ['cert-manager', 'cloudnative-pg', 'kube-prometheus-stack', 'plugin-barman-cloud', 'sealed-secrets'];
check(JSON.stringify(charts('dist/clusters/platform/')) === JSON.stringify(operators), `the platform cluster installs each operator once: ${charts('dist/clusters/platform/')}`);
check(JSON.stringify(charts('dist/tenants/')) === '[]', 'the tenants install no operator of their own');
check(JSON.stringify(charts('dist/orders/')) === JSON.stringify(operators), `the orders environment, alone in its cluster, installs the operators: ${charts('dist/orders/')}`);
const clusters = dist.filter((d) => d.obj.kind === 'Cluster');
check(clusters.filter((d) => d.file.startsWith('dist/tenants/')).length === 20, `20 tenant Clusters (got ${clusters.filter((d) => d.file.startsWith('dist/tenants/')).length})`);
check(clusters.some((d) => d.obj.metadata.name === 'orders-db' && d.obj.metadata.namespace === 'orders-db'), 'the orders Cluster');
// Two Kubernetes clusters: orders alone in its own, the tenants in the platform's. Inside each, no duplicate.
for (const prefixes of [['dist/orders/'], ['dist/clusters/platform/', 'dist/tenants/']]) {
  const ids = dist.filter((d) => prefixes.some((p) => d.file.startsWith(p))).map((d) => `${d.obj.apiVersion}/${d.obj.kind}/${d.obj.metadata.namespace ?? ''}/${d.obj.metadata.name}`);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  check(ids.length > 0 && twice.length === 0, `no object is declared twice in ${prefixes.join(' + ')}: ${twice.join(', ')}`);
}
const sealed = dist.filter((d) => d.obj.kind === 'SealedSecret');
check(sealed.length >= 42 && sealed.every((d) => Object.values(d.obj.spec.encryptedData).every((v) => typeof v === 'string' && v.length > 100)), `every SealedSecret carries ciphertexts (${sealed.length})`);
check(!/test-only-(access|secret)-key/.test(fs.readdirSync(path.join(app, 'dist'), { recursive: true }).map((f) => { const p = path.join(app, 'dist', f); return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : ''; }).join('')), 'no plaintext value in dist/');
check(fs.existsSync(path.join(app, 'dist', 'argocd-cm.health-checks.yaml')), 'the Argo CD health checks');
check(docs('dist-bare').some((d) => d.obj.kind === 'Cluster' && d.obj.metadata.name === 'inventory-db'), 'the plain app.synth() wrote the bare cluster');
check(docs('dist-bare').filter((d) => d.obj.kind === 'PodMonitor').length === 2, 'the bare app\'s two PodMonitors');
check(read('plan.txt').includes('# First sync of the environment tenants') && read('plan.txt').includes('platform-cluster > tenants-svc07-root > tenants-svc07-database'), 'plan prints the tenants\' timeline');
check(/kind: Backup\b/.test(read('backup.yaml')) && read('backup.yaml').includes('name: orders-db'), 'backup prints a Backup of orders-db');
check(read('seal-list.txt').includes('orders-db/cnpg-app-user'), 'seal --list lists the orders credentials');
check(read('rehearse.txt').includes('npm install --save-dev pg s3rver'), `rehearse names what to install: ${read('rehearse.txt').slice(0, 300)}`);
check(!/warning/.test(read('seal-orders.txt') + read('seal-tenants.txt')), 'sealing warned about nothing');
for (const f of ['seal-orders.txt', 'seal-tenants.txt', 'synth.txt', 'plan.txt', 'rehearse.txt', 'seal-list.txt']) {
  check(!read(f).includes('npm run '), `${f} names the consumer's command (npx cdk8s-cnpg), not this repository's npm scripts`);
  check(!/\n\s+at .+:\d+:\d+\)?\n/.test(read(f)), `${f} has no stack trace`);
}
if (failures.length > 0) {
  console.error(`consumer-check: ${failures.length} failed:\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log('consumer-check: the packed library works in a fresh cdk8s app (3 apps, 22 databases, every command)');
