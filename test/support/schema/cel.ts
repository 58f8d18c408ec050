/**
 * CEL (`x-kubernetes-validations`) support on top of @marcbachmann/cel-js.
 *
 * cel-js is an ES module. Jest's module registry (CommonJS, transpile-only) cannot load it, so it is loaded with Node's
 * own `require` (Node ≥ 20.19 can `require()` ES modules), obtained through `process.getBuiltinModule`, which jest does
 * not intercept. That puts cel-js in Node's main realm while test code runs in jest's vm context, where `Array` is a
 * different constructor: cel-js only recognises main-realm arrays as lists, so lists are rebuilt with the main realm's
 * `Array` (maps are null-prototype objects, which cel-js accepts from any realm). Outside jest both realms are one.
 */

export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

export type CompiledRule =
  | { readonly kind: 'program'; readonly run: (self: unknown) => unknown; readonly message?: (self: unknown) => unknown }
  | { readonly kind: 'transition' } // references oldSelf: only meaningful on update, skipped
  | { readonly kind: 'unsupported'; readonly reason: string; readonly allowed?: boolean };

/**
 * Rules (by exact text) that cel-js cannot evaluate and that are accepted unchecked, each with its justification.
 * Keep it empty if at all possible; an unsupported rule not listed here is reported as an issue on every object it
 * applies to, and unsupportedCelRules() lists all unsupported rules (a test asserts the list).
 */
export const ALLOWED_UNSUPPORTED_RULES: Readonly<Record<string, string>> = {};

interface CelLib {
  Environment: new (opts?: any) => any;
}

interface CelHost {
  readonly env?: any;
  readonly loadError?: string;
  readonly HostArray: ArrayConstructor;
}

let host: CelHost | undefined;

function nodeBuiltin(id: string): any {
  const getBuiltinModule = (process as any).getBuiltinModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return typeof getBuiltinModule === 'function' ? getBuiltinModule.call(process, id) : require(id);
}

function loadHost(): CelHost {
  if (host) return host;
  const vm = nodeBuiltin('vm');
  const HostArray: ArrayConstructor = vm.runInThisContext('Array');
  try {
    const hostRequire = nodeBuiltin('module').createRequire(__filename);
    const lib: CelLib = hostRequire('@marcbachmann/cel-js');
    const env = new lib.Environment({
      unlistedVariablesAreDyn: false,
      homogeneousAggregateLiterals: false,
      enableOptionalTypes: true, // Kubernetes enables CEL optional types (`?.`, `.orValue()`)
    }).registerVariable('self', 'dyn');
    // Kubernetes CEL library functions missing from cel-js would be registered here. None is needed: every rule of
    // the vendored CRDs uses only standard CEL (has/size/all/exists/filter/startsWith/...), see unsupportedCelRules().
    host = { env, HostArray };
  } catch (e) {
    host = { HostArray, loadError: `cel-js could not be loaded: ${(e as Error).message}` };
  }
  return host;
}

const compiled = new Map<string, CompiledRule>();

/** Whether the rule is a transition rule (references `oldSelf`), evaluated by Kubernetes on updates only. */
export function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

function compileExpression(env: any, expr: string): { fn?: (ctx: any) => unknown; error?: string } {
  try {
    const check = env.check(expr);
    if (!check.valid) return { error: firstLine(check.error?.message ?? 'type check failed') };
    const fn = env.parse(expr);
    return { fn: (ctx: any) => fn(ctx) };
  } catch (e) {
    return { error: firstLine((e as Error).message) };
  }
}

/** Compiles a rule once per process (cached by rule + messageExpression text). */
export function compileRule(rule: CelRule): CompiledRule {
  const key = `${rule.rule}\0${rule.messageExpression ?? ''}`;
  let c = compiled.get(key);
  if (c) return c;
  if (typeof rule.rule !== 'string' || rule.rule.trim() === '') {
    c = { kind: 'unsupported', reason: 'empty rule' };
  } else if (isTransitionRule(rule.rule)) {
    c = { kind: 'transition' };
  } else {
    const h = loadHost();
    if (!h.env) {
      c = { kind: 'unsupported', reason: h.loadError ?? 'cel-js unavailable' };
    } else {
      const main = compileExpression(h.env, rule.rule);
      if (!main.fn) {
        c = { kind: 'unsupported', reason: main.error ?? 'cannot compile' };
      } else {
        const msg = rule.messageExpression ? compileExpression(h.env, rule.messageExpression) : undefined;
        if (rule.messageExpression && !msg?.fn) {
          c = { kind: 'unsupported', reason: `messageExpression: ${msg?.error}` };
        } else {
          const run = main.fn;
          const message = msg?.fn;
          c = {
            kind: 'program',
            run: (self) => run({ self }),
            message: message ? (self) => message({ self }) : undefined,
          };
        }
      }
    }
  }
  if (c.kind === 'unsupported' && Object.prototype.hasOwnProperty.call(ALLOWED_UNSUPPORTED_RULES, rule.rule)) {
    c = { kind: 'unsupported', reason: `${c.reason} (allowed: ${ALLOWED_UNSUPPORTED_RULES[rule.rule]})`, allowed: true };
  }
  compiled.set(key, c);
  return c;
}

/** The main realm's `Array`, for building CEL lists (see the file comment). */
export function celArray(): ArrayConstructor {
  return loadHost().HostArray;
}

function firstLine(s: string): string {
  return String(s).split('\n')[0];
}
