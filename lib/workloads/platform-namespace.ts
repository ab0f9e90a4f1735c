import { Chart, JsonPatch, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Cpu } from './cpu';
import { freeId } from './private/construct-id';
import { checkMember } from './private/fixed-set';
import { MANAGED_BY } from './private/labels';
import { k8s } from './private/plus';
import { countQuantity, cpuQuantity, sizeQuantity } from './private/quantity';
import { PropValidator } from './private/validate';

/** A Pod Security Standards level (the `pod-security.kubernetes.io/*` namespace labels). A string enum; the value is the label value. */
export enum PodSecurityLevel {
  /** Hardened pods only: what every workload of this library produces (the default). */
  RESTRICTED = 'restricted',
  /** Blocks known privilege escalations only (for third-party software that cannot run restricted). */
  BASELINE = 'baseline',
  /** Unrestricted (system components such as CNI or storage drivers only). */
  PRIVILEGED = 'privileged',
}

/** A ResourceQuota: totals the namespace's pods may not exceed together. Unset fields are not limited. */
export interface NamespaceQuota {
  /**
   * Sum of CPU requests.
   * @default - not limited
   */
  readonly cpuRequests?: Cpu;
  /**
   * Sum of CPU limits. Every pod must then declare a CPU limit: set `limits.defaultCpuLimit` too, because the
   * workloads of this library set no CPU limit by default.
   * @default - not limited
   */
  readonly cpuLimits?: Cpu;
  /**
   * Sum of memory requests.
   * @default - not limited
   */
  readonly memoryRequests?: Size;
  /**
   * Sum of memory limits.
   * @default - not limited
   */
  readonly memoryLimits?: Size;
  /**
   * Sum of storage requested by volume claims.
   * @default - not limited
   */
  readonly storageRequests?: Size;
  /**
   * Number of pods.
   * @default - not limited
   */
  readonly pods?: number;
  /**
   * Number of Services.
   * @default - not limited
   */
  readonly services?: number;
  /**
   * Number of Services of type LoadBalancer (each one is a cloud load balancer that costs money).
   * @default - not limited
   */
  readonly loadBalancers?: number;
  /**
   * Number of PersistentVolumeClaims.
   * @default - not limited
   */
  readonly persistentVolumeClaims?: number;
}

/** A LimitRange for containers: defaults for containers that declare nothing, and bounds. */
export interface ContainerLimits {
  /**
   * CPU request of containers that declare none.
   * @default - none
   */
  readonly defaultCpuRequest?: Cpu;
  /**
   * CPU limit of containers that declare none.
   * @default - none
   */
  readonly defaultCpuLimit?: Cpu;
  /**
   * Memory request of containers that declare none.
   * @default - none
   */
  readonly defaultMemoryRequest?: Size;
  /**
   * Memory limit of containers that declare none.
   * @default - none
   */
  readonly defaultMemoryLimit?: Size;
  /**
   * Largest CPU limit a container may declare.
   * @default - no bound
   */
  readonly maxCpu?: Cpu;
  /**
   * Largest memory limit a container may declare.
   * @default - no bound
   */
  readonly maxMemory?: Size;
}

/** Props of a {@link PlatformNamespace}. */
export interface PlatformNamespaceProps {
  /**
   * Name of the namespace (a DNS-1123 label).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Pod Security level enforced by admission. `audit` and `warn` are always `restricted`, so anything weaker
   * shows up in warnings and audit logs.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Version of the Pod Security Standards enforced (`enforce-version`): pinned so a cluster upgrade never
   * starts rejecting running workloads; `audit`/`warn` use `latest` to show what a newer version would say.
   * @default 'v1.28'
   */
  readonly podSecurityVersion?: string;
  /**
   * Extra labels of the Namespace.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * A NetworkPolicy that selects every pod of the namespace and allows no ingress: pods then receive only
   * what another policy allows (the workloads of this library write their own).
   * @default false
   */
  readonly defaultDenyIngress?: boolean;
  /**
   * A NetworkPolicy that denies all egress except DNS to kube-system (UDP/TCP 53). Outgoing calls then need
   * rules: `NetworkRules` writes the egress side automatically for namespaces where this is on.
   * @default false
   */
  readonly defaultDenyEgress?: boolean;
  /**
   * A ResourceQuota.
   * @default - none
   */
  readonly quota?: NamespaceQuota;
  /**
   * A LimitRange for containers.
   * @default - none
   */
  readonly limits?: ContainerLimits;
}

const PLATFORM_NAMESPACE = Symbol.for('cdk-k8s-platform.PlatformNamespace');

/**
 * A Namespace labelled for Pod Security admission (`enforce: restricted` by default), with optional
 * default-deny NetworkPolicies, a ResourceQuota and a LimitRange.
 *
 * The Namespace is cluster-scoped: it never carries `metadata.namespace`, even inside a chart that has a
 * `namespace`. Its policies, quota and limits are written into the namespace itself. The usual layout is a
 * chart for namespaces that the workload charts depend on:
 *
 * ```ts
 * const base = new Chart(app, 'namespaces');
 * const shop = new PlatformNamespace(base, 'shop', { defaultDenyIngress: true });
 * const workloads = new PlatformChart(app, 'shop', { traits, namespace: shop.name });
 * workloads.addDependency(base);
 * ```
 */
export class PlatformNamespace extends Construct {
  /** True if `x` is a PlatformNamespace (works across copies of this library). */
  public static isPlatformNamespace(x: unknown): x is PlatformNamespace {
    return typeof x === 'object' && x !== null && PLATFORM_NAMESPACE in x;
  }

  /** The PlatformNamespace named `name` in the app that holds `scope`, if any. */
  public static find(scope: IConstruct, name: string): PlatformNamespace | undefined {
    return scope.node.root.node.findAll().find((c): c is PlatformNamespace => PlatformNamespace.isPlatformNamespace(c) && c.name === name);
  }

  /** Name of the namespace. */
  public readonly name: string;
  /** The Pod Security level enforced. */
  public readonly podSecurity: PodSecurityLevel;
  /** Whether egress is denied by default (outgoing calls need NetworkRules). */
  public readonly defaultDenyEgress: boolean;
  /** Whether ingress is denied by default. */
  public readonly defaultDenyIngress: boolean;
  /** The Namespace (L1 escape hatch). */
  public readonly namespace: k8s.KubeNamespace;
  /** The default-deny ingress NetworkPolicy, when enabled. */
  public readonly denyIngressPolicy?: k8s.KubeNetworkPolicy;
  /** The default-deny egress NetworkPolicy (allowing DNS), when enabled. */
  public readonly denyEgressPolicy?: k8s.KubeNetworkPolicy;
  /** The ResourceQuota, when given. */
  public readonly resourceQuota?: k8s.KubeResourceQuota;
  /** The LimitRange, when given. */
  public readonly limitRange?: k8s.KubeLimitRange;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps = {}) {
    super(scope, freeId(scope, id, 'PlatformNamespace'));
    Object.defineProperty(this, PLATFORM_NAMESPACE, { value: true });
    const v = new PropValidator(this, 'PlatformNamespace');
    this.name = v.dnsLabel('name', props.name ?? id);
    v.check(!this.name.startsWith('kube-'), 'name', this.name, 'must not start with "kube-": that prefix is reserved for Kubernetes system namespaces.');
    const other = this.node.root.node.findAll().find(c => c !== this && PlatformNamespace.isPlatformNamespace(c) && c.name === this.name);
    if (other) v.fail('name', this.name, `is already defined by ${other.node.path}: each namespace may be defined once per app.`);

    const level = checkMember(v, 'podSecurity', props.podSecurity, 'PodSecurityLevel', PodSecurityLevel, PodSecurityLevel.RESTRICTED);
    this.podSecurity = level;
    const version = props.podSecurityVersion ?? 'v1.28';
    v.check(typeof version === 'string' && /^(latest|v1\.[0-9]{1,2})$/.test(version), 'podSecurityVersion', version, 'must be "latest" or a Kubernetes minor version such as "v1.28".');
    const labels: Record<string, string> = {};
    for (const [k, val] of Object.entries(props.labels ?? {})) {
      v.labelKey(`labels.${k}`, k);
      v.labelValue(`labels.${k}`, val);
      v.check(!k.startsWith('pod-security.kubernetes.io/') && k !== 'kubernetes.io/metadata.name', `labels.${k}`, k,
        'is managed by the construct (use podSecurity / podSecurityVersion) or by Kubernetes.');
      labels[k] = val;
    }
    Object.assign(labels, {
      'app.kubernetes.io/managed-by': MANAGED_BY,
      'pod-security.kubernetes.io/enforce': level,
      'pod-security.kubernetes.io/enforce-version': version,
      'pod-security.kubernetes.io/audit': PodSecurityLevel.RESTRICTED,
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': PodSecurityLevel.RESTRICTED,
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
    this.namespace = new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: this.name, labels } });
    // cdk8s puts the chart's namespace on every object; a Namespace is cluster-scoped and must have none
    if (Chart.of(this).namespace !== undefined) this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    const meta = (name: string): k8s.ObjectMeta => ({ name, namespace: this.name, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } });
    this.defaultDenyIngress = props.defaultDenyIngress ?? false;
    this.defaultDenyEgress = props.defaultDenyEgress ?? false;
    if (this.defaultDenyIngress) {
      this.denyIngressPolicy = new k8s.KubeNetworkPolicy(this, 'DenyIngress', {
        metadata: meta('default-deny-ingress'),
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    }
    if (this.defaultDenyEgress) {
      const dns = [53].flatMap(port => ['UDP', 'TCP'].map(protocol => ({ protocol, port: k8s.IntOrString.fromNumber(port) })));
      this.denyEgressPolicy = new k8s.KubeNetworkPolicy(this, 'DenyEgress', {
        metadata: meta('default-deny-egress'),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{
            to: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            }],
            ports: dns,
          }],
        },
      });
    }

    if (props.quota) {
      const q = props.quota;
      const hard: Record<string, k8s.Quantity> = {};
      const put = (key: string, value: string | undefined) => { if (value !== undefined) hard[key] = k8s.Quantity.fromString(value); };
      put('requests.cpu', q.cpuRequests && cpuQuantity(v, 'quota.cpuRequests', q.cpuRequests).quantity);
      put('limits.cpu', q.cpuLimits && cpuQuantity(v, 'quota.cpuLimits', q.cpuLimits).quantity);
      put('requests.memory', q.memoryRequests && sizeQuantity(v, 'quota.memoryRequests', q.memoryRequests).quantity);
      put('limits.memory', q.memoryLimits && sizeQuantity(v, 'quota.memoryLimits', q.memoryLimits).quantity);
      put('requests.storage', q.storageRequests && sizeQuantity(v, 'quota.storageRequests', q.storageRequests).quantity);
      put('pods', q.pods === undefined ? undefined : countQuantity(v, 'quota.pods', q.pods));
      put('services', q.services === undefined ? undefined : countQuantity(v, 'quota.services', q.services));
      put('services.loadbalancers', q.loadBalancers === undefined ? undefined : countQuantity(v, 'quota.loadBalancers', q.loadBalancers));
      put('persistentvolumeclaims', q.persistentVolumeClaims === undefined ? undefined : countQuantity(v, 'quota.persistentVolumeClaims', q.persistentVolumeClaims));
      v.check(Object.keys(hard).length > 0, 'quota', q, 'sets no limit: give at least one field, or leave quota unset.');
      if (q.cpuLimits !== undefined) {
        v.check(props.limits?.defaultCpuLimit !== undefined, 'quota.cpuLimits', q.cpuLimits.amount,
          'makes every pod declare a CPU limit, and the workloads of this library set none by default: also set limits.defaultCpuLimit (or drop quota.cpuLimits).');
      }
      this.resourceQuota = new k8s.KubeResourceQuota(this, 'Quota', { metadata: meta('quota'), spec: { hard } });
    }

    if (props.limits) {
      const l = props.limits;
      const cpu = (prop: string, c: Cpu | undefined) => c && cpuQuantity(v, `limits.${prop}`, c);
      const mem = (prop: string, s: Size | undefined) => s && sizeQuantity(v, `limits.${prop}`, s);
      const dReqCpu = cpu('defaultCpuRequest', l.defaultCpuRequest);
      const dLimCpu = cpu('defaultCpuLimit', l.defaultCpuLimit);
      const maxCpu = cpu('maxCpu', l.maxCpu);
      const dReqMem = mem('defaultMemoryRequest', l.defaultMemoryRequest);
      const dLimMem = mem('defaultMemoryLimit', l.defaultMemoryLimit);
      const maxMem = mem('maxMemory', l.maxMemory);
      const notAbove = (prop: string, a: { quantity: string; n: number } | undefined, bProp: string, b: { quantity: string; n: number } | undefined) => {
        if (a && b) v.check(a.n <= b.n, `limits.${prop}`, a.quantity, `must not exceed limits.${bProp} (${b.quantity}).`);
      };
      const c = (x?: { quantity: string; millis: number }) => x && { quantity: x.quantity, n: x.millis };
      const m = (x?: { quantity: string; kib: number }) => x && { quantity: x.quantity, n: x.kib };
      notAbove('defaultCpuRequest', c(dReqCpu), 'defaultCpuLimit', c(dLimCpu));
      notAbove('defaultCpuLimit', c(dLimCpu), 'maxCpu', c(maxCpu));
      notAbove('defaultCpuRequest', c(dReqCpu), 'maxCpu', c(maxCpu));
      notAbove('defaultMemoryRequest', m(dReqMem), 'defaultMemoryLimit', m(dLimMem));
      notAbove('defaultMemoryLimit', m(dLimMem), 'maxMemory', m(maxMem));
      notAbove('defaultMemoryRequest', m(dReqMem), 'maxMemory', m(maxMem));
      const pair = (cpuQ?: { quantity: string }, memQ?: { quantity: string }) => {
        const r: Record<string, k8s.Quantity> = {};
        if (cpuQ) r.cpu = k8s.Quantity.fromString(cpuQ.quantity);
        if (memQ) r.memory = k8s.Quantity.fromString(memQ.quantity);
        return Object.keys(r).length ? r : undefined;
      };
      const item: k8s.LimitRangeItem = {
        type: 'Container',
        defaultRequest: pair(dReqCpu, dReqMem),
        default: pair(dLimCpu, dLimMem),
        max: pair(maxCpu, maxMem),
      };
      v.check(item.defaultRequest !== undefined || item.default !== undefined || item.max !== undefined, 'limits', l, 'sets nothing: give at least one field, or leave limits unset.');
      this.limitRange = new k8s.KubeLimitRange(this, 'Limits', { metadata: meta('container-limits'), spec: { limits: [item] } });
    }
  }
}
