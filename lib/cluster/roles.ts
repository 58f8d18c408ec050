import * as cnpg from '../../imports/postgresql.cnpg.io';
import { Problem } from '../core/problems';
import { isReservedRoleName } from '../rules/roles';
import { IBasicAuthCredential } from '../secrets/credential-ref';

/** Whether a managed role must exist (`ensure`). */
export enum RoleEnsure {
  /** Create the role, and keep its attributes as declared. */
  PRESENT = 'present',
  /** Drop the role (it must own nothing). */
  ABSENT = 'absent',
}

/**
 * A role the operator reconciles from the Cluster's `spec.managed.roles`. Every attribute is rendered, defaults
 * included, because the API server writes the CRD defaults (`connectionLimit: -1`, `inherit: true`,
 * `ensure: present`) into each list item, and Argo CD compares lists of objects whole: an item without them
 * would show as drift forever.
 */
export interface ManagedRoleOptions {
  /** The PostgreSQL role name. Not `postgres`, `streaming_replica`, nor `cnpg_*` / `pg_*` (reserved). */
  readonly name: string;
  /**
   * The role's password: a `kubernetes.io/basic-auth` Secret (e.g. a sealed `CnpgUserCredential`) in the cluster's
   * namespace whose `username` is the role name. Labelled `cnpg.io/reload: "true"`, a rotated password is applied
   * without a restart.
   * @default - no password is managed
   */
  readonly credential?: IBasicAuthCredential;
  /**
   * Set the role's password to NULL (`disablePassword`), e.g. for a role that only logs in with a client certificate.
   * @default false
   */
  readonly disablePassword?: boolean;
  /**
   * The role can log in (a user rather than a group).
   * @default - true when a credential is given, false otherwise
   */
  readonly login?: boolean;
  /**
   * Superuser: bypasses every permission check. Avoid; grant predefined roles (`inRoles: ['pg_read_all_data']`) instead.
   * @default false
   */
  readonly superuser?: boolean;
  /** @default false */
  readonly createdb?: boolean;
  /** @default false */
  readonly createrole?: boolean;
  /**
   * Inherit the privileges of the roles it is a member of.
   * @default true
   */
  readonly inherit?: boolean;
  /**
   * The role may connect in replication mode and create replication slots: what a logical replication subscriber
   * logs in as.
   * @default false
   */
  readonly replication?: boolean;
  /** @default false */
  readonly bypassRls?: boolean;
  /**
   * Concurrent connections of the role; -1 is no limit.
   * @default -1
   */
  readonly connectionLimit?: number;
  /**
   * Roles this role is a member of (granted and revoked on every change), e.g. `pg_read_all_data`, `pg_monitor`.
   * @default - none
   */
  readonly inRoles?: string[];
  /**
   * `COMMENT ON ROLE`.
   * @default - none
   */
  readonly comment?: string;
  /**
   * When the password stops being valid: an RFC 3339 timestamp (`2027-03-31T00:00:00Z`) or a Date.
   * @default - never
   */
  readonly validUntil?: string | Date;
  /**
   * Keep the role, or drop it.
   * @default RoleEnsure.PRESENT
   */
  readonly ensure?: RoleEnsure;
}

// Role names CloudNativePG reserves: one definition, in the rules layer (re-exported for the construct's users).
export { isReservedRoleName };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * A role of `spec.managed.roles`, added with `cluster.addRole(...)`.
 */
export class ManagedRole {
  /** The PostgreSQL role name. */
  public readonly name: string;
  /** The password credential, when one is managed. */
  public readonly credential?: IBasicAuthCredential;
  /** Whether the role can log in. */
  public readonly login: boolean;
  /** Whether the role is a replication role. */
  public readonly replication: boolean;

  public constructor(private readonly options: ManagedRoleOptions) {
    this.name = options.name;
    this.credential = options.credential;
    this.login = options.login ?? options.credential !== undefined;
    this.replication = options.replication ?? false;
  }

  /** Roles this role is a member of. */
  public get inRoles(): readonly string[] {
    return [...(this.options.inRoles ?? [])];
  }

  /** What CloudNativePG (or PostgreSQL) would reject about this role in a cluster of `namespace`; warnings separately. */
  public problems(namespace: string): { errors: Problem[]; warnings: Problem[] } {
    const o = this.options;
    const field = `managed.roles.${o.name}`;
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    if (typeof o.name !== 'string' || o.name === '') {
      errors.push({ field: 'managed.roles', message: 'a role needs a name', value: o.name });
      return { errors, warnings };
    }
    if (isReservedRoleName(o.name)) {
      errors.push({
        field,
        message: 'this role name is reserved for operator use: CloudNativePG owns "postgres", "streaming_replica" and every "cnpg_*" role, and "pg_*" names belong to PostgreSQL',
        value: o.name,
        fix: 'choose an application role name such as "reporting"; to grant a predefined role, list it in inRoles instead',
      });
    }
    if (Buffer.byteLength(o.name, 'utf8') > MAX_IDENTIFIER_BYTES) {
      errors.push({ field, message: `is longer than ${MAX_IDENTIFIER_BYTES} bytes: PostgreSQL would truncate it`, value: o.name, fix: 'use a shorter name' });
    }
    const limit = o.connectionLimit ?? -1;
    if (!Number.isInteger(limit) || limit < -1) {
      errors.push({ field: `${field}.connectionLimit`, message: 'must be a whole number, -1 (no limit) or more', value: limit, fix: 'use -1 for no limit' });
    }
    if (o.credential) {
      if (o.credential.username !== o.name) {
        errors.push({
          field: `${field}.credential`,
          message: `the credential logs in as "${o.credential.username}" but the role is "${o.name}": CloudNativePG requires the Secret's username to be the role name`,
          value: o.credential.username,
          fix: `declare a credential with username "${o.name}"`,
        });
      }
      if (o.credential.namespace !== namespace) {
        errors.push({
          field: `${field}.credential`,
          message: `the Secret must be in the cluster's namespace "${namespace}"`,
          value: `${o.credential.namespace}/${o.credential.secretName}`,
          fix: 'declare (seal) the credential in the cluster\'s namespace',
        });
      }
      if (o.disablePassword) {
        errors.push({ field, message: 'this role both sets and disables a password', fix: 'drop either credential or disablePassword' });
      }
    }
    if (o.superuser) {
      warnings.push({
        field: `${field}.superuser`,
        message: 'a superuser role bypasses every permission check and can alter the cluster the operator manages',
        fix: 'grant predefined roles instead, e.g. inRoles: ["pg_read_all_data", "pg_monitor"]',
      });
    }
    const seen = new Set<string>();
    for (const member of o.inRoles ?? []) {
      if (typeof member !== 'string' || member === '') {
        errors.push({ field: `${field}.inRoles`, message: 'contains an empty role name', value: o.inRoles });
      } else if (member === o.name) {
        errors.push({ field: `${field}.inRoles`, message: 'a role cannot be a member of itself', value: member });
      } else if (seen.has(member)) {
        errors.push({ field: `${field}.inRoles`, message: 'lists a role twice', value: member });
      }
      seen.add(member);
    }
    if (o.validUntil !== undefined) {
      const valid = o.validUntil instanceof Date ? !Number.isNaN(o.validUntil.getTime()) : RFC3339.test(o.validUntil) && !Number.isNaN(Date.parse(o.validUntil));
      if (!valid) {
        errors.push({ field: `${field}.validUntil`, message: 'is not an RFC 3339 timestamp', value: String(o.validUntil), fix: 'use a value such as "2027-03-31T00:00:00Z"' });
      }
    }
    return { errors, warnings };
  }

  /** The `spec.managed.roles[]` item, every attribute explicit. */
  public render(): cnpg.ClusterSpecManagedRoles {
    const o = this.options;
    const inRoles = o.inRoles ?? [];
    return {
      name: o.name,
      comment: o.comment,
      ensure: (o.ensure ?? RoleEnsure.PRESENT) as string as cnpg.ClusterSpecManagedRolesEnsure,
      login: this.login,
      superuser: o.superuser ?? false,
      createdb: o.createdb ?? false,
      createrole: o.createrole ?? false,
      inherit: o.inherit ?? true,
      replication: this.replication,
      bypassrls: o.bypassRls ?? false,
      connectionLimit: o.connectionLimit ?? -1,
      inRoles: inRoles.length > 0 ? [...inRoles] : undefined,
      passwordSecret: o.credential ? { name: o.credential.secretName } : undefined,
      disablePassword: o.disablePassword ? true : undefined,
      validUntil: o.validUntil === undefined ? undefined : isoTimestamp(o.validUntil),
    };
  }
}

/**
 * The generated `toJson_…` calls `validUntil.toISOString()` after cdk8s resolved the spec, and cdk8s refuses to
 * resolve a `Date`: a plain object with that one method passes through both.
 */
function isoTimestamp(value: string | Date): Date {
  const text = value instanceof Date ? (Number.isNaN(value.getTime()) ? String(value) : value.toISOString()) : value;
  return { toISOString: () => text } as unknown as Date;
}
