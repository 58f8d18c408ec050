// Preloaded into every benchmarked process (node --require): writes its peak resident set size (KiB) to
// $BENCH_RSS_FILE when it exits, so the benchmark measures memory without external tools.
const fs = require('fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
