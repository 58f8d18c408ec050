// The default environment alone, as a whole process: load the library, build, check, model, write.
const { synthEnvironments } = require('../../build/lib');
const { DEFAULT_ENVIRONMENT } = require('../../build/main.js');

synthEnvironments([DEFAULT_ENVIRONMENT], { outdir: process.env.CDK8S_OUTDIR ?? require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'bench-')), updateChecks: false, timelineDir: false, report: () => undefined });
