import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { validateObjects } from './schema';

/** A fresh app writing to a temp dir, and a chart in it with a namespace (the usual place for namespaced objects). */
export function testChart(namespace = 'data-infra'): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace });
  return { app, chart };
}

/**
 * Synthesizes a chart (running every validation of its app) and returns its objects. Every object of every test synth
 * also passes the schema test (vendored CRDs, Kubernetes OpenAPI, name and label syntax), or the test fails.
 */
export function synthChart(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  const issues = validateObjects(objects);
  if (issues.length > 0) {
    throw new Error(`synthesized objects fail the schema test:\n  ${issues.map((i) => `${i.path}: ${i.message}`).join('\n  ')}`);
  }
  return objects;
}

/** The error message synth raises for an app, or fails the test when synth succeeds. */
export function synthError(chart: Chart): string {
  try {
    Testing.synth(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synth to fail, but it succeeded');
}

/** Finds exactly one object by kind (and name, when given). */
export function findObject(objects: any[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** A new empty temp directory. */
export function tempDir(prefix = 'cdk8s-cnpg-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every file below `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The objects of every YAML file below `dir`, with the file each came from. */
export function readManifests(dir: string): { file: string; object: any }[] {
  const out: { file: string; object: any }[] = [];
  for (const file of listFiles(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const object = doc.toJS();
      if (object) out.push({ file, object });
    }
  }
  return out;
}
