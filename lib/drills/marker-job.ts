import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { CnpgCluster } from '../cluster/cluster';
import { isDns1123Label } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { IBasicAuthCredential } from '../secrets/credential-ref';
import { psqlPodSpec } from '../core/psql-job';

/** Properties of `DrillMarkerJobs`. */
export interface DrillMarkerJobsProps {
  /** The cluster the drill exercises. */
  readonly cluster: CnpgCluster;
  /**
   * Identifies one drill run (a DNS label, e.g. `2026-09-01-failover`): the marker row's key and part of the Job
   * names. Use a new id for every run: Jobs are immutable.
   */
  readonly runId: string;
  /**
   * What the drill is, stored with the marker (e.g. `primary pod deletion`).
   * @default - the run id
   */
  readonly drill?: string;
  /**
   * The role the Jobs log in as: a basic-auth Secret in the cluster's namespace, for a role that may create a schema
   * in the application database (its owner).
   * @default - the cluster's owner credential (`<cluster>-app` when the operator generated it)
   */
  readonly credential?: IBasicAuthCredential;
  /**
   * Schema of the marker table `<schema>.drill_markers` in the application database.
   * @default "cnpg_drill"
   */
  readonly schema?: string;
  /**
   * How long the verify Job waits for the primary to accept writes again and for a replica to show the marker.
   * @default 900
   */
  readonly waitSeconds?: number;
  /**
   * How long a finished Job (and its log) is kept.
   * @default 86400
   */
  readonly jobTtlSecondsAfterFinished?: number;
  /**
   * Labels of the Jobs.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}


const COMMON = `set -eu
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -v run_id="$DRILL_RUN_ID" -v drill="$DRILL_NAME" "$@"; }
ts() { date -u +%Y-%m-%dT%H:%M:%SZ; }
`;

/** Writes the marker row on the primary (before the drill). */
const WRITE_SCRIPT = `${COMMON}
echo "$(ts) drill marker: waiting for $PGHOST"
until pg_isready -q; do sleep 2; done
q <<SQL
CREATE SCHEMA IF NOT EXISTS "$DRILL_SCHEMA";
CREATE TABLE IF NOT EXISTS "$DRILL_SCHEMA".drill_markers (
  run_id text PRIMARY KEY,
  drill text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  written_on text NOT NULL DEFAULT coalesce(inet_server_addr()::text, 'local'),
  verified_at timestamptz,
  verified_on text
);
SQL
if [ "$(q -c 'SELECT pg_is_in_recovery()')" != "f" ]; then echo "drill marker FAILED: $PGHOST is not a primary"; exit 1; fi
q <<SQL
INSERT INTO "$DRILL_SCHEMA".drill_markers (run_id, drill) VALUES (:'run_id', :'drill') ON CONFLICT (run_id) DO NOTHING;
SQL
echo "$(ts) drill marker: $(q -c "SELECT format('run %s written at %s on %s', run_id, written_at, written_on) FROM \\"$DRILL_SCHEMA\\".drill_markers WHERE run_id = '$DRILL_RUN_ID'")"
if [ "$DRILL_INSTANCES" -gt 1 ]; then
  # With asynchronous replication a commit the standbys have not received yet is lost on failover: wait until a
  # replica has the marker, so that a missing marker after the drill means a real loss.
  echo "$(ts) drill marker: waiting for a replica behind $DRILL_RO_HOST to receive it"
  until seen="$(export PGHOST="$DRILL_RO_HOST"; q -c "SELECT count(*) FROM \\"$DRILL_SCHEMA\\".drill_markers WHERE run_id = '$DRILL_RUN_ID'" 2>&1)" && [ "$seen" = "1" ]; do sleep 2; done
fi
echo "$(ts) drill marker WRITTEN: start the drill now"
`;

/** After the drill: waits for a writable primary, checks the marker, writes, and reads it back from a replica. */
const VERIFY_SCRIPT = `${COMMON}
start=$(date +%s)
deadline=$((start + DRILL_WAIT_SECONDS))
echo "$(ts) drill verify: waiting for a writable primary behind $PGHOST"
until out="$(q -c 'SELECT pg_is_in_recovery()' 2>&1)" && [ "$out" = "f" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "drill verify FAILED: no writable primary within $DRILL_WAIT_SECONDS s: $out"; exit 1; fi
  sleep 1
done
echo "$(ts) drill verify: primary writable after $(( $(date +%s) - start )) s of waiting"
found="$(q -c "SELECT count(*) FROM \\"$DRILL_SCHEMA\\".drill_markers WHERE run_id = '$DRILL_RUN_ID'")"
if [ "$found" != "1" ]; then echo "drill verify FAILED: the marker of run $DRILL_RUN_ID is missing: data written before the drill was lost"; exit 1; fi
q <<SQL
UPDATE "$DRILL_SCHEMA".drill_markers SET verified_at = now(), verified_on = coalesce(inet_server_addr()::text, 'local') WHERE run_id = :'run_id';
SQL
echo "$(ts) drill verify: $(q -c "SELECT format('marker written at %s on %s, verified at %s on %s', written_at, written_on, verified_at, verified_on) FROM \\"$DRILL_SCHEMA\\".drill_markers WHERE run_id = '$DRILL_RUN_ID'")"
if [ "$DRILL_INSTANCES" -gt 1 ]; then
  echo "$(ts) drill verify: waiting for a replica behind $DRILL_RO_HOST to show the verification"
  until seen="$(export PGHOST="$DRILL_RO_HOST"; q -c "SELECT count(*) FROM \\"$DRILL_SCHEMA\\".drill_markers WHERE run_id = '$DRILL_RUN_ID' AND verified_at IS NOT NULL" 2>&1)" && [ "$seen" = "1" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "drill verify FAILED: no replica shows the marker within $DRILL_WAIT_SECONDS s: $seen"; exit 1; fi
    sleep 2
  done
  echo "$(ts) drill verify: a replica has the marker (replication works)"
fi
echo "$(ts) drill verify PASSED"
`;

/**
 * The two Jobs of an HA drill (docs/drills/): `<cluster>-drill-<run>-write` writes a marker row on the primary before
 * the drill, `<cluster>-drill-<run>-verify` runs after it: it waits until the primary accepts writes again (printing
 * how long that took), fails if the marker is gone, records a verification on the (possibly new) primary and waits
 * until a replica shows it.
 *
 * Both run `psql` from the cluster's own image over verified TLS (`sslmode=verify-full` against `<cluster>-ca`), as
 * UID 26, non-root, read-only root file system, no capabilities, no service account token, `RuntimeDefault`
 * seccomp, small limits: they pass the `restricted` Pod Security profile. Apply them by hand
 * (`kubectl apply -f`), in order; not from an auto-syncing Argo CD application.
 */
export class DrillMarkerJobs extends Construct {
  /** The Job that writes the marker. */
  public readonly writeJob: k8s.KubeJob;
  /** The Job that verifies it. */
  public readonly verifyJob: k8s.KubeJob;
  /** Name of the write Job. */
  public readonly writeJobName: string;
  /** Name of the verify Job. */
  public readonly verifyJobName: string;

  public constructor(scope: Construct, id: string, props: DrillMarkerJobsProps) {
    super(scope, id);
    const cluster = props.cluster;
    const problems = Problems.of(this);
    const schema = props.schema ?? 'cnpg_drill';
    const wait = props.waitSeconds ?? 900;
    const ttl = props.jobTtlSecondsAfterFinished ?? 86400;
    const credential = props.credential ?? cluster.ownerCredential
      ?? { secretName: cluster.appSecretName, namespace: cluster.namespace, username: cluster.ownerName };
    this.writeJobName = `${cluster.clusterName}-drill-${props.runId}-write`;
    this.verifyJobName = `${cluster.clusterName}-drill-${props.runId}-verify`;

    if (typeof props.runId !== 'string' || !isDns1123Label(props.runId) || this.verifyJobName.length > 63) {
      problems.error({
        field: 'runId',
        message: `must be a DNS label that keeps "${cluster.clusterName}-drill-<runId>-verify" within 63 characters`,
        value: props.runId,
        fix: 'use a short id such as "2026-09-01-failover"',
      });
    }
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema) || schema.startsWith('pg_')) {
      problems.error({ field: 'schema', message: 'must be a lower-case PostgreSQL identifier not starting with "pg_"', value: schema, fix: 'use "cnpg_drill"' });
    }
    if (credential.namespace !== cluster.namespace) {
      problems.error({ field: 'credential', message: `the Secret must be in the cluster's namespace "${cluster.namespace}"`, value: `${credential.namespace}/${credential.secretName}` });
    }
    for (const [field, value, min] of [['waitSeconds', wait, 1], ['jobTtlSecondsAfterFinished', ttl, 0]] as const) {
      if (!Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
        problems.error({ field, message: `must be a whole number of at least ${min}`, value });
      }
    }

    const labelsOf = (component: string) => ({
      ...props.labels, 'app.kubernetes.io/name': 'cnpg-drill', 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': cluster.clusterName,
    });
    const job = (jobId: string, name: string, component: string, script: string, deadline: number) => new k8s.KubeJob(this, jobId, {
      // The component label lets `kubectl apply -l app.kubernetes.io/component=write|verify` pick one Job of the file.
      metadata: { name, namespace: cluster.namespace, labels: labelsOf(component) },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        template: {
          metadata: { labels: labelsOf(component) },
          spec: psqlPodSpec({
            cluster,
            credentialSecretName: credential.secretName,
            containerName: component,
            script,
            applicationName: `cnpg-drill-${component}`,
            connectTimeoutSeconds: 3,
            env: [
              { name: 'DRILL_RUN_ID', value: props.runId },
              { name: 'DRILL_NAME', value: props.drill ?? props.runId },
              { name: 'DRILL_SCHEMA', value: schema },
              { name: 'DRILL_WAIT_SECONDS', value: String(wait) },
              { name: 'DRILL_INSTANCES', value: String(cluster.instances) },
              { name: 'DRILL_RO_HOST', value: cluster.roServiceName },
            ],
          }),
        },
      },
    });
    this.writeJob = job('Write', this.writeJobName, 'write', WRITE_SCRIPT, 600);
    this.verifyJob = job('Verify', this.verifyJobName, 'verify', VERIFY_SCRIPT, wait + 300);
  }
}
