import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AutoscalingOptions } from './autoscaling';
import { DisruptionBudget } from './disruption-budget';
import { WorkloadMetrics } from './metrics';
import { NamedPort } from './named-port';
import { Callers, IWorkloadSelector } from './network-access';
import { PlatformChart } from './platform-chart';
import { addMonitoring } from './private/monitoring';
import { buildNetworkPolicy } from './private/network-policy';
import { k8s } from './private/plus';
import { containerPorts, policyPorts, resolvePorts, ResolvedPort } from './private/ports';
import { buildVpa } from './private/right-sizing';
import { autoscalingBounds, buildHpa, buildPdb } from './private/scaling';
import { ProbeOptions } from './probe';
import { RightSizingOptions } from './right-sizing';
import { WorkloadBase } from './workload-base';
import { ContainerWorkloadProps } from './workload-props';

/** Props of a {@link Worker}. */
export interface WorkerProps extends ContainerWorkloadProps {
  /**
   * A fixed number of replicas. Give this or `autoscaling`, not both.
   * @default 1 (unless `autoscaling` is given)
   */
  readonly replicas?: number;
  /**
   * Horizontal autoscaling on CPU and/or memory. The Deployment then has no `replicas` field.
   * @default - no autoscaling
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * Container ports (e.g. a metrics or health port); a worker has no Service.
   * @default - none
   */
  readonly ports?: NamedPort[];
  /**
   * HTTP path of a health endpoint on the first port; the default probes use it.
   * @default - TCP probes on the first port, or no probes without ports
   */
  readonly healthCheckPath?: string;
  /**
   * Probes. A worker without ports has none unless given (use `Probe.exec([...])`).
   * @default - derived from the first port and `healthCheckPath`; none without ports
   */
  readonly probes?: ProbeOptions;
  /**
   * PodDisruptionBudget.
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;
  /**
   * Who may connect to the worker's `ports` (a NetworkPolicy). Needs `ports` unless `Callers.any()`.
   * @default - nobody: a NetworkPolicy denies all ingress to the worker's pods
   */
  readonly callers?: Callers;
  /**
   * Prometheus metrics: a PodMonitor, a NetworkPolicy rule for Prometheus, default alerts and the
   * namespace's Grafana dashboard (see docs/observability.md).
   * @default - not scraped
   */
  readonly metrics?: WorkloadMetrics;
  /**
   * Right-sizing by the Vertical Pod Autoscaler (a VerticalPodAutoscaler object; the VPA must run on the cluster).
   * @default - none
   */
  readonly rightSizing?: RightSizingOptions;
}

/**
 * A background worker (a queue consumer, a stream processor): a Deployment without a Service, with the same
 * secure pod defaults as every workload, optional autoscaling, a PodDisruptionBudget and a NetworkPolicy
 * that denies all ingress unless callers are given.
 */
export class Worker extends WorkloadBase implements IWorkloadSelector {
  /** The Deployment (L1 escape hatch). */
  public readonly deployment: k8s.KubeDeployment;
  /** The HorizontalPodAutoscaler, when autoscaling. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget, unless turned off. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy, unless callers is `Callers.any()`. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The VerticalPodAutoscaler, when `rightSizing` is given. */
  public readonly rightSizing?: ApiObject;
  /** The resolved container ports. */
  public readonly ports: ReadonlyArray<ResolvedPort>;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id, props, 'Worker', 'worker');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    const ports = resolvePorts(v, 'ports', props.ports ?? [], { required: false, mapped: false });
    this.ports = ports;

    if (props.replicas !== undefined && props.autoscaling !== undefined) {
      v.fail('replicas', props.replicas, 'cannot be combined with autoscaling: give a fixed replica count or autoscaling, not both.');
    }
    const replicas = props.autoscaling ? undefined : (props.replicas ?? 1);
    if (replicas !== undefined) v.integer('replicas', replicas, 0, 1000);
    if (props.callers !== undefined && props.callers.mode !== 'any') {
      v.check(ports.length > 0, 'callers', props.callers.mode, 'needs ports: a worker without ports receives no connections. Declare the ports callers use, or leave callers unset.');
    }

    const pod = this.buildPod({
      ports: containerPorts(ports),
      probes: props.probes,
      healthCheckPath: props.healthCheckPath,
    });

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: this.metadata(),
      spec: {
        replicas,
        selector: { matchLabels: this.selectorLabels },
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: pod.template,
      },
    });

    if (props.autoscaling) {
      this.autoscaler = buildHpa(this, v, this.name, this.metadata(), { kind: 'Deployment', name: this.name }, props.autoscaling, props.resources);
    }
    const minReplicas = props.autoscaling ? autoscalingBounds(props.autoscaling).min : replicas;
    this.disruptionBudget = buildPdb(this, v, this.metadata(), this.selectorLabels, props.disruptionBudget, minReplicas);
    if (props.rightSizing) this.rightSizing = buildVpa(this, v, this.metadata(), { kind: 'Deployment', name: this.name }, props.rightSizing, props.autoscaling);

    this.networkPolicy = buildNetworkPolicy(this, v, chart, {
      metadata: this.metadata(),
      selector: this.selectorLabels,
      namespace: this.namespace,
      // Callers.only() with nobody: a policy with no ingress rule denies all ingress
      callers: props.callers ?? Callers.only(),
      ports: policyPorts(ports),
      fromIngressController: false,
    });
    addMonitoring(this, { ...this, kind: 'Worker', metrics: props.metrics, controller: 'Deployment', autoscaled: this.autoscaler !== undefined });
  }
}
