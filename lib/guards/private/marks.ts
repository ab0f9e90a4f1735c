import { CfnResource } from 'aws-cdk-lib';

/** Construct metadata type the ReplacementGuard reads on a resource. */
export const GUARD_METADATA = 'cdk-k8s-platform:guard';

/** What a resource is, for the ReplacementGuard (CDK metadata: in the cloud assembly, never in AWS). */
export interface GuardMark {
  /**
   * `rolling-node-group`: a self-managed node group (or its launch template) with a rolling update and a
   * drain before termination: a change rolls the nodes one at a time instead of replacing them at once.
   * `cluster-token`: a Secrets Manager secret whose generated value every node of a cluster joins with.
   * `workload-release`: the Helm release of a workload delivery (`release` says which charts it holds).
   */
  readonly role: 'rolling-node-group' | 'cluster-token' | 'workload-release';
  /** For a `workload-release`: the release, its delivery (the addWorkloads id) and the charts in it. */
  readonly release?: WorkloadRelease;
  /**
   * For a `rolling-node-group`: the library's pinned release of each Kubernetes minor version (`1.34` →
   * `K3sVersion.V1_34_12`), named in the message that refuses a skipped minor version.
   */
  readonly upgradePath?: Readonly<Record<string, string>>;
}

/** A Helm release of a workload delivery, as the ReplacementGuard records it. */
export interface WorkloadRelease {
  /** The Helm release name. */
  readonly name: string;
  /** The delivery's id (the addWorkloads id). */
  readonly delivery: string;
  /** The construct ids of the charts the release holds. */
  readonly charts: readonly string[];
  /** The delivery's own release (the chart named like the delivery, `sharedReleaseCharts`), not a chart's. */
  readonly shared: boolean;
  /**
   * The StatefulSets in the release (`namespace/name`) → the fields the API server keeps immutable, described
   * (`claim data: 10Gi, class gp3, ReadWriteOnce; serviceName db; ...`): Helm cannot upgrade a StatefulSet
   * whose description changes. Absent in lock files written before it was recorded.
   */
  readonly statefulSets?: Readonly<Record<string, string>>;
}

/** Marks `resource` for the ReplacementGuard. */
export function markForGuard(resource: CfnResource, mark: GuardMark): void {
  resource.node.addMetadata(GUARD_METADATA, mark);
}

/** The guard mark of `resource`, if any. */
export function guardMarkOf(resource: CfnResource): GuardMark | undefined {
  const entry = resource.node.metadata.find(m => m.type === GUARD_METADATA);
  return entry?.data as GuardMark | undefined;
}

/** Tag on a self-managed node group: the distribution's release its nodes run (`v1.33.1+k3s1`, `1.33.1`). */
export const KUBERNETES_VERSION_TAG = 'platform.cdk-k8s.io/kubernetes-version';
