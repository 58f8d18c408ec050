/**
 * Gate for tests that run the real rehearsal tools (Debian's barman-cli-cloud and pgbouncer).
 *
 * In CI (`CI=true`) missing tools are a failure, not a skip: a test named after the missing tools fails with the
 * install line. Locally the tests are skipped with a loud message.
 */
import { missingTools } from '../../lib/rehearse/processes';

/** True when the tools are there; otherwise registers a failing (CI) or skipped (local) test and returns false. */
export function rehearsalToolsPresent(options: { pgbouncer?: boolean; barman?: boolean } = {}): boolean {
  const all = missingTools({ pgbouncer: options.pgbouncer ?? true });
  const missing = options.barman === false ? all.missing.filter((t) => t === 'pgbouncer') : all.missing;
  if (missing.length === 0) return true;
  const packages = [...(missing.some((t) => t.startsWith('barman-')) ? ['barman-cli-cloud'] : []), ...(missing.includes('pgbouncer') ? ['pgbouncer'] : [])];
  const install = `apt-get install -y ${packages.join(' ')}`;
  const message = `the rehearsal needs ${missing.join(', ')}, which are not installed: ${install}`;
  if (process.env.CI === 'true') {
    test(`rehearsal tools are installed (${missing.join(', ')})`, () => {
      throw new Error(`${message} (CI must install them: see .ci/run)`);
    });
  } else {
    const bar = '!'.repeat(100);
    // eslint-disable-next-line no-console
    console.warn(`\n${bar}\nSKIPPING the real-tool rehearsal tests of ${expect.getState().testPath ?? 'this file'}:\n${message}\n${bar}\n`);
    test.skip(`rehearsal with the real tools (skipped: ${missing.join(', ')} missing)`, () => undefined);
  }
  return false;
}
