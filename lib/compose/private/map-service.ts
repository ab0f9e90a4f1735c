import { KeyPath } from './compose-source';
import { Findings } from './findings';
import { mapReplicas, mapResources } from './map-deploy';
import { FileContext, mapEnv } from './map-env';
import { mapHealthcheck } from './map-health';
import { ComposePort, composePorts, IMAGE_PORTS, portsValue, serviceType } from './map-ports';
import { mapStorage, StorageProps } from './map-storage';
import { Call, EnumMember, PlanValue, WorkloadKind } from './plan';
import { SERVICE_KEYS } from './service-keys';
import { durationMillis, stringList } from './units';

/** A service mapped, with what the project-level mapping (callers, port clashes) needs. */
export interface MappedService {
  readonly name: string;
  readonly id: string;
  readonly kind: WorkloadKind;
  readonly props: Record<string, PlanValue>;
  readonly ports: readonly ComposePort[];
  /** Networks the service is attached to. */
  readonly networks: readonly string[];
  /** Services it calls: `depends_on` and `links`. */
  readonly calls: ReadonlyArray<{ readonly service: string; readonly path: KeyPath }>;
  /** Compose names of the named volumes it mounts. */
  readonly volumeNames: readonly string[];
}

/** Keys whose report depends on their value: reported by their handler, not from the table. */
const BY_VALUE = new Set(['security_opt', 'network_mode', 'restart', 'read_only', 'build', 'user']);
const HARMLESS_SECURITY_OPT = /^(no-new-privileges(:true)?|seccomp[:=](default|runtime\/default))$/;

/** Reports every key that is not mapped (and `x-` extensions), from the table. */
function reportKeys(f: Findings, at: KeyPath, spec: Record<string, unknown>): void {
  for (const key of Object.keys(spec)) {
    if (key.startsWith('x-')) {
      f.info([...at, key], 'is an extension: ignored.');
      continue;
    }
    const support = SERVICE_KEYS[key];
    if (!support) {
      f.warn([...at, key], 'is not known to this importer (a key newer than its copy of the Compose Specification): it is not mapped.');
      continue;
    }
    if (support.status === 'mapped' || BY_VALUE.has(key)) continue;
    if (support.status === 'ignored') f.info([...at, key], `is ignored: ${support.why}.`);
    else f.warn([...at, key], `is not supported: ${support.why}.`);
  }
}

/** Value-dependent keys. */
function reportByValue(f: Findings, at: KeyPath, spec: Record<string, unknown>): void {
  const opts = Array.isArray(spec.security_opt) ? spec.security_opt.map(String) : [];
  const other = opts.filter(o => !HARMLESS_SECURITY_OPT.test(o));
  if (opts.length && !other.length) f.info([...at, 'security_opt'], 'is what every pod does already (no privilege escalation, seccomp RuntimeDefault).');
  if (other.length) {
    f.warn([...at, 'security_opt'], `${other.map(o => JSON.stringify(o)).join(', ')} is not supported: ${(SERVICE_KEYS.security_opt as { why: string }).why}.`);
  }
  if (spec.network_mode !== undefined) {
    f.warn([...at, 'network_mode'], `"${String(spec.network_mode)}" is not supported: ${(SERVICE_KEYS.network_mode as { why: string }).why}. The pod network is used.`);
  }
  const restart = String(spec.restart ?? 'always');
  if (restart === 'no' || restart.startsWith('on-failure')) {
    f.warn([...at, 'restart'], `"${restart}" is not mapped: pods of a Deployment or StatefulSet always restart. A task that runs once is a ScheduledJob (or a Kubernetes Job).`);
  }
  if (spec.depends_on !== undefined) {
    f.info([...at, 'depends_on'], 'does not order start-up in Kubernetes: pods start together and get traffic once ready, so the service must retry until its dependencies answer.');
  }
  if (spec.networks && !Array.isArray(spec.networks)) {
    for (const [network, options] of Object.entries(spec.networks as Record<string, Record<string, unknown> | null>)) {
      for (const option of Object.keys(options ?? {})) {
        f.warn([...at, 'networks', network, option], 'is not mapped: pods get their addresses from the cluster and are called by their Service name.');
      }
    }
  }
  if (spec.read_only === false) f.info([...at, 'read_only'], 'is false, but the root filesystem stays read-only: list the directories the process writes in `tmpfs`.');
}

/** Checks that the image names a tag (not latest) or a digest. */
function checkImage(f: Findings, at: KeyPath, image: string): void {
  const digest = image.includes('@');
  const name = image.split('@')[0];
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  if (!digest && tag === undefined) {
    f.error([...at, 'image'], `is "${image}", without a tag: that means "latest", which changes under you. Pin a version, e.g. "${image}:1.2.3", or a digest ("${image}@sha256:...").`);
  } else if (!digest && tag === 'latest') {
    f.error([...at, 'image'], `is "${image}": the "latest" tag changes under you. Pin a version tag (e.g. "${name.slice(0, colon)}:1.2.3") or a digest.`);
  }
}

/** `user: uid[:gid]` → runAsUser/runAsGroup. */
function mapUser(f: Findings, at: KeyPath, user: unknown, props: Record<string, PlanValue>): void {
  if (user === undefined) return;
  const [uid, gid] = String(user).split(':');
  if (!/^\d+$/.test(uid) || (gid !== undefined && !/^\d+$/.test(gid))) {
    f.warn([...at, 'user'], `"${String(user)}" is not numeric: Kubernetes checks runAsNonRoot with numeric ids only, so the pod runs as 10001. Give the image's numeric uid:gid.`);
  } else if (Number(uid) === 0) {
    f.warn([...at, 'user'], 'is root (0): Pod Security "restricted" forbids running as root, so the pod runs as 10001. Use an image that runs as a non-root user.');
  } else {
    props.runAsUser = Number(uid);
    props.runAsGroup = gid !== undefined ? Number(gid) : Number(uid);
  }
}

/** `depends_on` (list or map) and `links`. */
function calls(at: KeyPath, spec: Record<string, unknown>): MappedService['calls'] {
  const deps = Array.isArray(spec.depends_on) ? spec.depends_on.map(String) : Object.keys(spec.depends_on ?? {});
  const out = deps.map(d => ({ service: d, path: [...at, 'depends_on', Array.isArray(spec.depends_on) ? deps.indexOf(d) : d] }));
  (Array.isArray(spec.links) ? spec.links : []).forEach((l: unknown, i) => out.push({ service: String(l).split(':')[0], path: [...at, 'links', i] }));
  return out;
}

function labels(value: unknown): Record<string, string> {
  if (Array.isArray(value)) return Object.fromEntries(value.map(String).map(l => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
  return Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
}

/** The workload kind, and the ports (inferred from a well-known image when a called service lists none). */
function kindOf(f: Findings, at: KeyPath, image: string, ports: ComposePort[], hasVolumes: boolean, called: boolean): WorkloadKind {
  if (ports.length === 0 && (called || hasVolumes)) {
    const repo = image.split(/[:@]/)[0].split('/').pop()!;
    const known = IMAGE_PORTS[repo];
    if (known !== undefined) {
      ports.push({ target: known, exposure: 'none', protocol: 'tcp', path: [...at, 'image'] });
      f.info([...at, 'image'], `lists no ports; ${repo} listens on ${known}, so the Service exposes it (add \`expose: ["${known}"]\` to say so).`);
    } else if (called) {
      f.warn(at, 'is called by other services but lists no ports: it becomes a Worker, which nobody can call. Add `expose:` with its ports.');
    }
  }
  if (hasVolumes && ports.length > 0) return 'StatefulService';
  if (hasVolumes) f.warn([...at, 'volumes'], 'are named volumes of a service without ports: a StatefulService needs a port, so the data is not kept (an emptyDir). Add `expose:`.');
  return ports.length > 0 ? 'WebService' : 'Worker';
}

/** A service being mapped. */
interface ServiceInput {
  readonly ctx: FileContext;
  readonly f: Findings;
  readonly at: KeyPath;
  readonly id: string;
  readonly spec: Record<string, unknown>;
}

/** `image` (and `build`): undefined when the service cannot be imported (reported). */
function imageOf({ f, at, spec }: ServiceInput): string | undefined {
  if (typeof spec.image !== 'string') {
    if (spec.build !== undefined) {
      f.warn([...at, 'build'], 'builds an image but names none: a cluster pulls images, it does not build them. Push the image and give it in `image:` (with a tag); the service is not imported.');
    } else {
      f.error(at, 'has neither `image` nor `build`: give the image to run in `image:`.');
    }
    return undefined;
  }
  if (spec.build !== undefined) f.info([...at, 'build'], `is left to your CI: the workload runs the image ${spec.image}.`);
  checkImage(f, at, spec.image);
  return spec.image;
}

/** `ports`, the Service type and replicas. */
function exposure({ f, at, spec }: ServiceInput, kind: WorkloadKind, ports: readonly ComposePort[], props: Record<string, PlanValue>): void {
  if (ports.length) props.ports = portsValue(ports, kind === 'Worker');
  const type = serviceType(ports);
  if (type && kind === 'WebService') props.serviceType = new EnumMember('ServiceType', type);
  if (type && kind === 'StatefulService') {
    f.info([...at, 'ports'], 'are published, but a StatefulService is reachable inside the cluster only: use `kubectl port-forward` to reach it from outside.');
  }
  const replicas = mapReplicas(f, at, spec);
  if (replicas !== undefined) props.replicas = replicas;
}

/** `environment`, `env_file`, `secrets` and `configs`. */
function configuration(s: ServiceInput, storage: StorageProps, props: Record<string, PlanValue>): void {
  const { env, secretEnv } = mapEnv(s.ctx, s.at, s.spec, s.id, storage.secretKeys);
  if (Object.keys(env).length) props.env = env;
  if (Object.keys(secretEnv).length) props.secretEnv = secretEnv;
  if (storage.secretKeys.length) {
    props.secretFiles = [{ secretName: `${s.id}-secrets`, mountPath: '/run/secrets' }];
    s.f.info([...s.at, 'secrets'], `are read from the Secret ${s.id}-secrets (keys ${storage.secretKeys.join(', ')}), which you create: the values are never copied.`);
  }
  if (storage.config) props.config = storage.config;
}

/** Resources, probes, user, writable paths, volumes and the pod's other settings. */
function podSettings({ f, at, spec }: ServiceInput, kind: WorkloadKind, storage: StorageProps, props: Record<string, PlanValue>): void {
  const resources = mapResources(f, at, spec);
  if (resources) props.resources = resources;
  const probes = mapHealthcheck(f, at, spec.healthcheck);
  if (probes) props.probes = probes;
  mapUser(f, at, spec.user, props);
  if (storage.writable.length) props.writablePaths = ['/tmp', ...storage.writable];
  if (kind === 'StatefulService') props.volumes = storage.volumes;
  const grace = durationMillis(spec.stop_grace_period);
  if (grace !== undefined) props.terminationGracePeriod = new Call('Duration.seconds', [Math.ceil(grace / 1000)]);
  const annotations = { ...labels(spec.labels), ...labels(spec.annotations) };
  if (Object.keys(annotations).length) props.podAnnotations = annotations;
  if (typeof spec.platform === 'string') props.nodeSelector = platformSelector(spec.platform);
}

/** One Compose service → the props of its workload. Undefined when it cannot be imported (reported). */
export function mapService(ctx: FileContext, name: string, id: string, spec: Record<string, unknown>, top: Record<string, unknown>,
  called: boolean): MappedService | undefined {
  const s: ServiceInput = { ctx, f: ctx.findings, at: ['services', name], id, spec };
  reportKeys(s.f, s.at, spec);
  reportByValue(s.f, s.at, spec);
  const image = imageOf(s);
  if (image === undefined) return undefined;
  const ports = composePorts(s.f, s.at, spec);
  const storage = mapStorage(ctx, s.at, spec, top);
  const kind = kindOf(s.f, s.at, image, ports, storage.volumes.length > 0, called);
  const props: Record<string, PlanValue> = { image };
  const entrypoint = stringList(spec.entrypoint);
  const command = stringList(spec.command);
  if (entrypoint?.length) props.command = entrypoint;
  if (command?.length) props.args = command;
  exposure(s, kind, ports, props);
  configuration(s, storage, props);
  podSettings(s, kind, storage, props);
  const networks = spec.networks === undefined ? ['default'] : Array.isArray(spec.networks) ? spec.networks.map(String) : Object.keys(spec.networks as object);
  return { name, id, kind, props, ports, networks, calls: calls(s.at, spec), volumeNames: storage.volumeNames };
}

/** `platform: linux/arm64` → node labels. */
function platformSelector(platform: string): Record<string, string> {
  const [os, arch] = platform.split('/');
  return arch ? { 'kubernetes.io/os': os, 'kubernetes.io/arch': arch } : { 'kubernetes.io/os': os };
}

