import { ContainerOptions, SidecarOptions } from '../../workload-props';
import { imageString, parseImage } from '../image';
import { k8s } from '../plus';
import { resolvePorts, containerPorts } from '../ports';
import { PropValidator } from '../validate';
import { buildLiteralEnv } from './env';
import { resolveProbes } from './probes';
import { buildResources } from './resources';
import { buildSecretEnv } from './secret-env';
import { containerSecurityContext, PodIdentity } from './security';
import { checkCommand } from './spec';
import { ContainerPortSpec, PodTemplateInput, SharedPodObjects } from './types';
import { buildWritablePaths, joinVolumes, sharedMounts } from './volumes';

/** The init containers (init containers first, then the sidecars), their volumes and shared objects. */
export interface ExtraContainers {
  readonly initContainers: k8s.Container[];
  readonly volumes: k8s.Volume[];
  readonly shared: Record<string, SharedPodObjects>;
  readonly secretNames: string[];
}

/** What the extra containers must not repeat: the names and ports of the containers before them. */
interface Taken {
  readonly names: Set<string>;
  /** `port/protocol` and port names, to the container that has them. */
  readonly ports: Map<string, string>;
}

/**
 * The init containers and native sidecars of a pod, built by the same builders as the main container (env,
 * secrets, resources, security context, writable paths, probes) with their props named `initContainers[i].x`
 * and `sidecars[i].x` in errors.
 */
export function buildExtraContainers(input: PodTemplateInput, identity: PodIdentity, mainPorts: ContainerPortSpec[]): ExtraContainers {
  const { v, props } = input;
  const main = `the main container (${input.name})`;
  const taken: Taken = { names: new Set([input.name]), ports: new Map(mainPorts.flatMap(p => [[`${p.containerPort}/${p.protocol}`, main], [p.name, main]])) };
  const out: ExtraContainers = { initContainers: [], volumes: [], shared: {}, secretNames: [] };
  for (const [prop, list] of [['initContainers', props.initContainers], ['sidecars', props.sidecars]] as const) {
    if (list === undefined) continue;
    v.check(Array.isArray(list), prop, list, 'must be a list of containers.');
    list.forEach((c, i) => buildOne(input, v.prefixed(`${prop}[${i}].`), c, prop === 'sidecars', identity, taken, out));
  }
  return out;
}

function buildOne(input: PodTemplateInput, v: PropValidator, c: ContainerOptions | SidecarOptions, sidecar: boolean,
  identity: PodIdentity, taken: Taken, out: ExtraContainers): void {
  v.check(typeof c === 'object' && c !== null, '', c, 'must be a container ({ name, image, ... }).');
  const name = v.dnsLabel('name', c.name, 50);
  v.check(!taken.names.has(name), 'name', name, `is also the name of another container of the pod (the main container is named like the workload, "${input.name}"): container names must be unique.`);
  taken.names.add(name);
  const image = parseImage(v, 'image', c.image);
  checkCommand(v, c);
  const sub: PodTemplateInput = {
    ...input,
    v,
    props: { image: c.image, secretEnv: c.secretEnv, labels: input.props.labels },
    name: `${input.name}-${name}`,
    idPrefix: `${input.idPrefix ?? ''}${name.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase())}`,
    shared: input.shared?.containers?.[name],
  };
  const names = new Set<string>();
  const literal = buildLiteralEnv(v, c.env, names);
  const secrets = buildSecretEnv(sub, names);
  out.secretNames.push(...secrets.secretNames);
  out.shared[name] = { externalSecretName: secrets.externalSecretName };
  const writable = buildWritablePaths(v, c.writablePaths, `${name}-writable`);
  const storage = joinVolumes(v, [writable, sharedMounts(v, c.volumeMounts, input.props.sharedVolumes)], undefined);
  out.volumes.push(...writable.volumes);
  const env = [...literal, ...secrets.env];
  const container: k8s.Container = {
    name,
    image: imageString(image),
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    args: c.args,
    env: env.length ? env : undefined,
    resources: buildResources(v, c.resources),
    volumeMounts: storage.mounts.length ? storage.mounts : undefined,
    securityContext: containerSecurityContext(identity, c.readOnlyRootFilesystem),
  };
  out.initContainers.push(sidecar ? sidecarContainer(input, v, container, c as SidecarOptions, taken) : container);
}

/** A native sidecar: `restartPolicy: Always`, its own ports (not used by another container) and probes. */
function sidecarContainer(input: PodTemplateInput, v: PropValidator, container: k8s.Container, c: SidecarOptions, taken: Taken): k8s.Container {
  const ports = containerPorts(resolvePorts(v, 'ports', c.ports ?? [], { required: false, mapped: false }));
  ports.forEach((p, j) => {
    const key = `${p.containerPort}/${p.protocol}`;
    const owner = taken.ports.get(key);
    if (owner) v.fail(`ports[${j}].port`, p.containerPort, `is also a port of ${owner}: the containers of a pod share one network, so each port can be used once.`);
    const nameOwner = taken.ports.get(p.name);
    if (nameOwner) v.fail(`ports[${j}].name`, p.name, `is also the name of a port of ${nameOwner}: port names must be unique in the pod.`);
    taken.ports.set(key, `sidecar ${container.name}`);
    taken.ports.set(p.name, `sidecar ${container.name}`);
  });
  return {
    ...container,
    restartPolicy: 'Always',
    ports: ports.length ? ports.map(p => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) : undefined,
    ...resolveProbes(v, { ...input, v, ports, probes: c.probes, healthCheckPath: c.healthCheckPath }),
  };
}
