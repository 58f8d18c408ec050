import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  celRuleSummary,
  SchemaIssue,
  unsupportedCelRules,
  unsupportedPatterns,
  validateObject,
  validateObjects,
  validateYamlFiles,
} from './support/schema';
import { compileRule, isTransitionRule } from './support/schema/cel';

/** Asserts that `issues` holds one at exactly `path` whose message contains `message`. */
function expectIssue(issues: SchemaIssue[], path: string, message: string): void {
  expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

// ---------------------------------------------------------------------------------------------------------------------
// fixtures

const cluster = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'cnpg-ha', namespace: 'data-infra', labels: { 'app.kubernetes.io/name': 'cnpg-ha', tier: '' } },
  spec: {
    instances: 3,
    imageName: 'ghcr.io/cloudnative-pg/postgresql:16.6-minimal-trixie',
    storage: { size: '40Gi' },
    ...spec,
  },
});
const CL = 'Cluster data-infra/cnpg-ha';

const objectStore = (configuration: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'barmancloud.cnpg.io/v1',
  kind: 'ObjectStore',
  metadata: { name: 'backups', namespace: 'data-infra' },
  spec: {
    configuration: { destinationPath: 's3://backups/cnpg', endpointURL: 'https://s3.example.com', ...configuration },
    retentionPolicy: '30d',
    ...spec,
  },
});
const OS = 'ObjectStore data-infra/backups';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            ports: [{ containerPort: 8080, name: 'http' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' } },
          },
        ],
      },
    },
  },
});
const DEP = 'Deployment apps/web';

const service = () => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

const configMap = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'web.config', namespace: 'apps', annotations: { 'example.com/owner': 'team-a' } },
  data: { 'app.properties': 'a=b' },
});

// ---------------------------------------------------------------------------------------------------------------------

describe('custom resources (vendored CRDs)', () => {
  test('a valid CNPG Cluster passes', () => {
    expect(validateObject(cluster())).toEqual([]);
  });

  test('a valid Cluster using more of the schema passes (int-or-string quantities, maps, list-maps, CEL-guarded fields)', () => {
    const c = cluster({
      resources: { requests: { cpu: 1, memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      postgresql: {
        parameters: { shared_buffers: '256MB', max_connections: '200' },
        synchronous: { method: 'any', number: 1, dataDurability: 'required' },
      },
      bootstrap: { initdb: { database: 'app', owner: 'app', localeProvider: 'icu', icuLocale: 'en-US' } },
      primaryUpdateStrategy: 'unsupervised',
      plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'backups' } }],
    });
    expect(validateObject(c)).toEqual([]);
  });

  test('an unknown field at the top of spec fails, naming the path', () => {
    const issues = validateObject(cluster({ authentication: { method: 'scram' } }));
    expect(issues).toEqual([{ path: `${CL}: spec.authentication`, message: 'unknown field "authentication"' }]);
  });

  test('an unknown field nested deeper fails, naming the path', () => {
    const issues = validateObject(cluster({ storage: { size: '40Gi', storageClass: 'fast', sizee: '1Gi' }, bootstrap: { initdb: { databse: 'app' } } }));
    expectIssue(issues, `${CL}: spec.storage.sizee`, 'unknown field "sizee"');
    expectIssue(issues, `${CL}: spec.bootstrap.initdb.databse`, 'unknown field "databse"');
    expect(issues).toHaveLength(2);
  });

  test('unknown top-level fields and unknown metadata fields fail', () => {
    const c: any = cluster();
    c.extra = true;
    c.metadata.label = { a: 'b' };
    const issues = validateObject(c);
    expectIssue(issues, `${CL}: extra`, 'unknown field "extra"');
    expectIssue(issues, `${CL}: metadata.label`, 'unknown field "label"');
  });

  test('a wrong type fails', () => {
    expect(validateObject(cluster({ instances: '3' }))).toEqual([
      { path: `${CL}: spec.instances`, message: 'must be of type integer, got string "3"' },
    ]);
    expectIssue(validateObject(cluster({ storage: { size: 40 } })), `${CL}: spec.storage.size`, 'must be of type string');
    expectIssue(validateObject(cluster({ enablePDB: 'true' })), `${CL}: spec.enablePDB`, 'must be of type boolean');
  });

  test('int-or-string fields accept integers and strings only', () => {
    const issues = validateObject(cluster({ resources: { requests: { cpu: true, memory: 1.5 } } }));
    expectIssue(issues, `${CL}: spec.resources.requests.cpu`, 'must be an integer or a string');
    expectIssue(issues, `${CL}: spec.resources.requests.memory`, 'must be an integer or a string');
  });

  test('an enum violation fails', () => {
    expect(validateObject(cluster({ primaryUpdateStrategy: 'automatic' }))).toEqual([
      { path: `${CL}: spec.primaryUpdateStrategy`, message: 'Unsupported value: "automatic": supported values: "unsupervised", "supervised"' },
    ]);
  });

  test('a missing required field fails', () => {
    const os1: any = objectStore();
    delete os1.spec.configuration.destinationPath;
    expect(validateObject(os1)).toEqual([
      { path: `${OS}: spec.configuration.destinationPath`, message: 'Required value: missing required field "destinationPath"' },
    ]);
  });

  test('defaults are applied before validation, as the API server does (instances defaults to 1)', () => {
    const c: any = cluster();
    delete c.spec.instances;
    expect(validateObject(c)).toEqual([]);
  });

  test('a pattern violation fails (ObjectStore retentionPolicy ^[1-9][0-9]*[dwm]$)', () => {
    expect(validateObject(objectStore({}, { retentionPolicy: '30days' }))).toEqual([
      { path: `${OS}: spec.retentionPolicy`, message: 'Invalid value: "30days": must match the pattern "^[1-9][0-9]*[dwm]$"' },
    ]);
    expect(validateObject(objectStore({}, { retentionPolicy: '4w' }))).toEqual([]);
  });

  test('a CEL rule violation fails (ObjectStore spec.configuration forbids serverName), at the rule fieldPath', () => {
    expect(validateObject(objectStore())).toEqual([]);
    const issues = validateObject(objectStore({ serverName: 'pg' }));
    expect(issues).toEqual([
      {
        path: `${OS}: spec.configuration.serverName`,
        message: "Invalid value: use the 'serverName' plugin parameter in the Cluster resource (x-kubernetes-validations rule: !has(self.serverName))",
      },
    ]);
  });

  test('CEL rules over lists (exists) are evaluated', () => {
    const bad = validateObject(objectStore({}, { instanceSidecarConfiguration: { additionalContainerArgs: ['--foo', '--log-level=debug'] } }));
    expectIssue(bad, `${OS}: spec.instanceSidecarConfiguration.additionalContainerArgs`, 'do not set --log-level in additionalContainerArgs');
    expect(validateObject(objectStore({}, { instanceSidecarConfiguration: { additionalContainerArgs: ['--foo'] } }))).toEqual([]);
  });

  test('CEL rules on the Cluster: mutual exclusion, integer comparison', () => {
    const both = validateObject(cluster({ imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'pg', major: 16 } }));
    expectIssue(both, `${CL}: spec`, 'imageName and imageCatalogRef are mutually exclusive');
    const zero = validateObject(cluster({ postgresql: { synchronous: { method: 'any', number: 0 } } }));
    expectIssue(zero, `${CL}: spec.postgresql.synchronous.number`, 'The number of synchronous replicas should be greater than zero');
    const catalogKind = validateObject(
      cluster({ imageName: undefined, imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ConfigMap', name: 'pg', major: 16 } }),
    );
    expectIssue(catalogKind, `${CL}: spec.imageCatalogRef`, 'Only image catalogs are supported');
  });

  test('nested CEL macros (all + filter) over a list of objects', () => {
    const catalog = (majors: number[]) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ImageCatalog',
      metadata: { name: 'pg', namespace: 'data-infra' },
      spec: { images: majors.map((major) => ({ major, image: `ghcr.io/cloudnative-pg/postgresql:${major}` })) },
    });
    expect(validateObject(catalog([16, 17]))).toEqual([]);
    expectIssue(validateObject(catalog([16, 16])), 'ImageCatalog data-infra/pg: spec.images', 'Images must have unique major versions');
  });

  test('a CEL rule that errors at runtime is reported, not passed (initdb icuLocale without localeProvider)', () => {
    const issues = validateObject(cluster({ bootstrap: { initdb: { database: 'app', icuLocale: 'en-US' } } }));
    expectIssue(issues, `${CL}: spec.bootstrap.initdb`, 'icuLocale is only available when localeProvider is set to `icu`');
    expectIssue(issues, `${CL}: spec.bootstrap.initdb`, 'No such key: localeProvider');
    const wrongProvider = validateObject(cluster({ bootstrap: { initdb: { localeProvider: 'libc', icuLocale: 'en-US' } } }));
    expect(wrongProvider).toEqual([
      {
        path: `${CL}: spec.bootstrap.initdb`,
        message: "Invalid value: icuLocale is only available when localeProvider is set to `icu` (x-kubernetes-validations rule: !has(self.icuLocale) || self.localeProvider == 'icu')",
      },
    ]);
  });

  test('list-type map keys must be unique (defaults count as key values)', () => {
    const issues = validateObject(
      cluster({
        managed: {
          services: {
            additional: [
              {
                selectorType: 'rw',
                serviceTemplate: { metadata: { name: 'pg-lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 5432 }, { port: 5432, protocol: 'TCP' }] } },
              },
            ],
          },
        },
      }),
    );
    expectIssue(issues, `${CL}: spec.managed.services.additional[0].serviceTemplate.spec.ports[1]`, 'Duplicate value: {"port":5432,"protocol":"TCP"}');
  });

  test('null is rejected for non-nullable fields', () => {
    expectIssue(validateObject(cluster({ storage: null })), `${CL}: spec.storage`, 'must not be null');
  });

  test('apiVersion and kind must name a vendored CRD version', () => {
    const wrongKind = validateObject({ ...cluster(), kind: 'Clusters' });
    expectIssue(wrongKind, 'Clusters data-infra/cnpg-ha: kind', 'unknown kind: postgresql.cnpg.io/v1 Clusters is not defined by crds/postgresql.cnpg.io.yaml');
    const wrongVersion = validateObject({ ...cluster(), apiVersion: 'postgresql.cnpg.io/v1beta1' });
    expectIssue(wrongVersion, `${CL}: kind`, 'postgresql.cnpg.io/v1beta1 Cluster is not defined');
    expectIssue(validateObject({ ...cluster(), apiVersion: undefined }), `${CL}: apiVersion`, 'Required value');
  });

  test('SealedSecret (bitnami.com/v1alpha1) validates against its CRD', () => {
    const sealed = {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'app-credentials', namespace: 'data-infra', annotations: { 'sealedsecrets.bitnami.com/namespace-wide': 'true' } },
      spec: {
        encryptedData: { username: 'AgBy3i4OJSWK+PiTySYZZA==', password: 'AgCtr8OJSWK+PiTySYZZA==' },
        template: { metadata: { name: 'app-credentials', namespace: 'data-infra', labels: { 'cnpg.io/reload': 'true' } }, type: 'kubernetes.io/basic-auth' },
      },
    };
    expect(validateObject(sealed)).toEqual([]);
    const bad: any = clone(sealed);
    bad.spec.encryptedData.password = 42;
    bad.spec.templates = {};
    const issues = validateObject(bad);
    expectIssue(issues, 'SealedSecret data-infra/app-credentials: spec.encryptedData.password', 'must be of type string');
    expectIssue(issues, 'SealedSecret data-infra/app-credentials: spec.templates', 'unknown field "templates"');
  });

  test('PodMonitor validates against its CRD', () => {
    const pm = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'cnpg-ha', namespace: 'data-infra' },
      spec: {
        selector: { matchLabels: { 'cnpg.io/cluster': 'cnpg-ha' } },
        podMetricsEndpoints: [{ port: 'metrics', interval: '30s', scheme: 'http', relabelings: [{ action: 'replace', sourceLabels: ['__meta_x'], targetLabel: 'pod' }] }],
      },
    };
    expect(validateObject(pm)).toEqual([]);
    const bad: any = clone(pm);
    bad.spec.podMetricsEndpoints[0].interval = '30 seconds';
    bad.spec.podMetricsEndpoints[0].relabelings[0].action = 'Explode';
    const issues = validateObject(bad);
    expectIssue(issues, 'PodMonitor data-infra/cnpg-ha: spec.podMetricsEndpoints[0].interval', 'must match the pattern');
    expectIssue(issues, 'PodMonitor data-infra/cnpg-ha: spec.podMetricsEndpoints[0].relabelings[0].action', 'Unsupported value: "Explode"');
  });

  test('PrometheusRule validates against its CRD', () => {
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'cnpg-ha-alerts', namespace: 'data-infra', labels: { release: 'kube-prometheus-stack' } },
      spec: {
        groups: [
          {
            name: 'cnpg',
            rules: [
              {
                alert: 'CNPGClusterNotHealthy',
                expr: 'cnpg_collector_up == 0',
                for: '5m',
                labels: { severity: 'critical' },
                annotations: { summary: 'CNPG cluster {{ $labels.namespace }} is down' },
              },
              { record: 'cnpg:up', expr: 1 },
            ],
          },
        ],
      },
    };
    expect(validateObject(rule)).toEqual([]);
    const bad: any = clone(rule);
    bad.spec.groups[0].rules[0].severity = 'critical';
    delete bad.spec.groups[0].rules[1].expr;
    const issues = validateObject(bad);
    expectIssue(issues, 'PrometheusRule data-infra/cnpg-ha-alerts: spec.groups[0].rules[0].severity', 'unknown field "severity"');
    expectIssue(issues, 'PrometheusRule data-infra/cnpg-ha-alerts: spec.groups[0].rules[1].expr', 'Required value');
  });

  test('Argo CD Application validates against its CRD', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'data-infra', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: {
        project: 'default',
        source: { repoURL: 'https://github.com/example/infra.git', path: 'dist', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'data-infra' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=false', 'ServerSideApply=true'] },
      },
    };
    expect(validateObject(app)).toEqual([]);
    const bad: any = clone(app);
    bad.spec.syncPolicy.automated.prune = 'yes';
    delete bad.spec.project;
    const issues = validateObject(bad);
    expectIssue(issues, 'Application argocd/data-infra: spec.syncPolicy.automated.prune', 'must be of type boolean');
    expectIssue(issues, 'Application argocd/data-infra: spec.project', 'Required value');
  });

  test('k3s HelmChart validates against its CRD', () => {
    const chart = {
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'cloudnative-pg', namespace: 'kube-system' },
      spec: {
        repo: 'https://cloudnative-pg.github.io/charts',
        chart: 'cloudnative-pg',
        version: '0.23.0',
        targetNamespace: 'cnpg-system',
        createNamespace: true,
        set: { replicaCount: 1, 'config.clusterWide': 'true' },
        valuesContent: 'monitoring:\n  podMonitorEnabled: true\n',
      },
    };
    expect(validateObject(chart)).toEqual([]);
    const bad: any = clone(chart);
    bad.spec.set.replicaCount = false;
    bad.spec.failurePolicy = 'ignore';
    const issues = validateObject(bad);
    expectIssue(issues, 'HelmChart kube-system/cloudnative-pg: spec.set.replicaCount', 'must be an integer or a string');
    expectIssue(issues, 'HelmChart kube-system/cloudnative-pg: spec.failurePolicy', 'Unsupported value: "ignore"');
  });
});

describe('core kinds', () => {
  test('valid Deployment, Service, ConfigMap and friends pass', () => {
    const others = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data-infra', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'apps' }, type: 'Opaque', data: { password: 'cGFzc3dvcmQ=' }, stringData: { user: 'app' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'apps' }, automountServiceAccountToken: false },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'vacuum', namespace: 'apps' },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'v', image: 'busybox', args: ['true'] }] } } } },
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-pg', namespace: 'data-infra' },
        spec: {
          podSelector: { matchLabels: { 'cnpg.io/cluster': 'cnpg-ha' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
        },
      },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'apps' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } },
      {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'limits', namespace: 'apps' },
        spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] },
      },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: 'apps' }, spec: { hard: { 'requests.storage': '500Gi', pods: '20' } } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'system:reader', namespace: 'apps' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader', namespace: 'apps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'system:reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'apps' }],
      },
    ];
    expect(validateObjects([deployment(), service(), configMap(), ...others])).toEqual([]);
  });

  test('an unknown field deep in a pod template container fails, naming the path', () => {
    const d: any = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    d.spec.template.spec.containers[0].resources.request = { cpu: '1' };
    const issues = validateObject(d);
    expectIssue(issues, `${DEP}: spec.template.spec.containers[0].imagePullPolicyy`, 'unknown field "imagePullPolicyy" (not a field of V1Container)');
    expectIssue(issues, `${DEP}: spec.template.spec.containers[0].resources.request`, 'unknown field "request"');
    expect(issues).toHaveLength(2);
  });

  test('a wrong type for replicas fails; a missing required field fails', () => {
    const d: any = deployment();
    d.spec.replicas = '2';
    delete d.spec.template.spec.containers[0].name;
    const issues = validateObject(d);
    expect(issues).toContainEqual({ path: `${DEP}: spec.replicas`, message: 'must be of type integer, got string "2"' });
    expectIssue(issues, `${DEP}: spec.template.spec.containers[0].name`, 'Required value');
  });

  test('a selector that does not match the template labels fails', () => {
    const d: any = deployment();
    d.spec.template.metadata.labels = { app: 'api' };
    expectIssue(validateObject(d), `${DEP}: spec.template.metadata.labels`, '`selector` does not match template `labels`');
  });

  test('invalid Service: unknown field, unnamed ports, enum', () => {
    const s: any = service();
    s.spec.clusterIp = 'None';
    s.spec.ports.push({ port: 443 });
    s.spec.type = 'Internal';
    const issues = validateObject(s);
    expectIssue(issues, 'Service apps/web: spec.clusterIp', 'unknown field "clusterIp"');
    expectIssue(issues, 'Service apps/web: spec.ports[1].name', 'ports must be named');
    expectIssue(issues, 'Service apps/web: spec.type', 'Unsupported value');
  });

  test('invalid ConfigMap and Secret: value types, keys, base64', () => {
    const cm: any = configMap();
    cm.data.count = 3;
    cm.data['bad key'] = 'x';
    cm.immutible = true;
    const issues = validateObject(cm);
    expectIssue(issues, 'ConfigMap apps/web.config: data.count', 'must be of type string, got integer 3');
    expectIssue(issues, 'ConfigMap apps/web.config: data["bad key"]', 'a valid config key must consist of alphanumeric characters');
    expectIssue(issues, 'ConfigMap apps/web.config: immutible', 'unknown field "immutible"');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'apps' }, data: { password: 'not base64!' } };
    expectIssue(validateObject(secret), 'Secret apps/s: data.password', 'data values must be base64-encoded');
  });

  test('an unknown kind fails', () => {
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      { path: 'Widget w: kind', message: 'unknown kind: example.com/v1 Widget is neither a vendored CRD (crds/) nor a built-in Kubernetes kind' },
    ]);
    expectIssue(validateObject({ apiVersion: 'apps/v1', kind: 'Job', metadata: { name: 'j' } }), 'Job j: kind', 'unknown kind: apps/v1 Job');
    expectIssue(validateObject({ apiVersion: 'v1', kind: 'DeploymentSpec', metadata: { name: 'd' } }), 'DeploymentSpec d: kind', 'unknown kind');
  });

  test('duplicate objects are reported by validateObjects', () => {
    expect(validateObjects([service(), service()])).toEqual([
      { path: 'Service apps/web: (root)', message: 'duplicate object: the same Service is also defined by object #0' },
    ]);
  });
});

describe('names, namespaces, labels and annotations', () => {
  const cm = (metadata: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: {} });

  test('names follow the rule of their kind', () => {
    expect(validateObject(cm({ name: 'a.b-c', namespace: 'apps' }))).toEqual([]);
    expectIssue(validateObject(cm({ name: 'Web', namespace: 'apps' })), 'ConfigMap apps/Web: metadata.name', 'a lowercase RFC 1123 subdomain');
    expectIssue(validateObject(cm({ name: 'a'.repeat(254) })), `ConfigMap ${'a'.repeat(254)}: metadata.name`, 'must be no more than 253 characters');
    expectIssue(validateObject(cm({})), 'ConfigMap <no name>: metadata.name', 'Required value');

    const svc: any = service();
    svc.metadata.name = '1db';
    expectIssue(validateObject(svc), 'Service apps/1db: metadata.name', 'a DNS-1035 label must consist of lower case alphanumeric characters');
    svc.metadata.name = 'db.primary';
    expectIssue(validateObject(svc), 'Service apps/db.primary: metadata.name', 'DNS-1035 label');

    expectIssue(validateObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data.infra' } }), 'Namespace data.infra: metadata.name', 'RFC 1123 label');
    expectIssue(validateObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n'.repeat(64) } }), `Namespace ${'n'.repeat(64)}: metadata.name`, 'must be no more than 63 characters');

    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c'.repeat(53) }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } } } };
    expectIssue(validateObject(cron), `CronJob ${'c'.repeat(53)}: metadata.name`, 'must be no more than 52 characters');

    const c = cluster();
    c.metadata.name = 'cnpg_ha';
    expectIssue(validateObject(c), 'Cluster data-infra/cnpg_ha: metadata.name', 'RFC 1123 subdomain');
  });

  test('namespaces must be DNS-1123 labels', () => {
    expectIssue(validateObject(cm({ name: 'x', namespace: 'Data_Infra' })), 'ConfigMap Data_Infra/x: metadata.namespace', 'RFC 1123 label');
    expectIssue(validateObject(cm({ name: 'x', namespace: 'a.b' })), 'ConfigMap a.b/x: metadata.namespace', 'RFC 1123 label');
  });

  test('label keys and values follow the Kubernetes syntax', () => {
    const labels = {
      'app.kubernetes.io/name': 'ok',
      empty: '',
      'app.kubernetes.io/': 'x',
      '-bad': 'x',
      'a/b/c': 'x',
      'Example.com/x': 'x',
      [`${'k'.repeat(64)}`]: 'x',
      long: 'v'.repeat(64),
      spaced: 'a b',
      trailing: 'abc-',
      number: 1,
      flag: true,
    };
    const issues = validateObject(cm({ name: 'x', labels }));
    const at = (k: string) => `ConfigMap x: metadata.labels${/^[A-Za-z_$][\w$-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`;
    expectIssue(issues, at('app.kubernetes.io/'), 'name part must be non-empty');
    expectIssue(issues, at('-bad'), 'name part must consist of alphanumeric characters');
    expectIssue(issues, at('a/b/c'), 'a qualified name must consist of');
    expectIssue(issues, at('Example.com/x'), 'prefix part a lowercase RFC 1123 subdomain');
    expectIssue(issues, at('k'.repeat(64)), 'name part must be no more than 63 characters');
    expectIssue(issues, at('long'), 'Invalid label value');
    expectIssue(issues, at('spaced'), 'a valid label must be an empty string or consist of alphanumeric characters');
    expectIssue(issues, at('trailing'), 'Invalid label value "abc-"');
    expectIssue(issues, at('number'), 'label values must be strings');
    expectIssue(issues, at('flag'), 'label values must be strings');
    expect(issues.map((i) => i.path)).not.toContain(at('app.kubernetes.io/name'));
    expect(issues.map((i) => i.path)).not.toContain(at('empty'));
  });

  test('labels of pod templates (nested ObjectMeta) are checked too', () => {
    const d: any = deployment();
    d.spec.template.metadata.labels['bad key'] = 'x';
    expectIssue(validateObject(d), `${DEP}: spec.template.metadata.labels["bad key"]`, 'Invalid label key');
  });

  test('annotation keys, value types and total size', () => {
    const issues = validateObject(cm({ name: 'x', annotations: { 'Example.COM/Owner': 'ok', 'a b': 'x', replicas: 3 } }));
    expectIssue(issues, 'ConfigMap x: metadata.annotations["a b"]', 'Invalid annotation key');
    expectIssue(issues, 'ConfigMap x: metadata.annotations.replicas', 'annotation values must be strings');
    expect(issues.map((i) => i.path)).not.toContain('ConfigMap x: metadata.annotations["Example.COM/Owner"]');
    const big = validateObject(cm({ name: 'x', annotations: { a: 'x'.repeat(128 * 1024), b: 'y'.repeat(128 * 1024) } }));
    expect(big).toEqual([{ path: 'ConfigMap x: metadata.annotations', message: 'Too long: annotations must have at most 262144 bytes (got 262146)' }]);
  });

  test('custom resources get the same metadata checks', () => {
    const c: any = cluster();
    c.metadata.labels = { 'cnpg.io/': 'x' };
    c.metadata.annotations = { note: 1 };
    const issues = validateObject(c);
    expectIssue(issues, `${CL}: metadata.labels["cnpg.io/"]`, 'name part must be non-empty');
    expectIssue(issues, `${CL}: metadata.annotations.note`, 'annotation values must be strings');
  });
});

describe('YAML files', () => {
  test('validates every document, parsed as YAML 1.1 like kubectl, with file/document in the path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-validator-'));
    try {
      const file = path.join(dir, 'app.k8s.yaml');
      fs.writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Namespace',
          'metadata:',
          '  name: data-infra',
          '---',
          'apiVersion: v1',
          'kind: ConfigMap',
          'metadata:',
          '  name: flags',
          '  namespace: data-infra',
          '  labels:',
          '    enabled: on', // YAML 1.1 boolean: kubectl would send true
          'data:',
          '  a: "1"',
          '  since: 2024-01-01', // stays a string for kubectl (go-yaml), must not become a Date
          '---',
          '',
        ].join('\n'),
      );
      expect(validateYamlFiles([file])).toEqual([
        { path: `${file}[1] ConfigMap data-infra/flags: metadata.labels.enabled`, message: 'Invalid label value true: label values must be strings, got boolean' },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CEL coverage', () => {
  test('every non-transition CEL rule of the vendored CRDs compiles (none silently skipped)', () => {
    expect(unsupportedCelRules()).toEqual([]);
    const summary = celRuleSummary();
    expect(summary.unsupported).toBe(0);
    expect(summary.evaluated).toBeGreaterThanOrEqual(30);
  });

  test('rules using functions cel-js lacks are detected at compile time, transition rules are recognised', () => {
    const c = compileRule({ rule: "quantity(self).isLessThan(quantity('1Gi'))" });
    expect(c).toEqual({ kind: 'unsupported', reason: expect.stringContaining("found no matching overload for 'quantity(dyn)'") });
    expect(compileRule({ rule: "self.isURL() && url(self).getScheme() == 'https'" }).kind).toBe('unsupported');
    expect(compileRule({ rule: 'self.name == oldSelf.name' })).toEqual({ kind: 'transition' });
    expect(isTransitionRule('!oldSelf.hasValue() || self == oldSelf.value()')).toBe(true);
    const p = compileRule({ rule: "self.size() > 1 && self.all(x, x.startsWith('a'))", messageExpression: "'bad: ' + string(size(self))" });
    if (p.kind !== 'program') throw new Error(`expected a program, got ${JSON.stringify(p)}`);
  });

  test('every pattern of the vendored CRDs compiles to a JS RegExp', () => {
    expect(unsupportedPatterns()).toEqual([]);
  });
});
