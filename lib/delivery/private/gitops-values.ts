import { parseImage } from '../../workloads/private/image';
import { PropValidator } from '../../workloads/private/validate';
import type { GitOpsChartValues, GitOpsWorkloadValues } from '../gitops-helm-chart';
import { WorkloadDefaults } from './gitops-templating';

type Json = Record<string, unknown>;

/** An environment's name: it names the file `values-<name>.yaml`. */
const ENVIRONMENT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The image patterns of the workloads' own check (lib/workloads/private/image.ts), for values.schema.json. */
const REPOSITORY = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]{1,2}[a-z0-9]+|-+[a-z0-9]+)*)*$';
const TAG = '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$';
const DIGEST = '^(sha256:[a-f0-9]{64})?$';
const MAX_REPLICAS = 1000;

/** values.yaml's content: every workload's image, replicas and HPA bounds as the code sets them. */
export function defaultValues(workloads: ReadonlyMap<string, WorkloadDefaults>): Json {
  const out: Json = {};
  for (const w of workloads.values()) {
    out[w.key] = {
      image: { repository: w.image.repository, tag: w.image.tag ?? '', digest: w.image.digest ?? '' },
      ...(w.replicaCount !== undefined ? { replicaCount: w.replicaCount } : {}),
      ...(w.autoscaling ? { autoscaling: { ...w.autoscaling } } : {}),
    };
  }
  return { workloads: out };
}

/** values.schema.json: Helm checks every values file against it (`helm install -f`, `helm lint`, Argo CD). */
export function valuesSchema(workloads: ReadonlyMap<string, WorkloadDefaults>): Json {
  const properties: Json = {};
  for (const w of workloads.values()) {
    properties[w.key] = closed({
      image: closed({
        repository: { type: 'string', minLength: 1, pattern: REPOSITORY },
        tag: { type: 'string', pattern: TAG },
        digest: { type: 'string', pattern: DIGEST },
      }, ['repository']),
      ...(w.replicaCount !== undefined ? { replicaCount: { type: 'integer', minimum: 0, maximum: MAX_REPLICAS } } : {}),
      ...(w.autoscaling ? {
        autoscaling: closed({
          ...(w.autoscaling.minReplicas !== undefined ? { minReplicas: { type: 'integer', minimum: 1, maximum: MAX_REPLICAS } } : {}),
          maxReplicas: { type: 'integer', minimum: 1, maximum: MAX_REPLICAS },
        }, ['maxReplicas']),
      } : {}),
    }, ['image']);
  }
  return {
    title: 'Values of a chart written by cdk-k8s-platform (GitOpsHelmChart)',
    type: 'object',
    properties: { workloads: closed(properties, [...workloads.keys()]), global: { type: 'object' } },
    required: ['workloads'],
    additionalProperties: false,
  };
}

function closed(properties: Json, required: string[]): Json {
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * Checks an environment's values against the chart's workloads: the name, every key (a workload, and what
 * that workload has), and the merged result (a valid image, minReplicas ≤ maxReplicas).
 */
export function checkEnvironment(v: PropValidator, env: string, values: GitOpsChartValues, workloads: ReadonlyMap<string, WorkloadDefaults>): void {
  v.check(typeof env === 'string' && env.length <= 50 && ENVIRONMENT.test(env), 'environments', env,
    'each environment name must be a DNS-1123 label of at most 50 characters (lowercase letters, digits and \'-\', e.g. "prod"): it names the file values-<name>.yaml.');
  const prop = `environments.${env}`;
  onlyKeys(v, prop, values, ['workloads'], 'an environment\'s values hold "workloads" only (the shape of values.yaml)');
  const given = values.workloads ?? {};
  v.check(typeof given === 'object' && given !== null && !Array.isArray(given), `${prop}.workloads`, given, 'must be an object keyed by workload name.');
  const names = [...workloads.keys()].map(k => `"${k}"`).join(', ') || 'none';
  for (const [key, w] of Object.entries(given)) {
    const defaults = workloads.get(key);
    if (!defaults) v.fail(`${prop}.workloads`, key, `names no workload of this chart: the workloads are ${names}.`);
    checkWorkload(v, `${prop}.workloads.${key}`, w, defaults);
  }
}

function checkWorkload(v: PropValidator, prop: string, w: GitOpsWorkloadValues, defaults: WorkloadDefaults): void {
  const allowed = ['image', ...(defaults.replicaCount !== undefined ? ['replicaCount'] : []), ...(defaults.autoscaling ? ['autoscaling'] : [])];
  const why = defaults.autoscaling ? `${defaults.kind} ${defaults.key} is scaled by an HorizontalPodAutoscaler: set autoscaling.minReplicas / maxReplicas, not replicaCount`
    : `${defaults.kind} ${defaults.key} takes ${allowed.map(k => `"${k}"`).join(' and ')}`;
  onlyKeys(v, prop, w, allowed, why);
  if (w.image !== undefined) {
    onlyKeys(v, `${prop}.image`, w.image, ['repository', 'tag', 'digest'], 'an image has "repository", "tag" and "digest"');
    const image = { ...defaults.image, ...w.image };
    const text = `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
    parseImage(v, `${prop}.image`, text);
  }
  if (w.replicaCount !== undefined) v.integer(`${prop}.replicaCount`, w.replicaCount, 0, MAX_REPLICAS);
  if (w.autoscaling !== undefined) {
    onlyKeys(v, `${prop}.autoscaling`, w.autoscaling, ['minReplicas', 'maxReplicas'], 'autoscaling has "minReplicas" and "maxReplicas"');
    const merged = { ...defaults.autoscaling, ...w.autoscaling };
    if (w.autoscaling.minReplicas !== undefined) v.integer(`${prop}.autoscaling.minReplicas`, w.autoscaling.minReplicas, 1, MAX_REPLICAS);
    if (w.autoscaling.maxReplicas !== undefined) v.integer(`${prop}.autoscaling.maxReplicas`, w.autoscaling.maxReplicas, 1, MAX_REPLICAS);
    v.check((merged.minReplicas ?? 1) <= merged.maxReplicas!, `${prop}.autoscaling.minReplicas`, merged.minReplicas,
      `must not exceed maxReplicas (${merged.maxReplicas}): lower minReplicas or raise maxReplicas.`);
  }
}

function onlyKeys(v: PropValidator, prop: string, value: unknown, allowed: string[], why: string): void {
  v.check(typeof value === 'object' && value !== null && !Array.isArray(value), prop, value, `must be an object: ${why}.`);
  for (const key of Object.keys(value as Json)) {
    if (!allowed.includes(key)) v.fail(`${prop}.${key}`, (value as Json)[key], `is not a value of this chart: ${why}.`);
  }
}
