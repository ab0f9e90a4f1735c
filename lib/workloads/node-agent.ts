import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NamedPort } from './named-port';
import { Callers, IWorkloadSelector } from './network-access';
import { PlatformChart } from './platform-chart';
import { PlatformNamespace, PodSecurityLevel } from './platform-namespace';
import { buildNetworkPolicy } from './private/network-policy';
import { k8s } from './private/plus';
import { containerPorts, policyPorts, resolvePorts, ResolvedPort } from './private/ports';
import { buildVpa } from './private/right-sizing';
import { PropValidator } from './private/validate';
import { ProbeOptions } from './probe';
import { RightSizingOptions } from './right-sizing';
import { WorkloadBase } from './workload-base';
import { ContainerWorkloadProps } from './workload-props';

/** A directory of the node mounted into a node agent (host access: needs a privileged namespace). */
export interface HostPathMount {
  /** Absolute path on the node, e.g. '/var/log'. */
  readonly hostPath: string;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /**
   * Mount it read-only.
   * @default true
   */
  readonly readOnly?: boolean;
}

/** Props of a {@link NodeAgent}. */
export interface NodeAgentProps extends ContainerWorkloadProps {
  /**
   * Container ports (e.g. a metrics port).
   * @default - none
   */
  readonly ports?: NamedPort[];
  /**
   * HTTP path of a health endpoint on the first port; the default probes use it.
   * @default - TCP probes on the first port, or no probes without ports
   */
  readonly healthCheckPath?: string;
  /**
   * Probes.
   * @default - derived from the first port and `healthCheckPath`; none without ports
   */
  readonly probes?: ProbeOptions;
  /**
   * Who may connect to the agent's `ports` (a NetworkPolicy). Needs `ports` unless `Callers.any()`.
   * @default - nobody: a NetworkPolicy denies all ingress to the agent's pods
   */
  readonly callers?: Callers;
  /**
   * Directories of the node to mount (log collectors, node exporters). Host access: refused unless the chart's
   * namespace is a PlatformNamespace with `podSecurity: PodSecurityLevel.PRIVILEGED`.
   * @default - none (the agent runs under Pod Security "restricted")
   */
  readonly hostPaths?: HostPathMount[];
  /**
   * Use the node's network (host access, as `hostPaths`).
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * Nodes whose agent may be down at once during an update.
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * Right-sizing by the Vertical Pod Autoscaler (a VerticalPodAutoscaler object; the VPA must run on the cluster).
   * @default - none
   */
  readonly rightSizing?: RightSizingOptions;
}

/**
 * An agent on every node (a log shipper, a metrics exporter): a DaemonSet with the same secure pod defaults as
 * every workload (Pod Security "restricted" unless host access is asked for and the namespace allows it) and a
 * NetworkPolicy that denies all ingress unless callers are given. It has no PodDisruptionBudget (draining a
 * node does not evict DaemonSet pods) and no topology spread (one pod per node). Refused where the cluster's
 * traits say DaemonSets cannot run (`daemonSetSupport`, false on an all-Fargate EKS cluster).
 */
export class NodeAgent extends WorkloadBase implements IWorkloadSelector {
  /** The DaemonSet (L1 escape hatch). */
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** The NetworkPolicy, unless callers is `Callers.any()`. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The VerticalPodAutoscaler, when `rightSizing` is given. */
  public readonly rightSizing?: ApiObject;
  /** The resolved container ports. */
  public readonly ports: ReadonlyArray<ResolvedPort>;

  constructor(scope: Construct, id: string, props: NodeAgentProps) {
    super(scope, id, props, 'NodeAgent', 'agent');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    v.check(chart.traits.daemonSetSupport, 'traits', 'daemonSetSupport: false',
      'this cluster cannot run DaemonSets (its pods run on EKS Fargate, which has no nodes of yours): run the agent as a sidecar of the workloads that need it, or add an EC2 node group.');
    const ports = resolvePorts(v, 'ports', props.ports ?? [], { required: false, mapped: false });
    this.ports = ports;
    if (props.callers !== undefined && props.callers.mode !== 'any') {
      v.check(ports.length > 0, 'callers', props.callers.mode, 'needs ports: an agent without ports receives no connections. Declare the ports callers use, or leave callers unset.');
    }
    const hostPaths = checkHostAccess(v, chart, this, props);
    const pod = this.buildPod({
      ports: containerPorts(ports),
      probes: props.probes,
      healthCheckPath: props.healthCheckPath,
      extraMounts: hostPaths.map((h, i) => ({ name: `host-${i}`, mountPath: h.mountPath })),
      spread: false,
    });
    const spec = pod.template.spec!;
    const template: k8s.PodTemplateSpec = hostPaths.length === 0 && !props.hostNetwork ? pod.template : {
      ...pod.template,
      spec: {
        ...spec,
        hostNetwork: props.hostNetwork || undefined,
        volumes: [...spec.volumes ?? [], ...hostPaths.map((h, i) => ({ name: `host-${i}`, hostPath: { path: h.hostPath, type: 'Directory' } }))],
        containers: [{
          ...spec.containers[0],
          volumeMounts: (spec.containers[0].volumeMounts ?? []).map(m => {
            const i = /^host-(\d+)$/.exec(m.name);
            return i ? { ...m, readOnly: hostPaths[Number(i[1])].readOnly ?? true } : m;
          }),
        }],
      },
    };
    this.daemonSet = new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: this.metadata(),
      spec: {
        selector: { matchLabels: this.selectorLabels },
        revisionHistoryLimit: 5,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(v.integer('maxUnavailable', props.maxUnavailable ?? 1, 1, 1000)) } },
        template,
      },
    });
    if (props.rightSizing) this.rightSizing = buildVpa(this, v, this.metadata(), { kind: 'DaemonSet', name: this.name }, props.rightSizing, undefined);
    this.networkPolicy = buildNetworkPolicy(this, v, chart, {
      metadata: this.metadata(),
      selector: this.selectorLabels,
      namespace: this.namespace,
      callers: props.callers ?? Callers.only(),
      ports: policyPorts(ports),
      fromIngressController: false,
    });
  }
}

/** Host paths and host network need a namespace whose Pod Security level is privileged. */
function checkHostAccess(v: PropValidator, chart: PlatformChart, scope: Construct, props: NodeAgentProps): HostPathMount[] {
  const hostPaths = props.hostPaths ?? [];
  v.check(Array.isArray(hostPaths), 'hostPaths', hostPaths, 'must be a list of { hostPath, mountPath } mounts.');
  hostPaths.forEach((h, i) => {
    v.absolutePath(`hostPaths[${i}].hostPath`, h?.hostPath);
    v.absolutePath(`hostPaths[${i}].mountPath`, h.mountPath);
  });
  if (hostPaths.length === 0 && !props.hostNetwork) return hostPaths;
  const ns = chart.namespace === undefined ? undefined : PlatformNamespace.find(scope, chart.namespace);
  if (ns?.podSecurity !== PodSecurityLevel.PRIVILEGED) {
    const where = ns ? `namespace "${ns.name}" enforces "${ns.podSecurity}"` : `namespace "${chart.namespace ?? 'default'}" is not a PlatformNamespace of this app`;
    const prop = hostPaths.length ? 'hostPaths' : 'hostNetwork';
    v.fail(prop, hostPaths.length ? hostPaths.map(h => h.hostPath) : props.hostNetwork,
      `is host access, which Pod Security "restricted" and "baseline" forbid, and ${where}. Run the agent in its own namespace, `
      + 'new PlatformNamespace(scope, \'agents\', { podSecurity: PodSecurityLevel.PRIVILEGED }), with a PlatformChart for it; or drop the host access.');
  }
  return hostPaths;
}
