import { Duration, Size } from 'cdk8s';
import { Call, ComposePlan, EnumMember, Factory, NETWORK_RULES_ID, PlanValue, WorkloadRef } from './plan';
import { AssumptionError } from '../../errors';
import { Cpu } from '../../workloads/cpu';
import { Callers } from '../../workloads/network-access';
import { NetworkRules } from '../../workloads/network-rules';
import { PlatformChart } from '../../workloads/platform-chart';
import { Probe } from '../../workloads/probe';
import { Protocol } from '../../workloads/protocol';
import { SecretRef } from '../../workloads/secret-ref';
import { ServiceType } from '../../workloads/service-type';
import { StatefulService, StatefulServiceProps } from '../../workloads/stateful-service';
import { WebService, WebServiceProps } from '../../workloads/web-service';
import { Worker, WorkerProps } from '../../workloads/worker';

/** A workload the importer builds. */
export type ComposeWorkload = WebService | Worker | StatefulService;

/* eslint-disable @typescript-eslint/no-explicit-any */
const FACTORIES: Record<Factory, (...args: any[]) => unknown> = {
  'Cpu.millis': (n: number) => Cpu.millis(n),
  'Size.mebibytes': (n: number) => Size.mebibytes(n),
  'Size.gibibytes': (n: number) => Size.gibibytes(n),
  'Duration.seconds': (n: number) => Duration.seconds(n),
  'Probe.exec': (command: string[], timings?: object) => Probe.exec(command, timings),
  'Probe.http': (p: string, options?: object) => Probe.http(p, options),
  'Probe.tcp': (options?: object) => Probe.tcp(options),
  'SecretRef.fromSecret': (name: string, key: string) => SecretRef.fromSecret(name, key),
  'Callers.only': (...workloads: ComposeWorkload[]) => Callers.only(...workloads),
};
/* eslint-enable @typescript-eslint/no-explicit-any */

const ENUMS = { ServiceType, Protocol } as const;

/** A plan value as the object the generated code would make. */
function evaluate(value: PlanValue, built: ReadonlyMap<string, ComposeWorkload>): unknown {
  if (value instanceof Call) return FACTORIES[value.factory](...value.args.map(a => evaluate(a, built)));
  if (value instanceof EnumMember) return (ENUMS[value.enumName] as Record<string, unknown>)[value.member];
  if (value instanceof WorkloadRef) {
    const w = built.get(value.service);
    if (!w) throw new AssumptionError(`plan refers to ${value.service} before it is built`);
    return w;
  }
  if (Array.isArray(value)) return value.map(v => evaluate(v, built));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, built)]));
  return value;
}

/** The constructs of a plan, in `chart`: exactly what the generated code builds. */
export function buildPlan(chart: PlatformChart, plan: ComposePlan): { workloads: Map<string, ComposeWorkload>; networkRules?: NetworkRules } {
  const built = new Map<string, ComposeWorkload>();
  for (const w of plan.workloads) {
    const props = evaluate(w.props, built);
    switch (w.kind) {
      case 'WebService': built.set(w.service, new WebService(chart, w.id, props as WebServiceProps)); break;
      case 'StatefulService': built.set(w.service, new StatefulService(chart, w.id, props as StatefulServiceProps)); break;
      case 'Worker': built.set(w.service, new Worker(chart, w.id, props as WorkerProps)); break;
    }
  }
  if (plan.rules.length === 0) return { workloads: built };
  const rules = plan.rules.map(r => ({ from: built.get(r.from)!, to: built.get(r.to)! }));
  return { workloads: built, networkRules: new NetworkRules(chart, NETWORK_RULES_ID, { rules }) };
}
