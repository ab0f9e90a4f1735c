import { Chart } from 'cdk8s';
import { imageString } from './image';
import { MANAGED_BY } from './labels';
import { k8s } from './plus';
import { buildConfig } from './pod/config';
import { buildExtraContainers } from './pod/containers';
import { buildLiteralEnv } from './pod/env';
import { resolveProbes } from './pod/probes';
import { buildResources } from './pod/resources';
import { buildSecretEnv } from './pod/secret-env';
import { containerSecurityContext, podSecurityContext, resolveIdentity } from './pod/security';
import { checkCommand, gracePeriodSeconds, nodeSelector, podAnnotations, topologySpread } from './pod/spec';
import { PodTemplateInput, PodTemplateOutput, PodVolumes } from './pod/types';
import { buildSecretFiles, buildSharedVolumes, buildWritablePaths, joinVolumes, sharedMounts } from './pod/volumes';
import { PropValidator } from './validate';
import { WorkloadIdentity } from '../workload-identity';

export { buildProbe, seconds } from './pod/probes';
export { buildResources, cpuMillis } from './pod/resources';
export { DEFAULT_USER } from './pod/security';
export type { ContainerPortSpec, PodTemplateInput, PodTemplateOutput, SharedPodObjects } from './pod/types';

/**
 * Builds a pod template that passes Pod Security "restricted" and carries the project's defaults:
 * non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root with
 * declared writable emptyDirs, no service account token, soft zone/node spread, pinned image pulled
 * IfNotPresent, config checksum annotation.
 */
export function buildPodTemplate(input: PodTemplateInput): PodTemplateOutput {
  const { v, props } = input;
  const identity = resolveIdentity(v, props);
  const names = new Set<string>();
  const literal = buildLiteralEnv(v, props.env, names);
  const secrets = buildSecretEnv(input, names);
  const config = buildConfig(input, names);
  const secretNames = [...secrets.secretNames];
  const sharedVolumes = buildSharedVolumes(v, props.sharedVolumes);
  const storage = joinVolumes(v, [config, buildSecretFiles(v, props.secretFiles, secretNames), buildWritablePaths(v, props.writablePaths),
    sharedMounts(v, props.volumeMounts, props.sharedVolumes)], input.extraMounts);
  checkCommand(v, props);
  const extra = buildExtraContainers(input, identity, input.ports ?? []);
  secretNames.push(...extra.secretNames);
  const main = buildContainer(input, [...literal, ...secrets.env, ...config.env], storage, identity);
  checkSharedVolumes(v, props, input.extraMounts, [main, ...extra.initContainers]);
  const volumes = [...storage.volumes, ...extra.volumes, ...sharedVolumes];
  const annotations = podAnnotations(v, props, config.configChecksum);
  const spec: k8s.PodSpec = {
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    serviceAccountName: serviceAccountName(input),
    enableServiceLinks: false,
    restartPolicy: input.restartPolicy,
    terminationGracePeriodSeconds: gracePeriodSeconds(v, props),
    nodeSelector: nodeSelector(v, props),
    securityContext: podSecurityContext(identity),
    initContainers: extra.initContainers.length ? extra.initContainers : undefined,
    containers: [main],
    volumes: volumes.length ? volumes : undefined,
    topologySpreadConstraints: input.spread === false ? undefined : topologySpread(props, input.labels.selector),
  };
  return {
    template: { metadata: { labels: { ...props.labels, ...input.labels.all }, annotations }, spec },
    shared: {
      configMapName: config.configMapName,
      configChecksum: config.configChecksum,
      externalSecretName: secrets.externalSecretName,
      containers: extra.shared,
    },
    secretNames,
  };
}

/** The workload's one container. */
function buildContainer(input: PodTemplateInput, env: k8s.EnvVar[], storage: PodVolumes, identity: { runAsUser: number; runAsGroup: number }): k8s.Container {
  const { v, props } = input;
  return {
    name: input.name,
    image: imageString(input.image),
    imagePullPolicy: 'IfNotPresent',
    command: props.command,
    args: props.args,
    ports: input.ports?.length ? input.ports.map(p => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) : undefined,
    env: env.length ? env : undefined,
    resources: buildResources(v, props.resources),
    volumeMounts: storage.mounts.length ? storage.mounts : undefined,
    securityContext: containerSecurityContext(identity, props.readOnlyRootFilesystem),
    ...resolveProbes(v, input),
  };
}

export { imageString };

/** The pods' ServiceAccount: the identity's (in the workload's namespace) or the one named. */
function serviceAccountName(input: PodTemplateInput): string | undefined {
  const { v, props } = input;
  const identity = props.identity;
  if (identity === undefined) {
    if (props.serviceAccountName !== undefined) v.dnsSubdomain('serviceAccountName', props.serviceAccountName);
    return props.serviceAccountName;
  }
  if (!WorkloadIdentity.isWorkloadIdentity(identity)) {
    v.fail('identity', identity, 'must be a WorkloadIdentity (new WorkloadIdentity(chart, \'orders\')).');
  }
  v.check(props.serviceAccountName === undefined, 'serviceAccountName', props.serviceAccountName,
    `cannot be given with identity (its ServiceAccount is "${identity.serviceAccountName}"): remove serviceAccountName.`);
  const namespace = Chart.of(input.scope).namespace ?? 'default';
  v.check(identity.namespace === namespace, 'identity', `${identity.namespace}/${identity.serviceAccountName}`,
    `is in namespace "${identity.namespace}", but the workload is in "${namespace}": a pod can only use a ServiceAccount of its own namespace. `
    + 'Create the WorkloadIdentity in a chart of the workload\'s namespace.');
  return identity.serviceAccountName;
}

/** Every shared volume is mounted by some container, and none shares a name with a volume claim. */
function checkSharedVolumes(v: PropValidator, props: PodTemplateInput['props'], extraMounts: PodTemplateInput['extraMounts'], containers: k8s.Container[]): void {
  const mounted = new Set(containers.flatMap(c => (c.volumeMounts ?? []).map(m => m.name)));
  (props.sharedVolumes ?? []).forEach((s, i) => {
    v.check(mounted.has(s.name), `sharedVolumes[${i}].name`, s.name, 'is mounted by no container: add { volume, mountPath } to the volumeMounts of the containers that share it, or remove it.');
    v.check(!(extraMounts ?? []).some(m => m.name === s.name), `sharedVolumes[${i}].name`, s.name, 'is also the name of a persistent volume of the workload: choose another name.');
  });
}

/** Validates user label keys/values and refuses the keys this library owns. */
export function checkUserLabels(v: PropValidator, labels: Record<string, string> | undefined): void {
  for (const [k, val] of Object.entries(labels ?? {})) {
    v.labelKey(`labels.${k}`, k);
    v.labelValue(`labels.${k}`, val);
    v.check(!k.startsWith('app.kubernetes.io/'), `labels.${k}`, k, 'is set by the library (app.kubernetes.io/* standard labels); use the name, component or PlatformChart partOf props instead.');
  }
}

export { MANAGED_BY };
