import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IWorkloadSelector } from './network-access';
import { PlatformNamespace } from './platform-namespace';
import { MANAGED_BY } from './private/labels';
import { checkSelector } from './private/network-policy';
import { k8s } from './private/plus';
import { podSelectors } from './private/pod-selectors';
import { selectorNamespace } from './private/selector-namespace';
import { PropValidator } from './private/validate';
import { StatefulService } from './stateful-service';
import { WebService } from './web-service';
import { Worker } from './worker';

/** A port that a rule opens. */
export class NetworkPort {
  /** A TCP port. */
  public static tcp(port: number): NetworkPort {
    return new NetworkPort(port, 'TCP');
  }

  /** A UDP port. */
  public static udp(port: number): NetworkPort {
    return new NetworkPort(port, 'UDP');
  }

  private constructor(
    /** The port number: a Service port or a container port of the target. */
    public readonly port: number,
    /** TCP or UDP. */
    public readonly protocol: string,
  ) {}
}

/** "`from` may call `to` on `ports`". */
export interface TrafficRule {
  /** The calling workload. */
  readonly from: IWorkloadSelector;
  /** The called workload. */
  readonly to: IWorkloadSelector;
  /**
   * Ports of `to`. For workloads of this library, Service ports are translated to the container ports the
   * NetworkPolicy must name (a WebService's port 80 becomes its targetPort 8080).
   * @default - every port of `to` (required when `to` is not a workload of this library)
   */
  readonly ports?: NetworkPort[];
}

/** Props of {@link NetworkRules}. */
export interface NetworkRulesProps {
  /**
   * The rules; more can be added with `allow()`.
   * @default - none
   */
  readonly rules?: TrafficRule[];
  /**
   * Also write the egress side (a policy on the caller allowing the call). Needed only where egress is
   * denied by default: an egress policy isolates the caller's egress to what policies allow.
   * @default - written when the caller's namespace is a PlatformNamespace of this app with `defaultDenyEgress`
   */
  readonly egress?: boolean;
}

interface Port { readonly port: number; readonly protocol: string }

/** The workload a rule's policy applies to, and the policy's name for its stable pods. */
interface PolicyTarget {
  readonly direction: 'Ingress' | 'Egress';
  readonly name: string;
  readonly owner: IWorkloadSelector;
  readonly ownerName: string;
  readonly namespace: string | undefined;
}

const CLAIMS = new WeakMap<IConstruct, Map<string, string>>();

function workloadName(x: IWorkloadSelector): string {
  const name = (x as { name?: unknown }).name;
  if (typeof name === 'string' && name.length > 0) return name;
  const label = x.selectorLabels['app.kubernetes.io/name'];
  if (label) return label.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'pods';
  return `pods-${createHash('sha256').update(JSON.stringify(x.selectorLabels)).digest('hex').slice(0, 8)}`;
}

/**
 * The name of a workload's further pod set `i` in its policies' names: the pods' instance label (`web-canary`),
 * else the workload's name and the index.
 */
function podSetName(labels: Record<string, string>, workload: string, i: number): string {
  const instance = labels['app.kubernetes.io/instance'];
  return instance && instance !== workload && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(instance) ? instance : `${workload}-${i}`;
}

/**
 * Typed "service A may call service B on port P" rules. Each rule writes a NetworkPolicy on B admitting A's
 * pods (with a namespace selector when they are in different namespaces), and, where egress is denied by
 * default, a NetworkPolicy on A allowing the call out.
 *
 * Policies add up: a rule opens B to A in addition to B's own `callers`. A target whose callers are
 * `Callers.any()` is refused, because its first policy would close it to everyone else.
 */
export class NetworkRules extends Construct {
  /** Every NetworkPolicy written so far (ingress and egress). */
  public readonly policies: k8s.KubeNetworkPolicy[] = [];
  private readonly v: PropValidator;
  private readonly egress?: boolean;
  private readonly chartNamespace?: string;
  private readonly skippedEgress: Array<{ namespace: string; prop: string }> = [];
  private count = 0;

  constructor(scope: Construct, id: string, props: NetworkRulesProps = {}) {
    super(scope, id);
    this.v = new PropValidator(this, 'NetworkRules');
    this.egress = props.egress;
    this.chartNamespace = Chart.of(this).namespace;
    for (const rule of props.rules ?? []) this.add(rule, `rules[${this.count}]`);
    // a PlatformNamespace with defaultDenyEgress created after the rules would silently break the calls
    this.node.addValidation({
      validate: () => this.skippedEgress
        .filter(s => PlatformNamespace.find(this, s.namespace)?.defaultDenyEgress)
        .map(s => `${s.prop}: namespace "${s.namespace}" denies egress by default but no egress policy was written, because its PlatformNamespace was created after these NetworkRules. Create the PlatformNamespace first, or set egress: true.`),
    });
  }

  /** `from` may call `to` on `ports` (default: every port of `to`). */
  public allow(from: IWorkloadSelector, to: IWorkloadSelector, ...ports: NetworkPort[]): this {
    this.add({ from, to, ports: ports.length ? ports : undefined }, `allow[${this.count}]`);
    return this;
  }

  /** `metadata.namespace` of a policy: cdk8s would put the chart's namespace on an object without one. */
  private metadataNamespace(ns: string | undefined): string | undefined {
    return ns ?? (this.chartNamespace !== undefined ? 'default' : undefined);
  }

  private namespaceOf(x: IWorkloadSelector): string | undefined {
    return selectorNamespace(x, this.chartNamespace);
  }

  private add(rule: TrafficRule, prop: string): void {
    const v: PropValidator = this.v;
    this.count++;
    for (const side of ['from', 'to'] as const) {
      checkSelector(v, `${prop}.${side}`, rule?.[side], 'a workload (WebService, StatefulService, Worker) or an IWorkloadSelector with selector labels');
    }
    const { from, to } = rule;
    if ((to instanceof WebService || to instanceof StatefulService || to instanceof Worker) && to.networkPolicy === undefined) {
      v.fail(`${prop}.to`, to.node.path, 'admits anyone (its callers are Callers.any()), so a rule would close it to every other caller: give it callers (e.g. Callers.sameNamespace()) or drop the rule.');
    }
    const ports = this.resolvePorts(prop, to, rule.ports);
    const fromNs = this.namespaceOf(from);
    const toNs = this.namespaceOf(to);
    const sameNs = (fromNs ?? 'default') === (toNs ?? 'default');
    const fromName = workloadName(from);
    const toName = workloadName(to);
    const policyPorts = ports.map(p => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }));
    // every pod set of each side: a workload's candidate pods (canary, A/B, shadow) are another instance
    const peers = (x: IWorkloadSelector, ns: string | undefined): k8s.NetworkPolicyPeer[] => podSelectors(x).map(labels => (sameNs
      ? { podSelector: { matchLabels: labels } }
      : { podSelector: { matchLabels: labels }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns ?? 'default' } } }));

    const ingressName = sameNs ? `${toName}-from-${fromName}` : `${toName}-from-${fromNs ?? 'default'}-${fromName}`;
    this.writePolicies(prop, { direction: 'Ingress', name: ingressName, owner: to, ownerName: toName, namespace: toNs },
      { from: peers(from, fromNs), ports: policyPorts }, [from, to]);

    const egress = this.egress ?? (PlatformNamespace.find(this, fromNs ?? 'default')?.defaultDenyEgress ?? false);
    if (!egress) {
      if (this.egress === undefined) this.skippedEgress.push({ namespace: fromNs ?? 'default', prop });
      return;
    }
    const egressName = sameNs ? `${fromName}-to-${toName}` : `${fromName}-to-${toNs ?? 'default'}-${toName}`;
    this.writePolicies(prop, { direction: 'Egress', name: egressName, owner: from, ownerName: fromName, namespace: fromNs },
      { to: peers(to, toNs), ports: policyPorts }, [from, to]);
  }

  /**
   * Writes one policy of a rule per pod set of the workload it applies to (`owner`): `name` for its pods, and for
   * its candidate's pods the name with the candidate's instance (`web-canary-from-api`).
   */
  private writePolicies(prop: string, p: PolicyTarget, rule: k8s.NetworkPolicyIngressRule | k8s.NetworkPolicyEgressRule,
    [from, to]: [IWorkloadSelector, IWorkloadSelector]): void {
    podSelectors(p.owner).forEach((pods, i) => {
      const name = i === 0 ? p.name : `${podSetName(pods, p.ownerName, i)}${p.name.slice(p.ownerName.length)}`;
      this.claim(prop, p.namespace, name, from, to);
      this.policies.push(new k8s.KubeNetworkPolicy(this, i === 0 ? `${p.direction}${this.count}` : `${p.direction}${this.count}-${i}`, {
        metadata: { name, namespace: this.metadataNamespace(p.namespace), labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } },
        spec: {
          podSelector: { matchLabels: pods },
          policyTypes: [p.direction],
          ...(p.direction === 'Ingress' ? { ingress: [rule as k8s.NetworkPolicyIngressRule] } : { egress: [rule as k8s.NetworkPolicyEgressRule] }),
        },
      }));
    });
  }

  /** Ports of the rule as container ports of `to`. */
  private resolvePorts(prop: string, to: IWorkloadSelector, ports: NetworkPort[] | undefined): Port[] {
    const v: PropValidator = this.v;
    const known = to instanceof WebService || to instanceof StatefulService || to instanceof Worker
      ? to.ports.map(p => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol }))
      : undefined;
    if (ports === undefined || ports.length === 0) {
      if (!known) v.fail(`${prop}.ports`, ports, 'are required when the target is not a workload of this library: list them, e.g. NetworkPort.tcp(5432).');
      v.check(known.length > 0, `${prop}.ports`, ports, 'cannot default: the target declares no ports, so nothing can call it.');
      return dedupe(known.map(p => ({ port: p.targetPort, protocol: p.protocol })));
    }
    const targets = known;
    return dedupe(ports.map((p, i) => {
      const given = p as Port | undefined;
      v.check(typeof given?.port === 'number' && typeof given?.protocol === 'string', `${prop}.ports[${i}]`, p, 'must be a NetworkPort (NetworkPort.tcp(8080)).');
      v.port(`${prop}.ports[${i}]`, p.port);
      if (!targets) return { port: p.port, protocol: p.protocol };
      const match = targets.find(k => k.port === p.port && k.protocol === p.protocol)
        ?? targets.find(k => k.targetPort === p.port && k.protocol === p.protocol);
      if (!match) {
        const list = targets.map(k => `${k.name} ${k.port}${k.port !== k.targetPort ? `→${k.targetPort}` : ''}/${k.protocol}`).join(', ');
        return v.fail(`${prop}.ports[${i}]`, `${p.port}/${p.protocol}`, `is not a port of the target; its ports are: ${list || 'none'}.`);
      }
      return { port: match.targetPort, protocol: match.protocol };
    }));
  }

  private claim(prop: string, namespace: string | undefined, name: string, from: IWorkloadSelector, to: IWorkloadSelector): void {
    this.v.check(name.length <= 253, prop, name, 'makes a NetworkPolicy name longer than 253 characters: use shorter workload names.');
    const root = this.node.root;
    let claims = CLAIMS.get(root);
    if (!claims) {
      claims = new Map();
      CLAIMS.set(root, claims);
    }
    const key = `${namespace ?? 'default'}/${name}`;
    const previous = claims.get(key);
    if (previous !== undefined) {
      this.v.fail(prop, `${workloadName(from)} → ${workloadName(to)}`, `repeats the rule at ${previous}: give all ports of a caller/target pair in one rule.`);
    }
    claims.set(key, `${this.node.path} ${prop}`);
  }
}

function dedupe(ports: Port[]): Port[] {
  const seen = new Set<string>();
  return ports.filter(p => {
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
