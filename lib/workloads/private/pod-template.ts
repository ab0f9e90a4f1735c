import { createHash } from 'crypto';
import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { ImageRef } from './image';
import { PlatformChart } from '../platform-chart';
import { MANAGED_BY, StandardLabels } from './labels';
import { k8s } from './plus';
import { PropValidator } from './validate';
import { ContainerResources } from '../container-resources';
import { Probe, ProbeOptions, ProbeTimings } from '../probe';
import { ContainerWorkloadProps } from '../workload-props';

/** Default uid/gid: a non-root id outside the range of system users. */
export const DEFAULT_USER = 10001;

/** A container port of a workload. */
export interface ContainerPortSpec {
  readonly name: string;
  readonly containerPort: number;
  readonly protocol: string;
}

/** Input of {@link buildPodTemplate}. */
export interface PodTemplateInput {
  /** Where extra objects (ConfigMap, ExternalSecret) are created; also the path in errors. */
  readonly scope: Construct;
  readonly v: PropValidator;
  readonly props: ContainerWorkloadProps;
  readonly name: string;
  readonly image: ImageRef;
  readonly labels: StandardLabels;
  readonly ports?: ContainerPortSpec[];
  readonly probes?: ProbeOptions;
  /** HTTP path for default probes. */
  readonly healthCheckPath?: string;
  /** Extra mounts (e.g. StatefulSet volume claims), name → path. */
  readonly extraMounts?: Array<{ name: string; mountPath: string }>;
  /** Pod restart policy (jobs: OnFailure / Never). */
  readonly restartPolicy?: string;
  /** Id prefix of the extra objects (when several templates share a scope). */
  readonly idPrefix?: string;
  /** Share extra objects built by a previous call (release strategies: one ConfigMap for both versions). */
  readonly shared?: SharedPodObjects;
}

/** Objects a pod template refers to, shared between the versions of one workload. */
export interface SharedPodObjects {
  readonly configMapName?: string;
  readonly configChecksum?: string;
  readonly externalSecretName?: string;
}

/** Output of {@link buildPodTemplate}. */
export interface PodTemplateOutput {
  readonly template: k8s.PodTemplateSpec;
  readonly shared: SharedPodObjects;
  /** Names of Secrets the pods read (existing ones, by reference). */
  readonly secretNames: string[];
}

const SECRET_LIKE = /(PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS($|_)|(^|_)PWD($|_)|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i;
/** A URL with a password in it (`scheme://user:password@host`). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Parses a `Cpu` amount ("250m", "0.5", "2") into millicores. */
export function cpuMillis(amount: string): number {
  const m = /^([0-9]*\.?[0-9]+)(m?)$/.exec(amount);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'm' ? n : n * 1000;
}

function sizeMi(size: Size): number {
  return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024;
}

/** Resources with defaults, validated. */
export function buildResources(v: PropValidator, r: ContainerResources | undefined, defaults = true): k8s.ResourceRequirements | undefined {
  const pick = <T>(value: T | false | undefined, dflt: T | undefined): T | undefined => value === false ? undefined : value ?? (defaults ? dflt : undefined);
  const cpuReq = pick(r?.cpuRequest, undefined);
  const cpuLim = pick(r?.cpuLimit, undefined);
  const memReq = pick(r?.memoryRequest, Size.mebibytes(128));
  const memLim = pick(r?.memoryLimit, Size.mebibytes(256));
  const ephReq = pick(r?.ephemeralStorageRequest, undefined);
  const ephLim = pick(r?.ephemeralStorageLimit, undefined);
  const cpuRequestAmount = cpuReq?.amount ?? (r?.cpuRequest === false || !defaults ? undefined : '100m');
  const checkCpu = (prop: string, amount: string | undefined) => {
    if (amount === undefined) return undefined;
    const millis = cpuMillis(amount);
    v.check(Number.isFinite(millis) && millis >= 1, `resources.${prop}`, amount, 'must be a positive CPU quantity of at least 1m (e.g. Cpu.millis(250) or Cpu.units(1)).');
    return millis;
  };
  const checkSize = (prop: string, size: Size | undefined) => {
    if (size === undefined) return undefined;
    const mi = sizeMi(size);
    v.check(Number.isFinite(mi) && mi > 0, `resources.${prop}`, `${mi}Mi`, 'must be a positive size (e.g. Size.mebibytes(256)).');
    return mi;
  };
  const cr = checkCpu('cpuRequest', cpuRequestAmount);
  const cl = checkCpu('cpuLimit', cpuLim?.amount);
  const mr = checkSize('memoryRequest', memReq);
  const ml = checkSize('memoryLimit', memLim);
  const er = checkSize('ephemeralStorageRequest', ephReq);
  const el = checkSize('ephemeralStorageLimit', ephLim);
  if (cr !== undefined && cl !== undefined) v.check(cr <= cl, 'resources.cpuRequest', cpuRequestAmount, `must not exceed resources.cpuLimit (${cpuLim!.amount}).`);
  if (mr !== undefined && ml !== undefined) v.check(mr <= ml, 'resources.memoryRequest', `${mr}Mi`, `must not exceed resources.memoryLimit (${ml}Mi).`);
  if (er !== undefined && el !== undefined) v.check(er <= el, 'resources.ephemeralStorageRequest', `${er}Mi`, `must not exceed resources.ephemeralStorageLimit (${el}Mi).`);
  const q = (s: string) => k8s.Quantity.fromString(s);
  const mem = (mi: number) => Number.isInteger(mi) ? `${mi}Mi` : `${Math.round(mi * 1024)}Ki`;
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  if (cpuRequestAmount !== undefined) requests.cpu = q(cpuRequestAmount);
  if (mr !== undefined) requests.memory = q(mem(mr));
  if (er !== undefined) requests['ephemeral-storage'] = q(mem(er));
  if (cl !== undefined) limits.cpu = q(cpuLim!.amount);
  if (ml !== undefined) limits.memory = q(mem(ml));
  if (el !== undefined) limits['ephemeral-storage'] = q(mem(el));
  if (!Object.keys(requests).length && !Object.keys(limits).length) return undefined;
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}

/** Seconds of a Duration; fractions are kept so the integer check reports them (toSeconds() would throw). */
export function seconds(d: Duration | undefined, dflt: number): number {
  return d === undefined ? dflt : d.toMilliseconds() / 1000;
}

/** Builds one k8s probe with validation. */
export function buildProbe(v: PropValidator, prop: string, probe: Probe, ports: ContainerPortSpec[],
  defaults: Required<Pick<ProbeTimings, never>> & { period: number; failureThreshold: number }): k8s.Probe {
  const t = probe.timings;
  const period = seconds(t.period, defaults.period);
  const timeout = seconds(t.timeout, 3);
  const delay = seconds(t.initialDelay, 0);
  const failureThreshold = t.failureThreshold ?? defaults.failureThreshold;
  v.integer(`${prop}.period`, period, 1, 3600, 'seconds');
  v.integer(`${prop}.timeout`, timeout, 1, 3600, 'seconds');
  v.integer(`${prop}.initialDelay`, delay, 0, 3600, 'seconds');
  v.integer(`${prop}.failureThreshold`, failureThreshold, 1, 1000);
  v.check(timeout <= period, `${prop}.timeout`, `${timeout}s`, `must not exceed the period (${period}s): a probe that takes longer than its period overlaps itself.`);
  const timing = { periodSeconds: period, timeoutSeconds: timeout, initialDelaySeconds: delay || undefined, failureThreshold };
  const check = probe.check;
  const portFor = (name: string | undefined) => {
    if (ports.length === 0) v.fail(`${prop}.port`, name, 'the workload has no ports: use Probe.exec() or give the workload ports.');
    const p = name === undefined ? ports[0] : ports.find(x => x.name === name);
    if (!p) v.fail(`${prop}.port`, name, `no container port has this name; declared ports: ${ports.map(x => x.name).join(', ')}.`);
    return k8s.IntOrString.fromString(p.name);
  };
  switch (check.kind) {
    case 'http':
      v.check(check.path.startsWith('/') && !/\s/.test(check.path), `${prop}.path`, check.path, 'must be an absolute HTTP path such as "/healthz".');
      return { httpGet: { path: check.path, port: portFor(check.port), scheme: check.https ? 'HTTPS' : 'HTTP' }, ...timing };
    case 'tcp':
      return { tcpSocket: { port: portFor(check.port) }, ...timing };
    case 'exec':
      v.check(check.command.length > 0 && check.command.every(c => typeof c === 'string' && c.length > 0), `${prop}.command`, check.command, 'must be a non-empty list of non-empty strings.');
      return { exec: { command: check.command }, ...timing };
  }
}

function defaultProbe(ports: ContainerPortSpec[], healthCheckPath: string | undefined): Probe | undefined {
  if (ports.length === 0) return undefined;
  return healthCheckPath ? Probe.http(healthCheckPath) : Probe.tcp();
}

function resolveProbes(v: PropValidator, input: PodTemplateInput): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const ports = input.ports ?? [];
  const p = input.probes ?? {};
  if (input.healthCheckPath !== undefined) {
    v.check(input.healthCheckPath.startsWith('/') && !/\s/.test(input.healthCheckPath), 'healthCheckPath', input.healthCheckPath, 'must be an absolute HTTP path such as "/healthz".');
  }
  const dflt = defaultProbe(ports, input.healthCheckPath);
  const pick = (x: Probe | false | undefined) => x === false ? undefined : x ?? dflt;
  const readiness = pick(p.readiness);
  const liveness = pick(p.liveness);
  const startup = pick(p.startup);
  return {
    readinessProbe: readiness && buildProbe(v, 'probes.readiness', readiness, ports, { period: 10, failureThreshold: 3 }),
    livenessProbe: liveness && buildProbe(v, 'probes.liveness', liveness, ports, { period: 20, failureThreshold: 3 }),
    startupProbe: startup && buildProbe(v, 'probes.startup', startup, ports, { period: 5, failureThreshold: 30 }),
  };
}

function sha256(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

/**
 * Builds a pod template that passes Pod Security "restricted" and carries the project's defaults:
 * non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root with
 * declared writable emptyDirs, no service account token, soft zone/node spread, pinned image pulled
 * IfNotPresent, config checksum annotation.
 */
export function buildPodTemplate(input: PodTemplateInput): PodTemplateOutput {
  const { v, props, name, scope } = input;
  const idPrefix = input.idPrefix ?? '';
  const runAsUser = props.runAsUser ?? DEFAULT_USER;
  const runAsGroup = props.runAsGroup ?? DEFAULT_USER;
  v.integer('runAsUser', runAsUser, 1, 2147483647, 'Pod Security "restricted" forbids uid 0');
  v.integer('runAsGroup', runAsGroup, 0, 2147483647);

  // --- environment
  const env: k8s.EnvVar[] = [];
  const envNames = new Set<string>();
  for (const [key, value] of Object.entries(props.env ?? {})) {
    v.envName(`env.${key}`, key);
    v.check(typeof value === 'string', `env.${key}`, value, 'must be a string.');
    if ((SECRET_LIKE.test(key) && value !== '') || URL_WITH_PASSWORD.test(value)) {
      v.fail(`env.${key}`, '(value hidden)', `looks like a secret: literal secret values would be written into the manifest in plain text. Use secretEnv: { ${key}: SecretRef.fromSecret('name', 'key') } or SecretRef.fromAwsSecretsManager({ remoteName }) instead.`);
    }
    envNames.add(key);
    env.push({ name: key, value });
  }
  const secretNames: string[] = [];
  const externals: Array<{ envName: string; remoteName: string; property?: string; store: string }> = [];
  for (const [key, ref] of Object.entries(props.secretEnv ?? {})) {
    v.envName(`secretEnv.${key}`, key);
    v.check(!envNames.has(key), `secretEnv.${key}`, key, 'is also set in env: each variable may be set once.');
    envNames.add(key);
    const src = ref?.source;
    if (!src) v.fail(`secretEnv.${key}`, ref, 'must be a SecretRef (SecretRef.fromSecret or SecretRef.fromAwsSecretsManager); literal values are not accepted.');
    if (src.kind === 'secret') {
      v.dnsSubdomain(`secretEnv.${key}.secretName`, src.secretName);
      v.check(typeof src.key === 'string' && /^[-._a-zA-Z0-9]+$/.test(src.key), `secretEnv.${key}.key`, src.key, 'must be a Secret key: letters, digits, "-", "_" and ".".');
      secretNames.push(src.secretName);
      env.push({ name: key, valueFrom: { secretKeyRef: { name: src.secretName, key: src.key } } });
    } else {
      v.check(typeof src.remoteName === 'string' && src.remoteName.length > 0 && src.remoteName.length <= 2048, `secretEnv.${key}.remoteName`, src.remoteName, 'must be the name or ARN of a Secrets Manager secret.');
      const clusterStore = PlatformChart.of(scope).traits.externalSecretStore
        ?? v.fail(`secretEnv.${key}`, `SecretRef.fromAwsSecretsManager(${src.remoteName})`,
          'needs the External Secrets Operator, which this cluster\'s traits do not offer (it is installed on the EKS platform). '
          + 'Use SecretRef.fromSecret() with a Secret you create, or give the traits an externalSecretStore.');
      const prefix = clusterStore.secretNamePrefix;
      if (prefix) {
        const secretName = src.remoteName.startsWith('arn:') ? src.remoteName.replace(/^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:/, '') : src.remoteName;
        v.check(secretName.startsWith(prefix), `secretEnv.${key}.remoteName`, src.remoteName,
          `is outside the secrets the cluster's store may read: name it "${prefix}..." (the operator's IAM role is scoped to that prefix).`);
      }
      const store = src.store ?? clusterStore.name;
      v.dnsSubdomain(`secretEnv.${key}.store`, store);
      externals.push({ envName: key, remoteName: src.remoteName, property: src.property, store });
    }
  }
  let externalSecretName = input.shared?.externalSecretName;
  if (externals.length > 0 && !externalSecretName) {
    const stores = new Set(externals.map(e => e.store));
    v.check(stores.size === 1, 'secretEnv', [...stores], 'all SecretRef.fromAwsSecretsManager references of one workload must use the same store.');
    externalSecretName = `${name}-external`;
    new ApiObject(scope, `${idPrefix}ExternalSecret`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: externalSecretName, labels: { ...input.labels.all, ...props.labels } },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: externals[0].store },
        target: { name: externalSecretName, creationPolicy: 'Owner' },
        data: externals.map(e => ({ secretKey: e.envName, remoteRef: { key: e.remoteName, ...(e.property ? { property: e.property } : {}) } })),
      },
    });
  }
  for (const e of externals) {
    env.push({ name: e.envName, valueFrom: { secretKeyRef: { name: externalSecretName!, key: e.envName } } });
  }

  // --- config
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  let configMapName = input.shared?.configMapName;
  let configChecksum = input.shared?.configChecksum;
  const config = props.config;
  if (config && (config.env || config.files)) {
    for (const key of Object.keys(config.env ?? {})) {
      v.envName(`config.env.${key}`, key);
      if (SECRET_LIKE.test(key)) v.fail(`config.env.${key}`, '(value hidden)', 'looks like a secret: ConfigMaps are not secret. Use secretEnv with a SecretRef.');
      v.check(!envNames.has(key), `config.env.${key}`, key, 'is also set in env or secretEnv: each variable may be set once.');
    }
    for (const file of Object.keys(config.files ?? {})) {
      v.check(/^[-._a-zA-Z0-9]+$/.test(file) && file !== '.' && file !== '..', `config.files.${file}`, file, 'must be a file name of letters, digits, "-", "_" and "." (no directories).');
    }
    v.check(!(config.env && config.files && Object.keys(config.env).some(k => k in config.files!)), 'config', Object.keys(config.env ?? {}), 'env keys and file names must differ (they share one ConfigMap).');
    if (!configMapName) {
      const data = { ...config.env, ...config.files };
      configChecksum = sha256(data);
      configMapName = `${name}-config`;
      new k8s.KubeConfigMap(scope, `${idPrefix}ConfigMap`, {
        metadata: { name: configMapName, labels: { ...input.labels.all, ...props.labels } },
        data,
      });
    }
    // One variable per key (not envFrom): envFrom would also turn every config file into a variable.
    for (const key of Object.keys(config.env ?? {})) {
      env.push({ name: key, valueFrom: { configMapKeyRef: { name: configMapName, key } } });
    }
    if (config.files && Object.keys(config.files).length) {
      const mountPath = v.absolutePath('config.mountPath', config.mountPath ?? `/etc/${name}`);
      volumes.push({ name: 'config', configMap: { name: configMapName, items: Object.keys(config.files).map(k => ({ key: k, path: k })) } });
      mounts.push({ name: 'config', mountPath, readOnly: true });
    }
  }

  // --- secret files
  (props.secretFiles ?? []).forEach((s, i) => {
    v.dnsSubdomain(`secretFiles[${i}].secretName`, s.secretName);
    const mountPath = v.absolutePath(`secretFiles[${i}].mountPath`, s.mountPath);
    secretNames.push(s.secretName);
    volumes.push({ name: `secret-${i}`, secret: { secretName: s.secretName, defaultMode: 0o440 } });
    mounts.push({ name: `secret-${i}`, mountPath, readOnly: true });
  });

  // --- writable paths
  const writable = props.writablePaths ?? ['/tmp'];
  writable.forEach((p, i) => {
    v.absolutePath(`writablePaths[${i}]`, p);
    volumes.push({ name: `writable-${i}`, emptyDir: {} });
    mounts.push({ name: `writable-${i}`, mountPath: p });
  });
  for (const m of input.extraMounts ?? []) mounts.push({ name: m.name, mountPath: m.mountPath });
  v.unique('writablePaths', mounts.map(m => m.mountPath), 'mount path');

  // --- command
  for (const [prop, list] of [['command', props.command], ['args', props.args]] as const) {
    if (list !== undefined) v.check(Array.isArray(list) && list.every(x => typeof x === 'string'), prop, list, 'must be a list of strings.');
  }

  const annotations: Record<string, string> = { ...props.podAnnotations };
  if (configChecksum) annotations['checksum/config'] = configChecksum;
  if (props.podAnnotations) for (const k of Object.keys(props.podAnnotations)) v.labelKey(`podAnnotations.${k}`, k);

  const labels = { ...props.labels, ...input.labels.all };
  const grace = props.terminationGracePeriod === undefined ? undefined : props.terminationGracePeriod.toMilliseconds() / 1000;
  if (grace !== undefined) v.integer('terminationGracePeriod', grace, 0, 86400, 'seconds');
  const nodeSelector = props.nodeSelector;
  if (nodeSelector) {
    for (const [k, val] of Object.entries(nodeSelector)) {
      v.labelKey(`nodeSelector.${k}`, k);
      v.labelValue(`nodeSelector.${k}`, val);
    }
  }

  const container: k8s.Container = {
    name,
    image: imageString(input.image),
    imagePullPolicy: 'IfNotPresent',
    command: props.command,
    args: props.args,
    ports: input.ports?.length ? input.ports.map(p => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) : undefined,
    env: env.length ? env : undefined,
    resources: buildResources(v, props.resources),
    volumeMounts: mounts.length ? mounts : undefined,
    securityContext: {
      runAsNonRoot: true,
      runAsUser,
      runAsGroup,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...resolveProbes(v, input),
  };

  const spread = props.topologySpread ?? true;
  const template: k8s.PodTemplateSpec = {
    metadata: { labels, annotations: Object.keys(annotations).length ? annotations : undefined },
    spec: {
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      serviceAccountName: props.serviceAccountName,
      enableServiceLinks: false,
      restartPolicy: input.restartPolicy,
      terminationGracePeriodSeconds: grace,
      nodeSelector,
      securityContext: {
        runAsNonRoot: true,
        runAsUser,
        runAsGroup,
        fsGroup: runAsGroup,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [container],
      volumes: volumes.length ? volumes : undefined,
      topologySpreadConstraints: spread ? [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: input.labels.selector } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: input.labels.selector } },
      ] : undefined,
    },
  };
  if (props.serviceAccountName !== undefined) v.dnsSubdomain('serviceAccountName', props.serviceAccountName);
  return { template, shared: { configMapName, configChecksum, externalSecretName }, secretNames };
}

/** The image string as written to the manifest. */
export function imageString(image: ImageRef): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
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
