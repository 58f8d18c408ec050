import { Yaml } from 'cdk8s';

/**
 * Argo CD health checks (Lua, `argocd-cm` `resource.customizations.health.<group>_<Kind>`) for the kinds the platform
 * emits that Argo CD does not know. Without them, sync waves would not wait for these objects: Argo CD treats an
 * unknown kind as healthy as soon as it exists. Argo CD 3.1+ ships a check for the CNPG `Cluster` and for
 * `SealedSecret`; the `Application` check (removed in Argo CD 1.8) is needed for an app of apps with waves.
 */
export const HEALTH_CHECKS: Readonly<Record<string, string>> = {
  'argoproj.io/Application': `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
`,
  // The plugin's ObjectStore has no conditions; it is usable as soon as it exists.
  'barmancloud.cnpg.io/ObjectStore': `hs = {}
hs.status = "Healthy"
hs.message = "ObjectStore defined"
return hs
`,
  'postgresql.cnpg.io/ScheduledBackup': `hs = {}
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
  'postgresql.cnpg.io/Backup': `hs = {}
hs.status = "Progressing"
hs.message = "Backup pending"
if obj.status ~= nil and obj.status.phase ~= nil then
  if obj.status.phase == "completed" then
    hs.status = "Healthy"
  elseif obj.status.phase == "failed" then
    hs.status = "Degraded"
  end
  hs.message = "Backup " .. obj.status.phase
  if obj.status.error ~= nil then
    hs.message = hs.message .. ": " .. obj.status.error
  end
end
return hs
`,
  'postgresql.cnpg.io/Pooler': `hs = {}
local want = 1
if obj.spec ~= nil and obj.spec.instances ~= nil then
  want = obj.spec.instances
end
if obj.status ~= nil and obj.status.instances ~= nil and obj.status.instances >= want then
  hs.status = "Healthy"
  hs.message = obj.status.instances .. " PgBouncer instances"
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for " .. want .. " PgBouncer instances"
return hs
`,
  'postgresql.cnpg.io/Database': appliedCheck('Database'),
  'postgresql.cnpg.io/DatabaseRole': appliedCheck('Role'),
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

/** CNPG's declarative kinds report `status.applied` and `status.message` once reconciled. */
function appliedCheck(what: string): string {
  return `hs = {}
if obj.status ~= nil and obj.status.applied == true then
  hs.status = "Healthy"
  hs.message = "${what} applied"
  return hs
end
if obj.status ~= nil and obj.status.applied == false then
  hs.status = "Degraded"
  hs.message = "${what} not applied"
  if obj.status.message ~= nil then
    hs.message = obj.status.message
  end
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the operator to reconcile the ${what}"
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
  return Yaml.stringify({ data });
}
