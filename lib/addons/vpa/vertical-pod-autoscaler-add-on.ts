import { IDependable } from 'constructs';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** Props of the {@link VerticalPodAutoscalerAddOn}. */
export interface VerticalPodAutoscalerAddOnProps {
  /**
   * The namespace the VPA runs in (created, enforcing Pod Security restricted).
   * @default 'vpa'
   */
  readonly namespace?: string;
  /**
   * Pods per component (recommender, updater, admission controller); above 1 they elect a leader and a
   * PodDisruptionBudget keeps one running.
   * @default 2
   */
  readonly replicas?: number;
}

/** The official chart of kubernetes/autoscaler and the VPA release it installs, pinned. */
export const VPA_CHART = {
  repository: 'https://kubernetes.github.io/autoscaler',
  chart: 'vertical-pod-autoscaler',
  /** Chart 0.11.0 (tag vertical-pod-autoscaler-chart-0.11.0) installs VPA 1.7.1. */
  version: '0.11.0',
  appVersion: '1.7.1',
} as const;

/** Every pod of the chart under Pod Security restricted: non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp. */
const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

/**
 * The Vertical Pod Autoscaler (kubernetes/autoscaler's official chart, pinned): its CRDs, the recommender
 * (reads metrics-server, which every cluster of this library runs), the updater and the admission controller
 * that writes recommended requests into new pods. The admission controller's certificate is made by the
 * chart's certgen Jobs at install and upgrade (no cert-manager needed); its webhook ignores failures, so pods
 * are still admitted while it is down. Every pod runs under Pod Security restricted.
 *
 * Installing it sets `cluster.traits.verticalPodAutoscaler`: workloads' `rightSizing` needs it.
 * Runs on EKS, k3s and kubeadm.
 */
export class VerticalPodAutoscalerAddOn implements IPlatformAddOn {
  public readonly name = 'vpa';
  private readonly namespace: string;
  private readonly replicas: number;

  constructor(props: VerticalPodAutoscalerAddOnProps = {}) {
    this.namespace = props.namespace ?? 'vpa';
    this.replicas = props.replicas ?? 2;
  }

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'VerticalPodAutoscalerAddOn');
    v.dnsLabel('namespace', this.namespace);
    v.integer('replicas', this.replicas, 1, 5);
    const release = cluster.addHelmChart(this.name, {
      repository: VPA_CHART.repository,
      chart: VPA_CHART.chart,
      version: VPA_CHART.version,
      namespace: this.namespace,
      values: vpaValues(this.replicas),
    });
    cluster.traits.addAbilities({ verticalPodAutoscaler: true });
    return release;
  }
}

function component(replicas: number, memory: string): Record<string, unknown> {
  return {
    replicas,
    image: { tag: VPA_CHART.appVersion },
    resources: { requests: { cpu: '50m', memory }, limits: { memory } },
    podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
  };
}

/** The chart's values: pinned images, requests and limits, restricted security contexts. */
function vpaValues(replicas: number): Record<string, unknown> {
  return {
    podSecurityContext: RESTRICTED_POD,
    containerSecurityContext: RESTRICTED_CONTAINER,
    recommender: component(replicas, '500Mi'),
    updater: component(replicas, '256Mi'),
    admissionController: {
      ...component(replicas, '256Mi'),
      // the chart's certgen Jobs create the webhook certificate and patch the webhook's CA bundle
      certGen: {
        enabled: true,
        podSecurityContext: RESTRICTED_POD,
        securityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
      },
      registerWebhook: false,
      mutatingWebhookConfiguration: { failurePolicy: 'Ignore', timeoutSeconds: 5 },
    },
  };
}
