/** The backup → point-in-time restore round trip with the real tools (`npm run test:rehearsal`; CI runs it). */
const base = require('./jest.config.js');

module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/'], testMatch: ['**/rehearse-roundtrip.test.ts'] };
