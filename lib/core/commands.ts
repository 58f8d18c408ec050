import * as fs from 'fs';
import * as path from 'path';

/** The library's commands, run as `cdk8s-cnpg <command>` (or a project's npm script of the same name). */
export type CnpgCommand = 'seal' | 'backup' | 'rehearse' | 'plan';

const cache = new Map<string, Record<string, string>>();

/** The npm scripts of the nearest package.json at or above `dir`. */
function projectScripts(dir: string): Record<string, string> {
  const known = cache.get(dir);
  if (known) return known;
  let scripts: Record<string, string> = {};
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (fs.existsSync(file)) {
      try {
        scripts = JSON.parse(fs.readFileSync(file, 'utf8')).scripts ?? {};
      } catch {
        scripts = {};
      }
      break;
    }
    if (path.dirname(d) === d) break;
  }
  cache.set(dir, scripts);
  return scripts;
}

/**
 * How the user runs one of the library's commands in the current project, for messages that tell them what to run:
 * `npm run seal --` where the project has an npm script of that name that runs it (this repository does), else
 * `npx cdk8s-cnpg seal` (the package's own command, in any project that installed it).
 */
export function commandFor(command: CnpgCommand, cwd: string = process.cwd()): string {
  const script = command === 'plan' ? 'plan:sync' : command;
  const scripts = projectScripts(cwd);
  return scripts[script] && /cdk8s-cnpg|build\/bin\//.test(scripts[script]) ? `npm run ${script} --` : `npx cdk8s-cnpg ${command}`;
}
