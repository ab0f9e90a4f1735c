import { ComposeDiagnostic } from '../compose-diagnostic';

/** The public factories a plan may call; the builder and the code generator both know exactly these. */
export type Factory =
  | 'Cpu.millis' | 'Size.mebibytes' | 'Size.gibibytes' | 'Duration.seconds'
  | 'Probe.exec' | 'Probe.http' | 'Probe.tcp' | 'SecretRef.fromSecret' | 'Callers.only';

/** A call of a public factory, e.g. `Cpu.millis(250)`. */
export class Call {
  constructor(public readonly factory: Factory, public readonly args: readonly PlanValue[]) {}
}

/** A member of a public string enum, e.g. `ServiceType.LOAD_BALANCER`. */
export class EnumMember {
  constructor(public readonly enumName: 'ServiceType' | 'Protocol', public readonly member: string) {}
}

/** A workload of the same plan, by service name. */
export class WorkloadRef {
  constructor(public readonly service: string) {}
}

/** A value of a construct's props. Objects keep their key order (it is the order of the generated code). */
export type PlanValue = string | number | boolean | Call | EnumMember | WorkloadRef | readonly PlanValue[] | { readonly [key: string]: PlanValue };

/** The construct of a workload. */
export type WorkloadKind = 'WebService' | 'Worker' | 'StatefulService';

/** One Compose service, as the construct that replaces it. */
export interface WorkloadPlan {
  /** The Compose service name. */
  readonly service: string;
  /** Construct id and workload name: a DNS-1123 label. */
  readonly id: string;
  /** The TypeScript variable of the generated code. */
  readonly variable: string;
  readonly kind: WorkloadKind;
  /** The props, in the order they are written. */
  readonly props: { readonly [key: string]: PlanValue };
  /** What was not mapped, as comment lines above the construct in the generated code. */
  readonly notes: readonly string[];
}

/** "`from` may call `to`": a rule of the NetworkRules construct. */
export interface PlanRule {
  readonly from: string;
  readonly to: string;
}

/** What a Compose file becomes: consumed by both the builder (constructs) and the code generator (TypeScript). */
export interface ComposePlan {
  /** The Compose file, as given. */
  readonly file: string;
  readonly workloads: readonly WorkloadPlan[];
  /** Who may call whom when networks restrict it; empty when every service may call every other. */
  readonly rules: readonly PlanRule[];
  /** Everything reported on the way. */
  readonly diagnostics: readonly ComposeDiagnostic[];
}

/** Construct id of the NetworkRules of a plan. */
export const NETWORK_RULES_ID = 'compose-networks';
