/**
 * The real-PostgreSQL harness moved to `lib/rehearse/real-postgres.ts` so that `npm run rehearse` (build/) can use it
 * too; this module keeps the old import path working for the tests and scripts that use it.
 */
export * from '../../lib/rehearse/real-postgres';
