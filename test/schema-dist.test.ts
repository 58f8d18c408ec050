import * as path from 'path';
import { listFiles } from './support/synth';
import { validateYamlFiles } from './support/schema';

const DIST = path.join(__dirname, '..', 'dist');

test('every object in dist/ passes the schema test', () => {
  const files = listFiles(DIST).filter((f) => f.endsWith('.yaml')).map((f) => path.join(DIST, f));
  expect(files.length).toBeGreaterThan(0);
  expect(validateYamlFiles(files).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});
