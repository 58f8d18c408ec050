/**
 * Small readers of wire JSON and the checks several kinds share (required fields, enums, duplicates, locale
 * providers), for the rule tables.
 */
import { Finding } from './rule';

export const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const has = (v: unknown): boolean => v !== undefined && v !== null;
export const nonEmpty = (v: unknown): boolean => (typeof v === 'string' ? v !== '' : has(v));

/** The values that occur more than once, each once, in order. */
export function dupes<T>(values: T[]): T[] {
  const seen = new Set<T>();
  const out: T[] = [];
  for (const v of values) {
    if (seen.has(v) && !out.includes(v)) out.push(v);
    seen.add(v);
  }
  return out;
}

/** `Required value` for each of `fields` (paths under `spec`) that is empty. */
export function required(spec: any, fields: string[]): Finding[] {
  return fields.filter((f) => !nonEmpty(f.split('.').reduce((o: any, k) => o?.[k], spec))).map((f) => ({ field: `spec.${f}`, message: 'Required value' }));
}

/** A CRD enum: the value, when set, is one of `allowed`. */
export function enumOf(field: string, v: unknown, allowed: string[]): Finding[] {
  return has(v) && !allowed.includes(v as string)
    ? [{ field, message: `Unsupported value: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, value: v }]
    : [];
}

/** `Duplicate value` for every item whose `key` an earlier item has. */
export function duplicates(field: string, items: any[], key = 'name'): Finding[] {
  const seen = new Set<unknown>();
  const out: Finding[] = [];
  items.forEach((it, i) => {
    const v = it?.[key];
    if (seen.has(v)) out.push({ field: `${field}[${i}].${key}`, message: 'Duplicate value', value: v });
    seen.add(v);
  });
  return out;
}

/** The locale-provider CEL rules of initdb and Database. */
export function localeProviderProblems(x: any, at: string): Finding[] {
  if (!isObj(x)) return [];
  const out: Finding[] = [];
  if (has(x.builtinLocale) && x.localeProvider !== 'builtin') out.push({ field: at, message: 'builtinLocale is only available when localeProvider is set to `builtin`' });
  if (has(x.icuLocale) && x.localeProvider !== 'icu') out.push({ field: at, message: 'icuLocale is only available when localeProvider is set to `icu`' });
  if (has(x.icuRules) && x.localeProvider !== 'icu') out.push({ field: at, message: 'icuRules is only available when localeProvider is set to `icu`' });
  return out;
}
