// The smallest use: one CnpgCluster in a plain cdk8s app, monitored, synthesized with a plain app.synth().
import { App, Chart } from 'cdk8s';
import { BackupStore, CnpgCluster, PodMonitor, Pooler, SealedCredential } from 'cdk8s-cnpg';

const app = new App({ outdir: 'dist-bare' });
const chart = new Chart(app, 'inventory', { namespace: 'inventory' });
const db = new CnpgCluster(chart, 'Db', { clusterName: 'inventory-db', storageSize: '5Gi', instances: 1, database: 'inventory' });
const pooler = new Pooler(chart, 'Pooler', { cluster: db, monitoring: false });
PodMonitor.forCluster(chart, 'DbMetrics', { cluster: db });
PodMonitor.forPooler(chart, 'PoolerMetrics', { pooler });
// The four constructs the library is named for are importable by name.
const named: unknown[] = [BackupStore, SealedCredential];
if (named.some((c) => typeof c !== 'function')) throw new Error('BackupStore and SealedCredential must be classes');
app.synth();
