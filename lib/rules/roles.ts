/**
 * Role names CloudNativePG reserves (`pkg/postgres/roles.go@v1.30.0` `IsRoleReserved`): `postgres`,
 * `streaming_replica`, and every name starting with `cnpg_` (the operator's) or `pg_` (PostgreSQL's). Checked by the
 * Cluster webhook (rule 2.1#122), the DatabaseRole CRD (2.7#DatabaseRole.name) and `ManagedRole`.
 */
export function isReservedRoleName(name: string): boolean {
  return name === 'postgres' || name === 'streaming_replica' || name.startsWith('cnpg_') || name.startsWith('pg_');
}
