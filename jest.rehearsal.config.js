/**
 * The real-tool rehearsals (`npm run test:rehearsal`; CI runs it after `npm test`): the backup → point-in-time restore
 * round trip and the disaster-recovery rehearsal (replica replay, loss of the primary, promotion, measured data loss).
 */
const base = require('./jest.config.js');

// The DR rehearsal's real-tool test runs only here (`npm test` reads only its synthesized inputs).
process.env.CDK8S_CNPG_REHEARSAL_RUN = '1';

// One at a time: each rehearsal times real servers, and the round trip checks that it leaves no temp dirs behind.
module.exports = { ...base, maxWorkers: 1, testPathIgnorePatterns: ['/node_modules/'], testMatch: ['**/rehearse-roundtrip.test.ts', '**/rehearse-dr.test.ts'] };
