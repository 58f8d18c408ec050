import type * as YamlModule from 'yaml';

/**
 * The `yaml` package, loaded on first use. Only reading YAML back needs it (the update checks reading the committed
 * `dist/`, Helm values in the first-sync model, `cdk8s.yaml` in the commands); writing goes through cdk8s' own bundled
 * copy. A synth that parses nothing (the default environment without update checks, a fleet) then never compiles a
 * second copy of the library: about 8 ms of every process's start.
 */
export function yamlParser(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}
