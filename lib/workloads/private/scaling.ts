import { Construct } from 'constructs';
import { k8s } from './plus';
import { seconds } from './pod-template';
import { PropValidator } from './validate';
import { AutoscalingOptions } from '../autoscaling';
import { ContainerResources } from '../container-resources';
import { DisruptionBudget } from '../disruption-budget';

/**
 * The replica bounds of autoscaling options with their defaults: 2 to 10, the minimum lowered to a smaller
 * given maximum and the maximum raised to a larger given minimum, so a default never contradicts a value
 * the user wrote.
 */
export function autoscalingBounds(a: AutoscalingOptions): { min: number; max: number } {
  const min = a.minReplicas ?? Math.min(2, a.maxReplicas ?? 2);
  const max = a.maxReplicas ?? Math.max(10, min);
  return { min, max };
}

/** A HorizontalPodAutoscaler (autoscaling/v2) for a workload, validated. */
export function buildHpa(scope: Construct, v: PropValidator, name: string, metadata: k8s.ObjectMeta,
  target: { kind: string; name: string }, a: AutoscalingOptions, resources: ContainerResources | undefined, id = 'Autoscaler'): k8s.KubeHorizontalPodAutoscalerV2 {
  const { min, max } = autoscalingBounds(a);
  v.integer('autoscaling.minReplicas', min, 1, 1000);
  v.integer('autoscaling.maxReplicas', max, 1, 1000);
  v.check(min <= max, 'autoscaling.minReplicas', min, `must not exceed autoscaling.maxReplicas (${max}).`);
  const cpu = a.cpuUtilization ?? (a.memoryUtilization === undefined ? 70 : undefined);
  const metrics: k8s.MetricSpecV2[] = [];
  if (cpu !== undefined) {
    v.percent('autoscaling.cpuUtilization', cpu);
    v.check(resources?.cpuRequest !== false, 'autoscaling.cpuUtilization', cpu, 'needs a CPU request (utilisation is a percentage of it): do not set resources.cpuRequest to false.');
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
  }
  if (a.memoryUtilization !== undefined) {
    v.percent('autoscaling.memoryUtilization', a.memoryUtilization);
    v.check(resources?.memoryRequest !== false, 'autoscaling.memoryUtilization', a.memoryUtilization, 'needs a memory request (utilisation is a percentage of it): do not set resources.memoryRequest to false.');
    metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.memoryUtilization } } });
  }
  const down = seconds(a.scaleDownStabilization, 300);
  const up = seconds(a.scaleUpStabilization, 0);
  const pct = a.scaleDownPercentPerMinute ?? 50;
  v.integer('autoscaling.scaleDownStabilization', down, 0, 3600, 'seconds');
  v.integer('autoscaling.scaleUpStabilization', up, 0, 3600, 'seconds');
  v.percent('autoscaling.scaleDownPercentPerMinute', pct);
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
    metadata: { ...metadata, name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: target.kind, name: target.name },
      minReplicas: min,
      maxReplicas: max,
      metrics,
      behavior: {
        scaleDown: { stabilizationWindowSeconds: down, policies: [{ type: 'Percent', value: pct, periodSeconds: 60 }] },
        scaleUp: { stabilizationWindowSeconds: up },
      },
    },
  });
}

function checkBudgetValue(v: PropValidator, prop: string, value: number | string, replicas: number | undefined): k8s.IntOrString {
  if (typeof value === 'number') {
    v.integer(prop, value, 0, 100000);
    if (prop.endsWith('maxUnavailable')) {
      v.check(value >= 1, prop, value, 'must be at least 1, or no node could ever be drained (use DisruptionBudget.none() for no budget).');
    }
    if (prop.endsWith('minAvailable') && replicas !== undefined && replicas > 0) {
      v.check(value < replicas, prop, value, `must be below the replica count (${replicas}), or no node could ever be drained.`);
    }
    return k8s.IntOrString.fromNumber(value);
  }
  const m = /^([0-9]{1,3})%$/.exec(value);
  v.check(m !== null && Number(m[1]) <= 100, prop, value, 'must be a whole number or a percentage such as "25%".');
  const pct = Number(m![1]);
  v.check(prop.endsWith('maxUnavailable') ? pct > 0 : pct < 100, prop, value,
    'would block every voluntary disruption (node drains and upgrades would hang): use a smaller minAvailable or a larger maxUnavailable.');
  return k8s.IntOrString.fromString(value);
}

/** A PodDisruptionBudget, unless `DisruptionBudget.none()`. */
export function buildPdb(scope: Construct, v: PropValidator, metadata: k8s.ObjectMeta, selector: Record<string, string>,
  budget: DisruptionBudget | undefined, replicas: number | undefined, id = 'DisruptionBudget'): k8s.KubePodDisruptionBudget | undefined {
  const spec = (budget ?? DisruptionBudget.maxUnavailable(1)).spec;
  if (spec.maxUnavailable === undefined && spec.minAvailable === undefined) return undefined;
  if (replicas === 0) return undefined;
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata,
    spec: {
      selector: { matchLabels: selector },
      maxUnavailable: spec.maxUnavailable !== undefined ? checkBudgetValue(v, 'disruptionBudget.maxUnavailable', spec.maxUnavailable, replicas) : undefined,
      minAvailable: spec.minAvailable !== undefined ? checkBudgetValue(v, 'disruptionBudget.minAvailable', spec.minAvailable, replicas) : undefined,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
