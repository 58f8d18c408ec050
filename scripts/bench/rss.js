// Preloaded into every benchmarked process (node --require): writes its peak resident set size (KiB) to
// $BENCH_RSS_FILE when it exits, so the benchmark measures memory without external tools. A case of several processes
// (the developer loop) records the largest.
const fs = require('fs');
process.on('exit', () => {
  const file = process.env.BENCH_RSS_FILE;
  if (!file) return;
  let before = 0;
  try { before = Number(fs.readFileSync(file, 'utf8')) || 0; } catch { /* the first process of the case */ }
  fs.writeFileSync(file, String(Math.max(before, process.resourceUsage().maxRSS)));
});
