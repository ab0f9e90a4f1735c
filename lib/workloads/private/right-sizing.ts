import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkMember } from './fixed-set';
import { k8s } from './plus';
import { cpuQuantity, sizeQuantity } from './quantity';
import { PropValidator } from './validate';
import { AutoscalingOptions } from '../autoscaling';
import { PlatformChart } from '../platform-chart';
import { RightSizedResource, RightSizingMode, RightSizingOptions } from '../right-sizing';

/** The resources an HPA scales on (CPU unless only a memory target is given). */
function hpaResources(a: AutoscalingOptions | undefined): RightSizedResource[] {
  if (!a) return [];
  const out: RightSizedResource[] = [];
  if (a.cpuUtilization !== undefined || a.memoryUtilization === undefined) out.push(RightSizedResource.CPU);
  if (a.memoryUtilization !== undefined) out.push(RightSizedResource.MEMORY);
  return out;
}

/** The min/max bounds of the VPA, checked. */
function bounds(v: PropValidator, o: RightSizingOptions, which: 'min' | 'max'): Record<string, string> | undefined {
  const cpu = which === 'min' ? o.minCpu : o.maxCpu;
  const memory = which === 'min' ? o.minMemory : o.maxMemory;
  const out: Record<string, string> = {};
  if (cpu !== undefined) out.cpu = cpuQuantity(v, `rightSizing.${which}Cpu`, cpu).quantity;
  if (memory !== undefined) out.memory = sizeQuantity(v, `rightSizing.${which}Memory`, memory).quantity;
  return Object.keys(out).length ? out : undefined;
}

/** What {@link checkOptions} returns. */
interface CheckedOptions {
  readonly mode: RightSizingMode;
  readonly resources: RightSizedResource[];
}

/** The VPA's mode and resources, checked against the HPA of the same workload. */
function checkOptions(v: PropValidator, o: RightSizingOptions, autoscaling: AutoscalingOptions | undefined): CheckedOptions {
  v.check(typeof o === 'object' && o !== null, 'rightSizing', o, 'must be right-sizing options, e.g. { mode: RightSizingMode.OFF }.');
  const mode = checkMember(v, 'rightSizing.mode', o.mode, 'RightSizingMode', RightSizingMode, RightSizingMode.OFF);
  const given = o.controlledResources ?? [RightSizedResource.CPU, RightSizedResource.MEMORY];
  v.check(Array.isArray(given) && given.length > 0, 'rightSizing.controlledResources', given, 'must list at least one of RightSizedResource.CPU and RightSizedResource.MEMORY.');
  const resources = given.map((r, i) => checkMember(v, `rightSizing.controlledResources[${i}]`, r, 'RightSizedResource', RightSizedResource));
  v.unique('rightSizing.controlledResources', resources, 'resource');
  if (mode === RightSizingMode.OFF) return { mode, resources };
  for (const r of hpaResources(autoscaling).filter(x => resources.includes(x))) {
    const rest = resources.filter(x => x !== r);
    const fix = rest.length
      ? `set rightSizing.controlledResources to [${rest.map(x => `RightSizedResource.${x.toUpperCase()}`).join(', ')}]`
      : `set rightSizing.controlledResources to the resource autoscaling does not use (autoscaling.${r === RightSizedResource.CPU ? 'memory' : 'cpu'}Utilization)`;
    v.fail('rightSizing.controlledResources', resources, `lets the Vertical Pod Autoscaler set ${r} requests (mode ${mode}) while autoscaling scales on ${r} utilisation, `
      + `a percentage of that request: the two would chase each other. Either ${fix}, or use mode RightSizingMode.OFF for recommendations only, or give fixed replicas instead of autoscaling.`);
  }
  return { mode, resources };
}

/**
 * A VerticalPodAutoscaler for a workload, validated; a synth warning when the cluster's traits say no VPA runs
 * (read at synth, after add-ons have set the traits).
 */
export function buildVpa(scope: Construct, v: PropValidator, metadata: k8s.ObjectMeta, target: { kind: string; name: string },
  o: RightSizingOptions, autoscaling: AutoscalingOptions | undefined): ApiObject {
  const { mode, resources } = checkOptions(v, o, autoscaling);
  const minAllowed = bounds(v, o, 'min');
  const maxAllowed = bounds(v, o, 'max');
  const vpa = new ApiObject(scope, 'RightSizing', {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata,
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: target.kind, name: target.name },
      updatePolicy: { updateMode: mode },
      resourcePolicy: { containerPolicies: [{ containerName: '*', controlledResources: resources, minAllowed, maxAllowed }] },
    },
  });
  const chart = PlatformChart.of(scope);
  scope.node.addValidation({
    validate: () => {
      if (!chart.traits.verticalPodAutoscaler) warnNoVpa(scope);
      return [];
    },
  });
  return vpa;
}

/** Metadata type of the warnings of this library's cdk8s constructs. */
export const WARNING_METADATA = 'cdk-k8s-platform:warning';

function warnNoVpa(scope: Construct): void {
  const message = `[${scope.node.path}] rightSizing: the cluster's traits say no Vertical Pod Autoscaler runs (traits.verticalPodAutoscaler is false), `
    + 'so the VerticalPodAutoscaler object will do nothing. Install VerticalPodAutoscalerAddOn on the cluster, or remove rightSizing.';
  if (scope.node.metadata.some(m => m.type === WARNING_METADATA && m.data === message)) return;
  scope.node.addMetadata(WARNING_METADATA, message);
  process.emitWarning(message, 'RightSizingWarning');
}
