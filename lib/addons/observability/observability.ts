import { Annotations, CfnOutput, Duration, Size } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { KUBE_PROMETHEUS_STACK_CHART, NODE_EXPORTER_CHART } from './charts';
import { grafanaAccessOutput, grafanaAdmin } from './private/grafana-admin';
import { restrictedPod } from './private/security';
import { stackValues } from './private/stack-values';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { DEFAULT_PROMETHEUS_NAMESPACE, PodSecurityLevel, VolumeAccessMode } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** Props of the {@link Observability} add-on. */
export interface ObservabilityProps {
  /**
   * The namespace of Prometheus, Alertmanager, Grafana and kube-state-metrics (Pod Security restricted).
   * Workloads' `metrics.prometheusNamespace` must name it when it is not the default.
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * How long Prometheus keeps samples (whole days, 1 to 400).
   * @default Duration.days(15)
   */
  readonly retention?: Duration;
  /**
   * The size of Prometheus's persistent volume (whole GiB, 10 to 16384). Prometheus also drops the oldest
   * samples when they fill 85% of it.
   * @default Size.gibibytes(50)
   */
  readonly storageSize?: Size;
  /**
   * The StorageClass of Prometheus's volume (ReadWriteOnce).
   * @default - the cluster's default for volume claims (`traits.storageClassName`: gp3 on EKS, and on k3s and kubeadm with the EBS CSI add-on; local-path without it)
   */
  readonly storageClassName?: string;
  /**
   * Run node-exporter (host metrics) on every node, in its own namespace `<namespace>-node-exporter` that
   * allows privileged pods: it reads the host's /proc, /sys and root file system, in the host's network and
   * PID namespaces.
   * @default true
   */
  readonly nodeExporter?: boolean;
}

/**
 * The Prometheus Operator stack (kube-prometheus-stack, pinned): Prometheus with retention and a persistent
 * volume, Alertmanager, Grafana (dashboards from ConfigMaps labelled `grafana_dashboard`, as workloads with
 * `metrics` write them) and kube-state-metrics in one namespace under Pod Security restricted, and
 * node-exporter as a second release in its own privileged namespace. Prometheus picks up every
 * ServiceMonitor, PodMonitor and PrometheusRule of the cluster.
 *
 * Grafana's admin password is never in a template or value: on a cluster with External Secrets (EKS) it is
 * generated in Secrets Manager and copied in by an ExternalSecret; elsewhere (k3s, kubeadm) the Grafana chart
 * generates it inside the cluster. The stack output `GrafanaAccess` says how to reach Grafana.
 * Runs on EKS, k3s and kubeadm. See docs/observability.md.
 */
export class Observability implements IPlatformAddOn {
  public readonly name = 'observability';
  /** Grafana's access instructions, once installed. */
  public grafanaAccess?: CfnOutput;

  constructor(private readonly props: ObservabilityProps = {}) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'Observability');
    const p = this.props;
    const namespace = v.dnsLabel('namespace', p.namespace ?? DEFAULT_PROMETHEUS_NAMESPACE, 46);
    const retentionDays = wholeDays(v, p.retention ?? Duration.days(15));
    const storageGiB = wholeGiB(v, p.storageSize ?? Size.gibibytes(50));
    const storageClassName = storageClassOf(v, cluster, p.storageClassName);
    const scope = new Construct(cluster, 'Observability');
    const admin = grafanaAdmin(scope, cluster, namespace);
    const release = cluster.addHelmChart(this.name, {
      ...KUBE_PROMETHEUS_STACK_CHART,
      namespace,
      createNamespace: admin.prerequisites === undefined,
      values: stackValues({ storageClassName, storageGiB, retentionDays, grafanaAdminSecret: admin.existingSecret, controlPlane: false }),
      timeout: Duration.minutes(14),
      dependsOn: admin.prerequisites ? [admin.prerequisites] : undefined,
    });
    if (p.nodeExporter ?? true) {
      cluster.addHelmChart('node-exporter', {
        ...NODE_EXPORTER_CHART,
        namespace: `${namespace}-node-exporter`,
        podSecurity: PodSecurityLevel.PRIVILEGED,
        values: nodeExporterValues(),
        dependsOn: [release],
      });
    }
    this.grafanaAccess = grafanaAccessOutput(scope, cluster, namespace, admin);
    return release;
  }
}

/**
 * node-exporter reads the host (hostNetwork, hostPID, a read-only hostPath of /): only its own namespace
 * allows that. It still runs as nobody, without privilege escalation or capabilities.
 */
function nodeExporterValues(): Record<string, unknown> {
  return {
    podLabels: { jobLabel: 'node-exporter' },
    prometheus: { monitor: { enabled: true, jobLabel: 'jobLabel' } },
    securityContext: restrictedPod(65534),
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  };
}

function wholeDays(v: PropValidator, retention: Duration): number {
  const days = retention.toHours() / 24;
  v.check(Number.isInteger(days) && days >= 1 && days <= 400, 'retention', retention.toHumanString(), 'must be a whole number of days from 1 to 400 (e.g. Duration.days(15)).');
  return days;
}

function wholeGiB(v: PropValidator, size: Size): number {
  const gib = size.toGibibytes();
  v.check(Number.isInteger(gib) && gib >= 10 && gib <= 16384, 'storageSize', `${gib} GiB`, 'must be a whole number of GiB from 10 to 16384 (e.g. Size.gibibytes(50)).');
  return gib;
}

/** The class of Prometheus's volume: given, else the cluster's; refused when there is none or it cannot serve one writer. */
function storageClassOf(v: PropValidator, cluster: IPlatformCluster, given: string | undefined): string {
  const name = given ?? cluster.traits.storageClassName;
  v.check(typeof name === 'string' && name !== '', 'storageClassName', name,
    `must name a StorageClass for Prometheus's persistent volume, and cluster ${cluster.clusterName} has no default one (traits.storageClassName is empty): `
    + 'install a storage driver (e.g. the EBS CSI driver with a gp3 class) and pass its class as storageClassName.');
  v.dnsSubdomain('storageClassName', name);
  const described = cluster.traits.storageClass(name);
  if (described && !described.accessModes.includes(VolumeAccessMode.READ_WRITE_ONCE)) {
    v.fail('storageClassName', name, `cannot serve Prometheus's volume: StorageClass "${name}" serves ${described.accessModes.join(', ')}, not ReadWriteOnce. `
      + `Use one of ${cluster.traits.storageClassesServing(VolumeAccessMode.READ_WRITE_ONCE).map(n => `"${n}"`).join(', ') || 'a block-storage class such as gp3'}.`);
  }
  if (described?.nodeLocal) {
    Annotations.of(cluster).addWarningV2('cdk-k8s-platform:observabilityNodeLocalStorage',
      `Prometheus's volume is on StorageClass "${name}", a node's local disk: its metrics are lost with the node. Pass a network-backed class (e.g. an EBS CSI gp3 class) as storageClassName to keep them.`);
  }
  return name;
}
