import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { changeImpactReport } from '../cluster/change-impact';
import { isDns1123Label } from '../core/k8s-syntax';
import { renderSession } from '../core/render';
import {
  checkAppUpdates, discardPrefetchedManifests, prefetchCommittedManifests, PREVIOUS_REF_CONTEXT, PreviousManifests,
} from '../core/update-checks';
import { PostgresPlatform, PostgresPlatformProps } from '../platform';
import { argocdConfigMapPatch } from '../platform/health-checks';
import { planFirstSync, SynthPlan } from '../platform/synth-plan';
import { CredentialCatalog, DeclaredCredential } from '../secrets/seal-command';

/**
 * One deployment target: a name (its folder under `dist/`), whether it is production, and the platform it runs.
 */
export interface Environment {
  /** Folder name under `dist/`; a DNS-1123 label. */
  readonly name: string;
  /** Production environments refuse demo material (the demo sealing certificate) and require backups. */
  readonly production: boolean;
  /**
   * The platform of this environment; `platform.environment` equals `name`. With `tenants`, it is what every tenant
   * shares (Kubernetes cluster, sealing material, delivery, defaults), each tenant overriding what it sets.
   */
  readonly platform: PostgresPlatformProps;
  /**
   * Database tenants of the environment: one platform each, in one app, sharing the environment's Kubernetes cluster,
   * sealed store and delivery. Each is `platform` with the tenant's settings on top (`cluster` is replaced whole).
   * @default - one platform: `platform`
   */
  readonly tenants?: readonly TenantDeclaration[];
}

/** One database tenant of an environment: its name and what it sets differently from the environment's platform. */
export interface TenantDeclaration extends Partial<Omit<PostgresPlatformProps, 'environment' | 'production' | 'tenant' | 'kubernetesCluster' | 'sealingCertificatePath' | 'sealedStorePath'>> {
  /** A short DNS-1123 label: its folders `dist/<env>/<name>-<component>/` and Argo CD objects `<env>-<name>-…`. */
  readonly name: string;
}

/** What `defineEnvironment` takes: the platform without what the environment already says. */
export interface EnvironmentDeclaration {
  /** Folder name under `dist/` and in `secrets/`; a DNS-1123 label. */
  readonly name: string;
  /**
   * Refuse demo material and require backups.
   * @default false
   */
  readonly production?: boolean;
  /** The platform, without `environment` and `production` (taken from the environment). */
  readonly platform: Omit<PostgresPlatformProps, 'environment' | 'production' | 'sealingCertificatePath' | 'sealedStorePath'>
    & Partial<Pick<PostgresPlatformProps, 'sealingCertificatePath' | 'sealedStorePath'>>;
  /**
   * Database tenants sharing this environment (see `Environment.tenants`).
   * @default - one platform
   */
  readonly tenants?: readonly TenantDeclaration[];
}

/** Options of `defineEnvironment`. */
export interface DefineEnvironmentOptions {
  /**
   * The project's root, where `secrets/<env>/` lives.
   * @default - the nearest folder with a cdk8s.yaml above the current directory
   */
  readonly projectRoot?: string;
}

/**
 * Declares an environment: its sealing material defaults to the committed `secrets/<name>/sealing-cert.pem` and
 * `secrets/<name>/sealed-values.json` of the project, and one `production` flag marks both the environment and its
 * platform.
 */
export function defineEnvironment(declaration: EnvironmentDeclaration, options: DefineEnvironmentOptions = {}): Environment {
  const { sealingCertificatePath, sealedStorePath } = declaration.platform;
  // The project root is only looked up when a path is not given.
  const paths = sealingCertificatePath !== undefined && sealedStorePath !== undefined
    ? { sealingCertificatePath, sealedStorePath }
    : { ...sealingPaths(declaration.name, options.projectRoot), ...definedOnly({ sealingCertificatePath, sealedStorePath }) };
  return {
    name: declaration.name,
    production: declaration.production ?? false,
    tenants: declaration.tenants,
    platform: {
      ...declaration.platform,
      ...paths,
      environment: declaration.name,
      production: declaration.production ?? false,
    },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The nearest folder at or above `start` that holds a `cdk8s.yaml` (a cdk8s project's root). */
export function findProjectRoot(start: string = process.cwd()): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk8s.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no cdk8s.yaml found at or above ${start}: run from your cdk8s project, or pass projectRoot`);
  }
}

/** The committed sealing material of an environment: `secrets/<env>/` under the project's root. */
export function sealingPaths(environment: string, projectRoot: string = findProjectRoot()): { sealingCertificatePath: string; sealedStorePath: string } {
  const dir = path.join(projectRoot, 'secrets', environment);
  return { sealingCertificatePath: path.join(dir, 'sealing-cert.pem'), sealedStorePath: path.join(dir, 'sealed-values.json') };
}

/** Environments must have distinct, valid folder names: two environments must never write to the same folder. */
export function environmentProblems(environments: readonly Environment[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const env of environments) {
    if (!isDns1123Label(env.name)) out.push(`environment ${JSON.stringify(env.name)}: the name must be a DNS-1123 label (it is a folder and part of Argo CD application names)`);
    if (env.name === 'clusters') out.push('environment "clusters": the name is taken by dist/clusters/, where the shared Kubernetes clusters are written');
    if (seen.has(env.name)) out.push(`environment ${JSON.stringify(env.name)}: two environments would write to dist/${env.name}/; give each a distinct name`);
    if (env.platform.environment !== env.name) out.push(`environment ${JSON.stringify(env.name)}: platform.environment is ${JSON.stringify(env.platform.environment)}; it must equal the environment's name (it names the sealed store and the seal command's --env)`);
    seen.add(env.name);
  }
  return out;
}

/** The built app of one environment: its platforms (one per tenant), the first of them as `platform`. */
export interface BuiltEnvironment {
  readonly app: App;
  /** The environment's platform (its first tenant's, when it has several). */
  readonly platform: PostgresPlatform;
  /** Every platform of the environment, one per tenant. */
  readonly platforms: readonly PostgresPlatform[];
}

/** Options of `buildEnvironment`. */
export interface BuildEnvironmentOptions {
  /**
   * Let constructs compare themselves with the deployed manifests (the disaster-recovery role changes read the
   * committed `dist/`); `false` turns those checks off, as `CDK8S_CNPG_PREVIOUS_REF=none` does.
   * @default true
   */
  readonly updateChecks?: boolean;
}

/** Builds the app of one environment, writing to `<outdir>/<environment>/`. */
export function buildEnvironment(env: Environment, outdir: string, options: BuildEnvironmentOptions = {}): BuiltEnvironment {
  const app = new App({ outdir: path.join(outdir, env.name), outputFileExtension: '.yaml' });
  if (options.updateChecks === false) app.node.setContext(PREVIOUS_REF_CONTEXT, 'none');
  // One production flag: the environment's marks its platforms too (demo certificate refused, backups required).
  const production = env.production || env.platform.production;
  const platforms = env.tenants && env.tenants.length > 0
    ? env.tenants.map(({ name, ...own }) => new PostgresPlatform(app, name, { ...env.platform, ...own, tenant: name, production }))
    : [new PostgresPlatform(app, env.name, { ...env.platform, production })];
  return { app, platform: platforms[0], platforms };
}

/** Options of `synthEnvironments` and `planEnvironments`. */
export interface SynthEnvironmentsOptions {
  /**
   * Where to write.
   * @default - `CDK8S_OUTDIR` (set by `cdk8s synth`), else "dist"
   */
  readonly outdir?: string;
  /**
   * Warnings fail synth.
   * @default - `CDK8S_CNPG_STRICT=true` or `--strict` on the command line
   */
  readonly strict?: boolean;
  /**
   * Compare each environment with the committed `dist/` in git (update checks) and print what each cluster change does.
   * `CDK8S_CNPG_PREVIOUS_REF` picks the deployed revision (`none`: off); `CDK8S_CNPG_ACK` acknowledges a breaking change.
   * @default true
   */
  readonly updateChecks?: boolean;
  /**
   * Where to write the sync timelines (Markdown with Mermaid diagrams); `false` for nowhere.
   * @default - `docs/sync/` of the project when writing into its `dist/`, else nowhere
   */
  readonly timelineDir?: string | false;
  /**
   * Where reports (impact lines, notes) go.
   * @default - standard error
   */
  readonly report?: (line: string) => void;
}

function resolvedOutdir(options: SynthEnvironmentsOptions): string {
  return options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
}

/**
 * Builds, validates and renders every environment (and the Kubernetes clusters they share) once, runs the update
 * checks against the committed output and the change-impact report, and proves with the first-sync model that each
 * Kubernetes cluster converges from empty. Writes nothing; throws with every error.
 */
export function planEnvironments(environments: readonly Environment[], options: SynthEnvironmentsOptions = {}): SynthPlan {
  const problems = environmentProblems(environments);
  if (problems.length > 0) throw new Error(`invalid environments:\n  ${problems.join('\n  ')}`);
  const outdir = resolvedOutdir(options);
  // git reads the deployed manifests while the apps are built
  if (options.updateChecks !== false) prefetchCommittedManifests(outdir);
  try {
    return planBuiltEnvironments(environments, outdir, options);
  } finally {
    discardPrefetchedManifests();
  }
}

/** `planEnvironments` once git runs: build, update checks, first-sync model. */
function planBuiltEnvironments(environments: readonly Environment[], outdir: string, options: SynthEnvironmentsOptions): SynthPlan {
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const built = environments.map((env) => ({ env, ...buildEnvironment(env, outdir, { updateChecks: options.updateChecks }) }));
  const strict = options.strict ?? (process.env.CDK8S_CNPG_STRICT === 'true' || process.argv.includes('--strict'));
  // The apps are complete: from here on each object is rendered once, for the update checks, the validations and the
  // writers alike.
  return renderSession(() => {
    if (options.updateChecks !== false) {
      for (const { env, app } of built) {
        // Breaking changes against what Argo CD applies: the committed dist/ (read from git; the cdk8s CLI has already
        // deleted the folder).
        const previous = PreviousManifests.fromDist(outdir, env.name);
        checkAppUpdates(app, previous);
        for (const line of changeImpactReport(app, previous)) report(`impact: ${line}`);
      }
    }
    return planFirstSync(built.map(({ env, app, platforms }) => ({ name: env.name, app, platforms })), outdir, { strict });
  });
}

/**
 * The way to synthesize environments: everything `planEnvironments` checks, then — replacing the output folder — the
 * component folders of every environment and shared Kubernetes cluster, the Argo CD health checks
 * (`argocd-cm.health-checks.yaml`) and the sync timelines. Nothing is written (or removed) when anything fails.
 */
export function synthEnvironments(environments: readonly Environment[], options: SynthEnvironmentsOptions = {}): SynthPlan {
  const plan = planEnvironments(environments, options);
  const outdir = resolvedOutdir(options);
  // The output folder holds exactly this synth (as `cdk8s synth` leaves it): a removed environment or component
  // leaves no stale folder behind for Argo CD to keep syncing. Only after every check passed: a failed synth keeps it.
  for (const marker of ['cdk8s.yaml', 'package.json', '.git']) {
    if (fs.existsSync(path.join(outdir, marker))) throw new Error(`refusing to replace ${path.resolve(outdir)}: it holds ${marker}, so it is a project, not an output folder; set outdir to a folder of its own (e.g. dist)`);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  plan.write();
  // Not under an environment folder, so no Argo CD application applies it: it is patched into argocd-cm once.
  fs.writeFileSync(path.join(outdir, 'argocd-cm.health-checks.yaml'), argocdConfigMapPatch());
  const timelineDir = options.timelineDir ?? defaultTimelineDir(outdir);
  if (timelineDir) plan.writeTimelines(timelineDir);
  return plan;
}

/** `docs/sync/` of the project when `outdir` is the project's `dist/`: the committed timelines describe the committed output. */
function defaultTimelineDir(outdir: string): string | undefined {
  let root: string;
  try {
    root = findProjectRoot(path.dirname(path.resolve(outdir)));
  } catch {
    return undefined;
  }
  return path.resolve(outdir) === path.join(root, 'dist') ? path.join(root, 'docs', 'sync') : undefined;
}

/**
 * `synthEnvironments` for a program's entry point: prints every error (no stack trace: the message lists each error
 * with its construct path) and sets the exit code.
 */
export function runSynth(environments: readonly Environment[], options: SynthEnvironmentsOptions = {}): void {
  try {
    synthEnvironments(environments, options);
  } catch (e) {
    process.stderr.write(`synth failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

/** The credentials every environment declares, for the seal command. */
export function credentialCatalogOf(environments: readonly Environment[]): CredentialCatalog {
  const find = (name: string) => environments.find((e) => e.name === name);
  return {
    environments: () => environments.map((e) => e.name),
    credentials: (environment: string): DeclaredCredential[] => {
      const env = find(environment);
      if (!env) return [];
      // Built in memory only: nothing is written to the outdir.
      // One seal run for every tenant of the environment: they share its sealed store.
      const { platforms } = buildEnvironment(env, os.tmpdir());
      return platforms.flatMap((p) => p.sealedCredentials).map((c) => ({
        environment,
        namespace: c.namespace,
        name: c.secretName,
        scope: c.scope,
        keys: [...c.keys],
        generatedKeys: [...c.generatedKeys],
        fixedValues: { ...c.fixedValues },
      }));
    },
    certificatePath: (environment: string) => find(environment)?.platform.sealingCertificatePath ?? sealingPaths(environment).sealingCertificatePath,
    storePath: (environment: string) => find(environment)?.platform.sealedStorePath ?? sealingPaths(environment).sealedStorePath,
  };
}
