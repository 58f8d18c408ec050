import { stringifyYamlDocuments } from '../core/yaml-writer';

/**
 * DatabaseRole only: a password change is pending. Mirrors `isAlreadyReconciled` of
 * internal/management/controller/databaserole_controller.go@v1.30.0: with `spec.passwordSecret`, the operator
 * records the Secret's resourceVersion as the message of the `PasswordSecretChange` condition
 * (internal/controller/databaserole_controller.go reconcilePasswordCondition), and the instance manager re-applies
 * the role until `status.secretResourceVersion` equals it. Runs after the generation check, inside `appliedCheck`.
 */
const PASSWORD_CHANGE_PENDING = `if obj.spec ~= nil and obj.spec.passwordSecret ~= nil and obj.spec.passwordSecret.name ~= nil and obj.spec.passwordSecret.name ~= "" then
  local latest = ""
  if status.conditions ~= nil then
    for _, condition in ipairs(status.conditions) do
      if condition.type == "PasswordSecretChange" and condition.message ~= nil then
        latest = condition.message
      end
    end
  end
  local applied = ""
  if status.secretResourceVersion ~= nil then
    applied = status.secretResourceVersion
  end
  if latest ~= applied then
    hs.status = "Progressing"
    hs.message = "Waiting for the instance manager to apply the new password (Secret version " .. latest .. ", applied " .. applied .. ")"
    return hs
  end
end
`;

/**
 * Argo CD health checks (Lua, `argocd-cm` `resource.customizations.health.<group>_<Kind>`) for the kinds the platform
 * emits that Argo CD does not know. Without them, sync waves would not wait for these objects: Argo CD treats an
 * unknown kind as healthy as soon as it exists. Argo CD 3.1+ ships a check for the CNPG `Cluster` and for
 * `SealedSecret`; the `Application` check (removed in Argo CD 1.8) is needed for an app of apps with waves.
 *
 * Each check reads only what the operator writes. The upstream sources they rely on are cited per check:
 * `cloudnative-pg/cloudnative-pg` at tag `v1.30.0` (the operator version of `crds/postgresql.cnpg.io.yaml`) and
 * `cloudnative-pg/plugin-barman-cloud` at tag `v0.14.0` (`crds/barmancloud.cnpg.io.yaml`). Argo CD runs them in
 * gopher-lua (Lua 5.1 with the base, table, string and math libraries): no Lua 5.2+ syntax here.
 */
export const HEALTH_CHECKS: Readonly<Record<string, string>> = {
  // An Application without automated sync (the restore drill) is synced by hand: until then its resources are Missing,
  // which would hold its parent's wave (and the whole app of apps) back forever. It counts as Healthy while Missing.
  'argoproj.io/Application': `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
local manual = obj.spec == nil or obj.spec.syncPolicy == nil or obj.spec.syncPolicy.automated == nil
if manual and (hs.status == "Missing" or hs.status == "Progressing") and (obj.status == nil or obj.status.operationState == nil) then
  hs.status = "Healthy"
  hs.message = "Synced by hand only: not synced yet"
end
return hs
`,
  // plugin-barman-cloud api/v1/objectstore_types.go@v0.14.0: ObjectStoreStatus has no conditions and no
  // observedGeneration; nothing reconciles the ObjectStore's spec into a status. Its only status field,
  // `serverRecoveryWindow`, is a per-server record of backup outcomes written by the instance sidecar
  // (internal/cnpgi/instance/recovery_window.go, backup.go@v0.14.0). So the ObjectStore is Healthy as soon as it
  // exists — it must be, because it is applied before the Clusters that archive into it, which are the only writers
  // of that status — and the recovery window goes into the message. A failed last backup is reported, not made
  // Degraded: it is the Backup's failure (Degraded by the Backup check), not the ObjectStore's.
  // Timestamps are metav1.Time (RFC 3339, UTC), so they compare as strings.
  'barmancloud.cnpg.io/ObjectStore': `hs = {}
hs.status = "Healthy"
hs.message = "ObjectStore defined"
if obj.status ~= nil and obj.status.serverRecoveryWindow ~= nil then
  local servers = {}
  for server, _ in pairs(obj.status.serverRecoveryWindow) do
    table.insert(servers, server)
  end
  table.sort(servers)
  for _, server in ipairs(servers) do
    local window = obj.status.serverRecoveryWindow[server]
    local line = server .. ": "
    if window.lastSuccessfulBackupTime ~= nil then
      line = line .. "last backup " .. window.lastSuccessfulBackupTime
    else
      line = line .. "no successful backup"
    end
    if window.lastFailedBackupTime ~= nil and (window.lastSuccessfulBackupTime == nil or window.lastFailedBackupTime > window.lastSuccessfulBackupTime) then
      line = line .. ", last backup failed at " .. window.lastFailedBackupTime
    end
    hs.message = hs.message .. "; " .. line
  end
end
return hs
`,
  // api/v1/scheduledbackup_types.go@v1.30.0: ScheduledBackupStatus has lastCheckTime, lastScheduleTime,
  // nextScheduleTime and `error` (the admission validation error, written by internal/webhook/guard/guard.go through
  // api/v1/scheduledbackup_funcs.go SetAdmissionError), and no observedGeneration. It stays Healthy while it waits
  // for its schedule (or for its Cluster): it has no state that converges.
  'postgresql.cnpg.io/ScheduledBackup': `hs = {}
if obj.status ~= nil and obj.status.error ~= nil and obj.status.error ~= "" then
  hs.status = "Degraded"
  hs.message = "Invalid ScheduledBackup definition: " .. obj.status.error
  return hs
end
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Scheduled backups are suspended"
  return hs
end
hs.status = "Healthy"
hs.message = "Next backup scheduled"
if obj.status ~= nil and obj.status.nextScheduleTime ~= nil then
  hs.message = "Next backup at " .. obj.status.nextScheduleTime
end
return hs
`,
  // api/v1/backup_types.go@v1.30.0, BackupPhase: pending, started, running, finalizing, completed, failed,
  // walArchivingFailing, "invalid backup definition"; no observedGeneration.
  // - failed: status.error set by SetAsFailed (api/v1/backup_funcs.go), through FlagBackupAsFailed
  //   (pkg/resources/status/backup.go, which also sets the Cluster's LastBackupSucceeded condition to False) on a
  //   missing prerequisite or an error (internal/controller/backup_controller.go checkPrerequisites), and on a plugin
  //   failure (pkg/management/postgres/webserver/plugin_backup.go markBackupAsFailed). A `method: plugin` backup
  //   (Barman Cloud) goes started → completed or failed, never running or walArchivingFailing.
  // - walArchivingFailing: set by the instance manager when WAL archiving does not work before an in-tree
  //   barmanObjectStore backup starts (pkg/management/postgres/backup.go); status.error is left empty and the
  //   backup does not start.
  // - "invalid backup definition": the admission guard (internal/webhook/guard/guard.go, SetAdmissionError in
  //   api/v1/backup_funcs.go) with the invalid field paths in status.error; the backup does not start until the
  //   definition is valid.
  'postgresql.cnpg.io/Backup': `hs = {}
local phase = nil
local err = nil
if obj.status ~= nil then
  phase = obj.status.phase
  if obj.status.error ~= nil and obj.status.error ~= "" then
    err = obj.status.error
  end
end
if phase == nil or phase == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to start the backup"
  return hs
end
if phase == "completed" then
  hs.status = "Healthy"
  hs.message = "Backup completed"
  if obj.status.backupId ~= nil and obj.status.backupId ~= "" then
    hs.message = hs.message .. ": " .. obj.status.backupId
  end
  return hs
end
if phase == "failed" then
  hs.status = "Degraded"
  hs.message = "Backup failed"
elseif phase == "walArchivingFailing" then
  hs.status = "Degraded"
  hs.message = "WAL archiving is not working, so the backup did not start: see the Cluster's ContinuousArchiving condition"
elseif phase == "invalid backup definition" then
  hs.status = "Degraded"
  hs.message = "Invalid backup definition"
else
  hs.status = "Progressing"
  hs.message = "Backup " .. phase
end
if err ~= nil then
  hs.message = hs.message .. ": " .. err
end
return hs
`,
  // api/v1/pooler_types.go@v1.30.0, PoolerStatus: instances, phase (active, paused, inactive, failed), phaseReason,
  // image, error, secrets; no observedGeneration and no ready count. internal/controller/pooler_status.go sets
  // `instances` to the Deployment's status.replicas — pods created, ready or not — and the phase: failed when the
  // PgBouncer image cannot be resolved, paused when spec.pgbouncer.paused, else active;
  // internal/controller/pooler_controller.go sets inactive (with the missing Cluster or Secret as phaseReason) while a
  // prerequisite is missing, and `error` holds the admission validation error (api/v1/pooler_funcs.go).
  // Ready pods are reported only on the Pooler's Deployment (same name, pkg/specs/pgbouncer/deployments.go), which
  // a health check cannot read; so Healthy means "active with every pod created", and says so.
  'postgresql.cnpg.io/Pooler': `hs = {}
local want = 1
if obj.spec ~= nil and obj.spec.instances ~= nil then
  want = obj.spec.instances
end
local status = obj.status
if status == nil then
  status = {}
end
if status.error ~= nil and status.error ~= "" then
  hs.status = "Degraded"
  hs.message = "Invalid Pooler definition: " .. status.error
  return hs
end
local reason = ""
if status.phaseReason ~= nil and status.phaseReason ~= "" then
  reason = ": " .. status.phaseReason
end
if status.phase == nil or status.phase == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile the Pooler"
  return hs
end
if status.phase == "failed" then
  hs.status = "Degraded"
  hs.message = "Pooler failed" .. reason
  return hs
end
if status.phase == "inactive" then
  hs.status = "Progressing"
  hs.message = "Pooler inactive" .. reason
  return hs
end
local have = 0
if status.instances ~= nil then
  have = status.instances
end
if have < want then
  hs.status = "Progressing"
  hs.message = "Pooler " .. status.phase .. ", " .. have .. "/" .. want .. " PgBouncer pods created"
  return hs
end
if status.phase == "paused" then
  hs.status = "Suspended"
  hs.message = "Pooler paused" .. reason
  return hs
end
local deployment = "of the same name"
if obj.metadata ~= nil and obj.metadata.name ~= nil then
  deployment = obj.metadata.name
end
hs.status = "Healthy"
hs.message = "Pooler " .. status.phase .. ", " .. have .. "/" .. want .. " PgBouncer pods created (CNPG reports no ready count: see Deployment " .. deployment .. ")"
return hs
`,
  'postgresql.cnpg.io/Database': appliedCheck('Database'),
  'postgresql.cnpg.io/DatabaseRole': appliedCheck('Role', PASSWORD_CHANGE_PENDING),
  'postgresql.cnpg.io/Publication': appliedCheck('Publication'),
  'postgresql.cnpg.io/Subscription': appliedCheck('Subscription'),
  'helm.cattle.io/HelmChart': `hs = {}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Failed" and condition.status == "True" then
      hs.status = "Degraded"
      hs.message = condition.message
      return hs
    end
  end
end
if obj.status ~= nil and obj.status.jobName ~= nil then
  hs.status = "Healthy"
  hs.message = "Installed by job " .. obj.status.jobName
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the helm-controller"
return hs
`,
};


/**
 * CNPG's declarative kinds, reconciled by the instance manager on the primary. Their status (api/v1/<file>_types.go
 * @v1.30.0: DatabaseStatus, DatabaseRoleStatus, PublicationStatus, SubscriptionStatus) carries `observedGeneration`,
 * `applied` and `message`, written by api/v1/<file>_funcs.go@v1.30.0:
 * - SetAsReady: applied=true, message cleared, observedGeneration=metadata.generation — together, so applied=true
 *   with an older observedGeneration is the result for a previous spec: Progressing until the current one is applied;
 * - SetAsFailed: applied=false with the error as message, observedGeneration left as it was — so a failure cannot be
 *   tied to a generation, and is Degraded whatever observedGeneration says (reading it as Progressing would hide the
 *   failure of every new object and of every spec change; a stale failure lasts until the next reconcile);
 * - SetAsUnknown: applied unset with a message (for example "waiting for the cluster to become primary" on a replica
 *   cluster): Progressing with the operator's message.
 * The admission guard reports an invalid Database as applied=false with the invalid fields as message
 * (database_funcs.go SetAdmissionError). `extra` runs before Healthy is returned (Lua, with `status` and `hs` in scope).
 */
function appliedCheck(what: string, extra = ''): string {
  return `hs = {}
local status = obj.status
if status == nil then
  status = {}
end
if status.applied == false then
  hs.status = "Degraded"
  hs.message = "${what} not applied"
  if status.message ~= nil and status.message ~= "" then
    hs.message = status.message
  end
  return hs
end
local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local observed = status.observedGeneration
if status.applied == true and (generation == nil or (observed ~= nil and observed >= generation)) then
${extra.replace(/^(?=.)/gm, '  ')}  hs.status = "Healthy"
  hs.message = "${what} applied"
  if observed ~= nil then
    hs.message = hs.message .. " (generation " .. observed .. ")"
  end
  return hs
end
hs.status = "Progressing"
if status.applied == nil and status.message ~= nil and status.message ~= "" then
  hs.message = status.message
  return hs
end
hs.message = "Waiting for the operator to apply "
if generation ~= nil then
  hs.message = hs.message .. "generation " .. generation .. " of "
end
hs.message = hs.message .. "the ${what}"
if status.applied == true and observed ~= nil then
  hs.message = hs.message .. " (generation " .. observed .. " applied)"
end
return hs
`;
}

/** The `argocd-cm` key of a health check: `resource.customizations.health.<group>_<Kind>`. */
export function healthCheckKey(groupKind: string): string {
  return `resource.customizations.health.${groupKind.replace('/', '_')}`;
}

/**
 * A merge patch for the `argocd-cm` ConfigMap with every health check:
 * `kubectl -n argocd patch configmap argocd-cm --type merge --patch-file dist/argocd-cm.health-checks.yaml`.
 */
export function argocdConfigMapPatch(): string {
  const data: Record<string, string> = {};
  for (const groupKind of Object.keys(HEALTH_CHECKS).sort()) {
    data[healthCheckKey(groupKind)] = HEALTH_CHECKS[groupKind];
  }
  return stringifyYamlDocuments([{ data }]);
}
