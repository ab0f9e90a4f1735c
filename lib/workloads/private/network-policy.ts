import { Construct } from 'constructs';
import { k8s } from './plus';
import { podSelectors } from './pod-selectors';
import { selectorNamespace } from './selector-namespace';
import { PropValidator } from './validate';
import { Callers, IWorkloadSelector } from '../network-access';
import { PlatformChart } from '../platform-chart';

/** Input of {@link buildNetworkPolicy}. */
export interface NetworkPolicyInput {
  readonly metadata: k8s.ObjectMeta;
  readonly selector: Record<string, string>;
  readonly namespace?: string;
  readonly callers: Callers;
  readonly ports: ReadonlyArray<{ port: number; protocol: string }>;
  readonly fromIngressController: boolean;
}

/**
 * An ingress NetworkPolicy for a workload: the allowed callers, plus the ingress controller (or the load
 * balancer's addresses) when the workload is exposed. `Callers.any()` writes no policy.
 */
export function buildNetworkPolicy(scope: Construct, v: PropValidator, chart: PlatformChart, input: NetworkPolicyInput): k8s.KubeNetworkPolicy | undefined {
  const c = input.callers;
  if (!c || c.mode === 'any') return undefined;
  const ports = input.ports.map(p => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }));
  const from: k8s.NetworkPolicyPeer[] = [];
  if (c.mode === 'same-namespace') from.push({ podSelector: {} });
  c.workloads.forEach((w, i) => {
    checkSelector(v, `callers[${i}]`, w);
    const callerNs = selectorNamespace(w, chart.namespace) ?? 'default';
    const sameNs = callerNs === (input.namespace ?? chart.namespace ?? 'default');
    // a caller's candidate pods (canary, A/B, shadow) are another instance: each label set is a peer
    for (const labels of podSelectors(w)) {
      from.push(sameNs
        ? { podSelector: { matchLabels: labels } }
        : { podSelector: { matchLabels: labels }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': callerNs } } });
    }
  });
  const ingress: k8s.NetworkPolicyIngressRule[] = [];
  if (from.length) ingress.push({ from, ports });
  if (input.fromIngressController) {
    const src = chart.traits.ingressTrafficSource;
    if (!src) {
      ingress.push({ ports });
    } else {
      const peers: k8s.NetworkPolicyPeer[] = [];
      if (src.namespace || src.podLabels) {
        peers.push({
          podSelector: { matchLabels: src.podLabels ?? {} },
          namespaceSelector: src.namespace ? { matchLabels: { 'kubernetes.io/metadata.name': src.namespace } } : {},
        });
      }
      for (const cidr of src.cidrs ?? []) peers.push({ ipBlock: { cidr } });
      ingress.push(peers.length ? { from: peers, ports } : { ports });
    }
  }
  return new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
    metadata: input.metadata,
    spec: {
      podSelector: { matchLabels: input.selector },
      policyTypes: ['Ingress'],
      ingress,
    },
  });
}

const nonEmptyLabels = (x: unknown): boolean => typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length > 0;

/**
 * Checks a workload selector named in a NetworkPolicy: selector labels, and additional ones that are each a
 * non-empty set (an empty set would select every pod of the namespace).
 */
export function checkSelector(v: PropValidator, prop: string, w: IWorkloadSelector | undefined, what = 'a workload (or an IWorkloadSelector with selector labels)'): void {
  v.check(!!w && nonEmptyLabels(w.selectorLabels), prop, w, `must be ${what}.`);
  const more: unknown = w!.additionalSelectorLabels;
  if (more === undefined) return;
  v.check(Array.isArray(more) && more.every(nonEmptyLabels), `${prop}.additionalSelectorLabels`, more,
    'must be a list of non-empty label sets (an empty set would select every pod of the namespace).');
}
