// The default environment alone, as a whole process, the way `node build/main.js` runs: the compile cache first
// (`import 'cdk8s-cnpg/compile-cache'`, which main.ts does too), then load the library, build, check, model, write.
require('../../compile-cache');
const { DEFAULT_ENVIRONMENT } = require('../../build/main.js');
const { synthEnvironments } = require('../../build/lib');

synthEnvironments([DEFAULT_ENVIRONMENT], { outdir: process.env.CDK8S_OUTDIR ?? require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'bench-')), updateChecks: false, timelineDir: false, report: () => undefined });
