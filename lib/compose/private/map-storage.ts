import * as fs from 'fs';
import * as path from 'path';
import { KeyPath } from './compose-source';
import { FileContext } from './map-env';
import { Call, PlanValue } from './plan';
import { dnsLabel } from './units';

/** Volumes, writable directories, config files and secret files of a service. */
export interface StorageProps {
  /** Named volumes (StatefulService `volumes`). */
  readonly volumes: PlanValue[];
  /** Compose names of the named volumes. */
  readonly volumeNames: string[];
  /** Writable directories besides /tmp. */
  readonly writable: string[];
  /** `config` prop, when the service has configs. */
  readonly config?: PlanValue;
  /** Keys of the `<id>-secrets` Secret mounted at /run/secrets. */
  readonly secretKeys: string[];
}

const DEFAULT_VOLUME_GIB = 10;
const SECRETS_DIR = '/run/secrets';

interface Mount { readonly type: string; readonly source?: string; readonly target: string; readonly readOnly: boolean }

function parseMount(entry: unknown): Mount | undefined {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0], readOnly: false };
    const [source, target, mode = ''] = parts;
    const bind = /^[./~]/.test(source) || /^[A-Za-z]$/.test(source);
    return { type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  }
  if (entry && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    return { type: String(o.type), source: o.source as string | undefined, target: String(o.target), readOnly: o.read_only === true };
  }
  return undefined;
}

/** `volumes` and `tmpfs` of a service. */
function mapVolumes(ctx: FileContext, at: KeyPath, spec: Record<string, unknown>, topVolumes: Record<string, unknown>) {
  const f = ctx.findings;
  const volumes: PlanValue[] = [];
  const volumeNames: string[] = [];
  const writable: string[] = [];
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((entry: unknown, i) => {
    const where = [...at, 'volumes', i];
    const m = parseMount(entry);
    if (!m) return;
    if (m.type === 'tmpfs' || (m.type === 'volume' && !m.source)) {
      writable.push(m.target);
    } else if (m.type === 'volume') {
      if (!(m.source! in topVolumes)) {
        f.error(where, `uses the volume "${m.source}", which the top-level \`volumes:\` does not declare: declare it (\`volumes: { ${m.source}: {} }\`).`);
        return;
      }
      if (m.readOnly) f.info(where, 'is read-only in Compose; the volume claim is mounted read-write.');
      f.info(where, `becomes a ${DEFAULT_VOLUME_GIB} GiB volume claim of each pod (Compose volumes have no size): change \`size\` to what the data needs.`);
      volumeNames.push(m.source!);
      volumes.push({ name: dnsLabel(m.source!), mountPath: m.target, size: new Call('Size.gibibytes', [DEFAULT_VOLUME_GIB]) });
    } else {
      f.warn(where, `is a ${m.type === 'bind' ? `bind mount of the host path ${m.source}` : `${m.type} mount`}, which is not mapped: hostPath volumes are forbidden by Pod Security "restricted" (a pod must not read the node's files). `
        + 'Build the files into the image, or use `configs:` (files) or a named volume (data).');
    }
  });
  const tmpfs = spec.tmpfs === undefined ? [] : Array.isArray(spec.tmpfs) ? spec.tmpfs : [spec.tmpfs];
  for (const t of tmpfs) writable.push(String(t).split(':')[0]);
  return { volumes, volumeNames, writable: [...new Set(writable)].filter(p => p !== '/tmp') };
}

/** The long or short syntax of a `configs`/`secrets` entry: source and absolute target. */
function reference(entry: unknown, dir: string): { source: string; target: string } {
  const o = typeof entry === 'string' ? { source: entry } : entry as { source: string; target?: string };
  const target = o.target === undefined ? `${dir}/${o.source}` : o.target.startsWith('/') ? o.target : `${dir}/${o.target}`;
  return { source: o.source, target };
}

/** The content of a top-level config: `content`, `file` (read next to the Compose file) or `environment`. */
function configContent(ctx: FileContext, name: string, def: Record<string, unknown>): string | undefined {
  const at = ['configs', name];
  if (typeof def.content === 'string') return def.content;
  if (typeof def.environment === 'string') {
    const value = ctx.env[def.environment];
    if (value === undefined) ctx.findings.error([...at, 'environment'], `names ${def.environment}, which is not set: set it in the environment or the .env file.`);
    return value;
  }
  if (typeof def.file === 'string') {
    const file = path.resolve(ctx.dir, def.file);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    ctx.findings.error([...at, 'file'], `names ${def.file}, which does not exist (next to the Compose file): create it.`);
    return undefined;
  }
  ctx.findings.warn(at, 'is external (or names no content): an existing ConfigMap is not mounted by the importer; give the content with `file:` or `content:`.');
  return undefined;
}

/** `configs` → the `config` prop (files mounted in one directory). */
function mapConfigs(ctx: FileContext, at: KeyPath, spec: Record<string, unknown>, topConfigs: Record<string, unknown>): PlanValue | undefined {
  const files: Record<string, string> = {};
  let mountPath: string | undefined;
  (Array.isArray(spec.configs) ? spec.configs : []).forEach((entry: unknown, i) => {
    const where = [...at, 'configs', i];
    const { source, target } = reference(entry, '');
    const def = topConfigs[source];
    if (!def || typeof def !== 'object') return ctx.findings.error(where, `uses the config "${source}", which the top-level \`configs:\` does not declare: declare it.`);
    const content = configContent(ctx, source, def as Record<string, unknown>);
    if (content === undefined) return;
    let dir = path.posix.dirname(target);
    if (dir === '/') {
      dir = `/etc/${dnsLabel(String(at[at.length - 1]))}`;
      ctx.findings.info(where, `is mounted at ${target}; a ConfigMap cannot be mounted at /, so it is at ${dir}/${path.posix.basename(target)}: set \`target\` to where the image reads it.`);
    }
    mountPath ??= dir;
    if (dir !== mountPath) {
      return ctx.findings.warn(where, `is mounted at ${target}, but this service's configs are mounted in ${mountPath}: a workload mounts its ConfigMap in one directory. Move it there.`);
    }
    files[path.posix.basename(target)] = content;
  });
  if (mountPath === undefined) return undefined;
  return { files, mountPath };
}

/** `secrets` → keys of `<id>-secrets`, mounted at /run/secrets. */
function mapSecrets(ctx: FileContext, at: KeyPath, spec: Record<string, unknown>, topSecrets: Record<string, unknown>): string[] {
  const keys: string[] = [];
  (Array.isArray(spec.secrets) ? spec.secrets : []).forEach((entry: unknown, i) => {
    const where = [...at, 'secrets', i];
    const { source, target } = reference(entry, SECRETS_DIR);
    if (!(source in topSecrets)) return ctx.findings.error(where, `uses the secret "${source}", which the top-level \`secrets:\` does not declare: declare it.`);
    if (path.posix.dirname(target) !== SECRETS_DIR) {
      return ctx.findings.warn(where, `is mounted at ${target}: secrets are mounted in ${SECRETS_DIR} only. Read it from ${SECRETS_DIR}/${path.posix.basename(target)}.`);
    }
    keys.push(path.posix.basename(target));
  });
  return keys;
}

/** Everything a service stores or reads from files. */
export function mapStorage(ctx: FileContext, at: KeyPath, spec: Record<string, unknown>, top: Record<string, unknown>): StorageProps {
  const objectAt = (key: string) => (top[key] && typeof top[key] === 'object' ? top[key] : {}) as Record<string, unknown>;
  return {
    ...mapVolumes(ctx, at, spec, objectAt('volumes')),
    config: mapConfigs(ctx, at, spec, objectAt('configs')),
    secretKeys: mapSecrets(ctx, at, spec, objectAt('secrets')),
  };
}
