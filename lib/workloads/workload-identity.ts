import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformChart } from './platform-chart';
import { MANAGED_BY } from './private/labels';
import { PropValidator } from './private/validate';

/**
 * A Kubernetes ServiceAccount that a cluster can give AWS credentials to (the Kubernetes half of a
 * workload identity). {@link WorkloadIdentity} is the library's; any object with the namespace and name of an
 * existing ServiceAccount also is one.
 */
export interface IWorkloadIdentity {
  /** Namespace of the ServiceAccount (`default` when the chart has none). */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly serviceAccountName: string;
}

/** Props of a {@link WorkloadIdentity}. */
export interface WorkloadIdentityProps {
  /**
   * Name of the ServiceAccount (a DNS-1123 subdomain of at most 100 characters), unique in the namespace.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Extra labels of the ServiceAccount.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Label that marks the ServiceAccounts of workload identities (value: `true`). */
export const WORKLOAD_IDENTITY_LABEL = 'platform.cdk-k8s.io/workload-identity';

/**
 * The identity a workload runs as: its own ServiceAccount, with `automountServiceAccountToken: false` (a pod
 * that calls the Kubernetes API asks for the token with the workload's `automountServiceAccountToken`).
 * Workloads name it with `identity`; the cluster turns it into AWS credentials: on EKS an IAM role and an EKS
 * Pod Identity association (`cluster.workloadIdentity(identity)` is the `iam.IGrantable` to grant to, e.g.
 * `bucket.grantRead(cluster.workloadIdentity(orders))`). The pods get the credentials through a projected token
 * of their own, not the ServiceAccount token, so they stay under Pod Security "restricted".
 *
 * @example
 * const orders = new WorkloadIdentity(chart, 'orders');
 * new WebService(chart, 'api', { image: 'acme/orders:1.4.2', identity: orders, ports: [{ name: 'http', port: 8080 }] });
 */
export class WorkloadIdentity extends Construct implements IWorkloadIdentity {
  /** True if `x` is a WorkloadIdentity of any copy of this library. */
  public static isWorkloadIdentity(x: unknown): x is WorkloadIdentity {
    return typeof x === 'object' && x !== null && (x as { [IS_IDENTITY]?: unknown })[IS_IDENTITY] === true;
  }

  /** Name of the ServiceAccount. */
  public readonly serviceAccountName: string;
  /** Namespace of the ServiceAccount (the chart's, `default` when it has none). */
  public readonly namespace: string;
  /** The ServiceAccount object. */
  public readonly serviceAccount: ApiObject;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps = {}) {
    super(scope, id);
    Object.defineProperty(this, IS_IDENTITY, { value: true });
    const v = new PropValidator(this, 'WorkloadIdentity');
    const name = props.name ?? id;
    v.dnsSubdomain('name', name);
    v.check(name.length <= 100, 'name', name, 'must be at most 100 characters (EKS Pod Identity limits service account names).');
    const chart = Chart.of(this);
    this.namespace = chart.namespace ?? 'default';
    this.serviceAccountName = name;
    const names = IDENTITIES.get(chart) ?? new Map<string, WorkloadIdentity>();
    IDENTITIES.set(chart, names);
    const clash = names.get(name);
    if (clash) {
      v.fail('name', name, `is also the name of workload identity ${clash.node.path} in namespace "${this.namespace}": `
        + 'one ServiceAccount per name; share that identity between the workloads, or give this one another name.');
    }
    names.set(name, this);
    for (const [k, val] of Object.entries(props.labels ?? {})) {
      v.labelKey(`labels.${k}`, k);
      v.labelValue(`labels.${k}`, val);
    }
    const partOf = (chart as Partial<PlatformChart>).partOf;
    this.serviceAccount = new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name,
        labels: {
          ...props.labels,
          'app.kubernetes.io/name': name,
          'app.kubernetes.io/component': 'identity',
          ...(partOf ? { 'app.kubernetes.io/part-of': partOf } : {}),
          'app.kubernetes.io/managed-by': MANAGED_BY,
          [WORKLOAD_IDENTITY_LABEL]: 'true',
        },
      },
      automountServiceAccountToken: false,
    });
  }
}

const IS_IDENTITY = Symbol.for('cdk-k8s-platform.WorkloadIdentity');
/** The identities of each chart by name (a name clash is found without walking the chart). */
const IDENTITIES = new WeakMap<Chart, Map<string, WorkloadIdentity>>();
