import * as path from 'path';
import { Chart } from 'cdk8s';
import { CnpgCluster, CnpgClusterProps, CnpgUserCredential, ImageFlavour, PostgresImage, SealedStore, SealedValues, SealingCertificate } from '../../lib';
import { sealValue, SealingScope } from '../../lib/secrets/kubeseal';
import { DEFAULT_ENVIRONMENT } from '../../main';
import { tempDir } from './synth';

/** A user credential to seal: namespace, Secret name and role. */
export interface TestUser {
  readonly namespace: string;
  readonly secretName: string;
  readonly username: string;
  /** The password; the same password sealed in two namespaces models a replication role. */
  readonly password?: string;
}

/**
 * A SealedValues of a temp store that holds sealed `username`/`password` for the given users (demo certificate):
 * credentials built from it synthesize without errors.
 */
export function sealedUsers(chart: Chart, users: TestUser[], id = 'SealedValues'): SealedValues {
  const { sealingCertificatePath } = DEFAULT_ENVIRONMENT.platform;
  const cert = SealingCertificate.fromFile(sealingCertificatePath);
  const store = new SealedStore();
  for (const u of users) {
    const target = { namespace: u.namespace, name: u.secretName, scope: 'strict' as const, certificateFingerprint: cert.fingerprint };
    const sealedAt = '2026-01-01T00:00:00.000Z';
    store.setKey(target, 'username', sealValue(cert, SealingScope.STRICT, u.namespace, u.secretName, u.username), { fixedValue: u.username, sealedAt });
    store.setKey(target, 'password', sealValue(cert, SealingScope.STRICT, u.namespace, u.secretName, u.password ?? `pw-${u.secretName}-0123456789abcdef`), { sealedAt });
  }
  const storePath = path.join(tempDir(), 'sealed-values.json');
  store.save(storePath);
  return new SealedValues(chart, id, { environment: 'test', certificatePath: sealingCertificatePath, storePath });
}

/** Sealed user credentials in a chart, by secret name. */
export function userCredentials(chart: Chart, users: TestUser[]): Record<string, CnpgUserCredential> {
  const values = sealedUsers(chart, users, `SealedValues${chart.node.children.length}`);
  const out: Record<string, CnpgUserCredential> = {};
  for (const u of users) {
    out[u.secretName] = new CnpgUserCredential(chart, `Cred-${u.namespace}-${u.secretName}`, {
      secretName: u.secretName, namespace: u.namespace, username: u.username, sealedValues: values,
    });
  }
  return out;
}

/** The tutorial's cluster (16.14 standard, appdb), with overrides. */
export function tutorialCluster(chart: Chart, overrides: Partial<CnpgClusterProps> = {}, id = 'Cluster'): CnpgCluster {
  return new CnpgCluster(chart, id, {
    clusterName: 'cnpg-ha',
    image: overrides.imageCatalog ? undefined : PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
    storageSize: '40Gi',
    database: 'appdb',
    parameters: { max_connections: 200, shared_buffers: '512MB', wal_level: 'logical' },
    ...overrides,
  });
}
