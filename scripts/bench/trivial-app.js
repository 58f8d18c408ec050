// The baseline: a trivial compiled cdk8s-plus-28 app (one Namespace, one Deployment), synthesized as cdk8s would.
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-28');

const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'bench-')), outputFileExtension: '.yaml' });
const chart = new Chart(app, 'trivial');
new kplus.Namespace(chart, 'Namespace', { metadata: { name: 'trivial' } });
new kplus.Deployment(chart, 'Deployment', { containers: [{ image: 'nginx:1.27', securityContext: { ensureNonRoot: false } }] });
app.synth();
