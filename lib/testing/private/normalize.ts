/** Deep, pure string/key rewriting used by the snapshot helpers. */

/** A JSON value as parsed from a template or a manifest. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Applies `fn` to every string (values and object keys) of a JSON value, returning a new value. */
export function mapStrings(value: unknown, fn: (s: string) => string): JsonValue {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map(v => mapStrings(v, fn));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[fn(k)] = mapStrings(v, fn);
    }
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return null;
}

/** A 64-hex asset hash (sha256), not preceded by `sha256:` (image digests are real content and are kept). */
export const ASSET_HASH = /(?<![0-9a-fA-F]|sha256:)[0-9a-f]{64}(?![0-9a-fA-F])/g;
