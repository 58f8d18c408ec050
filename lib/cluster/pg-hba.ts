/**
 * Client authentication defaults. The operator puts its own fixed rules first and appends
 * `host all all all scram-sha-256` after the user's lines, so a TLS-only cluster needs an explicit
 * `hostnossl … reject` rule: without it, that trailing rule would accept passwords over plain TCP.
 */
export const TLS_ONLY_PG_HBA: readonly string[] = [
  'hostssl all all all scram-sha-256',
  'hostnossl all all all reject',
];

/** The authentication method of a `pg_hba` line, or undefined for lines it cannot find one in. */
export function hbaMethod(line: string): string | undefined {
  const fields = line.trim().split(/\s+/);
  const type = fields[0];
  // local DATABASE USER METHOD; host* DATABASE USER ADDRESS [MASK] METHOD
  const methodIndex = type === 'local' ? 3 : /^\d+\.\d+\.\d+\.\d+$/.test(fields[4] ?? '') && !fields[3]?.includes('/') ? 5 : 4;
  return fields[methodIndex];
}
