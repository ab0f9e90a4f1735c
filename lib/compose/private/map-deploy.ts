import { KeyPath } from './compose-source';
import { Findings } from './findings';
import { Call, PlanValue } from './plan';
import { sizeBytes } from './units';

const MIB = 1024 * 1024;
const DEFAULT_MEMORY_REQUEST = 128;
const DEFAULT_MEMORY_LIMIT = 256;
const DEFAULT_CPU_REQUEST = 100;

const DEPLOY_KEYS: Record<string, string> = {
  mode: '`global` (one per node) would be a DaemonSet, which this library does not build',
  endpoint_mode: 'Services balance over ready pods (vip); dnsrr is a headless Service',
  labels: 'swarm service labels: give pod annotations with `annotations`',
  rollback_config: 'a Deployment rolls back with `kubectl rollout undo`',
  update_config: 'a Deployment rolls 25% at a time, nothing unavailable (ReleaseStrategy.rolling())',
  restart_policy: 'pods of a Deployment or StatefulSet always restart',
  placement: 'node constraints and preferences: give `nodeSelector` in the generated code',
};

function millicores(f: Findings, at: KeyPath, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    f.error(at, `is ${JSON.stringify(value)}: CPUs are a positive number such as 0.5.`);
    return undefined;
  }
  return Math.max(1, Math.round(n * 1000));
}

function mebibytes(f: Findings, at: KeyPath, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const bytes = sizeBytes(value);
  if (bytes === undefined || bytes <= 0) {
    f.error(at, `is ${JSON.stringify(value)}, not a size: write it like "512m" or "1g".`);
    return undefined;
  }
  return Math.ceil(bytes / MIB);
}

/** `deploy.resources`, `cpus`, `mem_limit`, `mem_reservation` → the `resources` prop; undefined keeps the defaults. */
export function mapResources(f: Findings, service: KeyPath, spec: Record<string, unknown>): PlanValue | undefined {
  const res = ((spec.deploy as Record<string, unknown> | undefined)?.resources ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const at = [...service, 'deploy', 'resources'];
  const cpuLimit = millicores(f, [...at, 'limits', 'cpus'], res.limits?.cpus) ?? millicores(f, [...service, 'cpus'], spec.cpus);
  const memLimit = mebibytes(f, [...at, 'limits', 'memory'], res.limits?.memory) ?? mebibytes(f, [...service, 'mem_limit'], spec.mem_limit);
  let cpuRequest = millicores(f, [...at, 'reservations', 'cpus'], res.reservations?.cpus);
  let memRequest = mebibytes(f, [...at, 'reservations', 'memory'], res.reservations?.memory) ?? mebibytes(f, [...service, 'mem_reservation'], spec.mem_reservation);
  for (const key of ['pids', 'devices', 'generic_resources']) {
    for (const side of ['limits', 'reservations']) {
      if (res[side]?.[key] !== undefined) f.warn([...at, side, key], 'is not mapped: pods get PIDs from the kubelet and devices from device plugins.');
    }
  }
  if (cpuRequest === undefined && cpuLimit !== undefined && cpuLimit < DEFAULT_CPU_REQUEST) cpuRequest = cpuLimit;
  if (memRequest === undefined && memLimit !== undefined && memLimit < DEFAULT_MEMORY_REQUEST) memRequest = memLimit;
  let limit = memLimit;
  if (limit === undefined && memRequest !== undefined && memRequest > DEFAULT_MEMORY_LIMIT) {
    f.info([...at, 'reservations', 'memory'], `is above the default memory limit (${DEFAULT_MEMORY_LIMIT}Mi): the limit is set to the reservation.`);
    limit = memRequest;
  }
  const out: Record<string, PlanValue> = {};
  if (cpuRequest !== undefined) out.cpuRequest = new Call('Cpu.millis', [cpuRequest]);
  if (cpuLimit !== undefined) out.cpuLimit = new Call('Cpu.millis', [cpuLimit]);
  if (memRequest !== undefined) out.memoryRequest = new Call('Size.mebibytes', [memRequest]);
  if (limit !== undefined) out.memoryLimit = new Call('Size.mebibytes', [limit]);
  return Object.keys(out).length ? out : undefined;
}

/** `deploy.replicas` or `scale` → replicas; the other deploy keys are reported. */
export function mapReplicas(f: Findings, service: KeyPath, spec: Record<string, unknown>): number | undefined {
  const deploy = (spec.deploy ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(deploy)) {
    if (key in DEPLOY_KEYS && !(key === 'mode' && deploy.mode === 'replicated')) f.warn([...service, 'deploy', key], `is not mapped: ${DEPLOY_KEYS[key]}.`);
  }
  const at = deploy.replicas !== undefined ? [...service, 'deploy', 'replicas'] : [...service, 'scale'];
  const replicas = deploy.replicas ?? spec.scale;
  if (replicas === undefined) return undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 1) {
    f.warn(at, `is ${JSON.stringify(replicas)}: a workload runs at least one replica, so the default is used. Leave the service out to not run it.`);
    return undefined;
  }
  return replicas;
}
