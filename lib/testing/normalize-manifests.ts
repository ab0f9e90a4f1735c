import { ASSET_HASH, JsonValue, mapStrings } from './private/normalize';

/** Options of `normalizeManifests`. */
export interface NormalizeManifestsOptions {
  /**
   * Replace the 8-hex suffix cdk8s appends to generated names (`web-deployment-c8a1b2c3` →
   * `web-deployment-[HASH]`), everywhere the name appears. The suffix is a hash of the construct path, so it
   * is already stable across library upgrades; strip it only if your snapshots should ignore renames.
   *
   * @default false
   */
  readonly stripNameHashes?: boolean;
}

const NAME_HASH = /^(.+)-([0-9a-f]{8})$/;

/**
 * Normalises Kubernetes objects (cdk8s output) for a snapshot: 64-hex asset hashes become `[ASSET_HASH]`
 * (image digests `sha256:...` are kept: a new digest is a real change), and optionally cdk8s name hashes.
 * Returns new objects; the input is not modified.
 */
export function normalizeManifests(objects: readonly unknown[], options: NormalizeManifestsOptions = {}): JsonValue[] {
  const renames = new Map<string, string>();
  if (options.stripNameHashes) {
    for (const o of objects) {
      const name = (o as { metadata?: { name?: unknown } } | null)?.metadata?.name;
      const m = typeof name === 'string' ? NAME_HASH.exec(name) : null;
      if (m) renames.set(name as string, `${m[1]}-[HASH]`);
    }
  }
  // longest first, so a name that contains another is replaced whole
  const ordered = [...renames.entries()].sort((a, b) => b[0].length - a[0].length);
  return objects.map(o => mapStrings(o, s => {
    let out = s.replace(ASSET_HASH, '[ASSET_HASH]');
    for (const [from, to] of ordered) {
      if (out.includes(from)) out = out.split(from).join(to);
    }
    return out;
  }));
}
