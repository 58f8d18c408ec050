import { k8s } from 'cdk8s-plus-28';

/** The uid/gid of the `postgres` user in CloudNativePG's images. */
export const POSTGRES_UID = 26;

/** What `psqlPodSpec` reads of a cluster (a `CnpgCluster` is one). */
export interface PsqlTarget {
  readonly image: { readonly imageName: string };
  readonly rwServiceName: string;
  readonly databaseName: string;
  readonly caSecretName: string;
}

/** Options of `psqlPodSpec`. */
export interface PsqlPodOptions {
  /** The cluster to connect to (its `-rw` Service, database, image and CA Secret). */
  readonly cluster: PsqlTarget;
  /** The basic-auth Secret to log in with (keys `username` and `password`). */
  readonly credentialSecretName: string;
  /** The container name. */
  readonly containerName: string;
  /** The shell script the container runs with `/bin/sh -c`. */
  readonly script: string;
  /** `application_name`, shown in `pg_stat_activity`. */
  readonly applicationName: string;
  /** libpq connect timeout, in seconds. */
  readonly connectTimeoutSeconds: number;
  /** More environment variables for the script. */
  readonly env?: k8s.EnvVar[];
}

/**
 * The pod of a one-off Job that runs `psql` against a cluster: the cluster's own image (it has psql), TLS with
 * `verify-full` against the cluster's CA (only `ca.crt` is mounted: the operator's CA Secret also holds the key),
 * non-root, read-only root filesystem, no capabilities, no service account token, small requests and limits.
 */
export function psqlPodSpec(options: PsqlPodOptions): k8s.PodSpec {
  const { cluster, credentialSecretName } = options;
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: POSTGRES_UID,
      runAsGroup: POSTGRES_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [{
      name: options.containerName,
      image: cluster.image.imageName,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', options.script],
      env: [
        { name: 'PGHOST', value: cluster.rwServiceName },
        { name: 'PGPORT', value: '5432' },
        { name: 'PGDATABASE', value: cluster.databaseName },
        { name: 'PGUSER', valueFrom: { secretKeyRef: { name: credentialSecretName, key: 'username' } } },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: credentialSecretName, key: 'password' } } },
        { name: 'PGSSLMODE', value: 'verify-full' },
        { name: 'PGSSLROOTCERT', value: '/etc/postgres-ca/ca.crt' },
        { name: 'PGCONNECT_TIMEOUT', value: String(options.connectTimeoutSeconds) },
        { name: 'PGAPPNAME', value: options.applicationName },
        { name: 'HOME', value: '/tmp' },
        ...(options.env ?? []),
      ],
      resources: {
        requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
        limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('128Mi') },
      },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      },
      volumeMounts: [
        { name: 'server-ca', mountPath: '/etc/postgres-ca', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    }],
    volumes: [
      { name: 'server-ca', secret: { secretName: cluster.caSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
    ],
  };
}
