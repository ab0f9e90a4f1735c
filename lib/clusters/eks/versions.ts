import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  /** The chart repository URL. */
  readonly repository: string;
  /** The chart name in the repository. */
  readonly chart: string;
  /** The chart version. */
  readonly version: string;
  /** The controller's image tag that the chart version installs (pinned explicitly in the values). */
  readonly appVersion: string;
}

/**
 * The Kubernetes versions the EKS platform supports: a string enum whose value is the EKS version. Each has
 * its row in {@link EKS_VERSION_TABLE} (add-ons, charts, kubectl layer, end of standard support).
 */
export enum EksKubernetesVersion {
  /** Kubernetes 1.34 (EKS standard support ends 2026-12-02). */
  V1_34 = '1.34',
  /** Kubernetes 1.35 (EKS standard support ends 2027-03-27). The default. */
  V1_35 = '1.35',
}

/** The default Kubernetes version of the EKS platform. */
export const DEFAULT_EKS_VERSION = EksKubernetesVersion.V1_35;

/** The EKS add-on versions of one Kubernetes version (`aws eks describe-addon-versions`). */
export interface EksAddonVersions {
  readonly 'vpc-cni': string;
  readonly 'coredns': string;
  readonly 'kube-proxy': string;
  readonly 'eks-pod-identity-agent': string;
  readonly 'aws-ebs-csi-driver': string;
  /** EKS community add-on (HorizontalPodAutoscaler metrics). */
  readonly 'metrics-server': string;
}

/** Names of the EKS add-ons this library installs. */
export type EksAddonName = keyof EksAddonVersions;

/** Everything pinned for one Kubernetes version. */
export interface EksVersionPins {
  /** The version as aws-cdk-lib takes it. */
  readonly kubernetesVersion: eks.KubernetesVersion;
  /** The last day of EKS standard support (ISO date); EKS then upgrades a STANDARD-policy cluster itself. */
  readonly endOfStandardSupport: string;
  /** EKS add-on versions. */
  readonly addons: EksAddonVersions;
  /** AWS Load Balancer Controller (Ingress class `alb`, NLB Services). Its IAM policy is in private/alb-controller-policy.ts. */
  readonly albController: PinnedChart;
  /** Cluster Autoscaler (managed node groups; its minor version follows Kubernetes). */
  readonly clusterAutoscaler: PinnedChart;
  /** The kubectl/helm Lambda layer (kubectl is supported within one minor version of the API server). */
  readonly kubectlLayer: (scope: Construct, id: string) => lambda.ILayerVersion;
}

const ALB_CONTROLLER: PinnedChart = {
  repository: 'https://aws.github.io/eks-charts',
  chart: 'aws-load-balancer-controller',
  version: '3.2.2',
  appVersion: 'v3.2.2',
};

const autoscaler = (appVersion: string): PinnedChart => ({
  repository: 'https://kubernetes.github.io/autoscaler',
  chart: 'cluster-autoscaler',
  version: '9.54.0',
  appVersion,
});

const kubectlV35 = (scope: Construct, id: string): lambda.ILayerVersion => new KubectlV35Layer(scope, id);

/**
 * The single place of pinned versions, one row per supported Kubernetes version. Upgrading a cluster means
 * choosing the next row (`version` prop): one minor version at a time; the tests check that every pinned
 * version of a row reaches the template. Add a row for a new Kubernetes version with the EKS "latest for
 * this Kubernetes version" add-on builds (`aws eks describe-addon-versions --kubernetes-version 1.xx
 * --addon-name <name>`), the Cluster Autoscaler release of the same minor, the kubectl layer of that minor
 * (`@aws-cdk/lambda-layer-kubectl-v1xx`) and the end-of-standard-support date from the EKS version calendar.
 *
 * `eks.KubernetesVersion.V1_36` and later are missing from aws-cdk-lib 2.261.0 (the peer floor): a row for
 * them uses `eks.KubernetesVersion.of('1.36')`.
 */
export const EKS_VERSION_TABLE: Readonly<Record<EksKubernetesVersion, EksVersionPins>> = {
  [EksKubernetesVersion.V1_34]: {
    kubernetesVersion: eks.KubernetesVersion.V1_34,
    endOfStandardSupport: '2026-12-02',
    addons: {
      'vpc-cni': 'v1.21.1-eksbuild.3',
      'coredns': 'v1.14.2-eksbuild.4',
      'kube-proxy': 'v1.34.6-eksbuild.2',
      'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
      'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1',
      'metrics-server': 'v0.8.0-eksbuild.2',
    },
    albController: ALB_CONTROLLER,
    clusterAutoscaler: autoscaler('v1.34.3'),
    // kubectl 1.35 against a 1.34 API server: within kubectl's one-minor version skew
    kubectlLayer: kubectlV35,
  },
  [EksKubernetesVersion.V1_35]: {
    kubernetesVersion: eks.KubernetesVersion.V1_35,
    endOfStandardSupport: '2027-03-27',
    addons: {
      'vpc-cni': 'v1.21.1-eksbuild.3',
      'coredns': 'v1.14.2-eksbuild.4',
      'kube-proxy': 'v1.35.3-eksbuild.2',
      'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
      'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1',
      'metrics-server': 'v0.8.0-eksbuild.2',
    },
    albController: ALB_CONTROLLER,
    clusterAutoscaler: autoscaler('v1.35.0'),
    kubectlLayer: kubectlV35,
  },
};

/** The versions of the default Kubernetes version ({@link DEFAULT_EKS_VERSION}); kept for earlier imports. */
export const EKS_VERSIONS = EKS_VERSION_TABLE[DEFAULT_EKS_VERSION];

/** The kubectl/helm Lambda layer of the default Kubernetes version. One layer per construct scope. */
export function kubectlLayer(scope: Construct, id: string): lambda.ILayerVersion {
  return EKS_VERSIONS.kubectlLayer(scope, id);
}

/** Context key giving "today" (ISO date) for the end-of-support warning: `-c cdk-k8s-platform:today=2027-01-15`. */
export const TODAY_CONTEXT = 'cdk-k8s-platform:today';

/** Days before the end of standard support from which synthesis warns. */
export const END_OF_SUPPORT_WARNING_DAYS = 90;

/** Whole days from `today` to the last day of standard support of `version` (negative once it is over). */
export function daysOfStandardSupportLeft(version: EksKubernetesVersion, today: Date): number {
  const end = Date.parse(`${EKS_VERSION_TABLE[version].endOfStandardSupport}T00:00:00Z`);
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((end - day) / 86_400_000);
}

/** The supported version after `version`, if the table has one. */
export function nextEksVersion(version: EksKubernetesVersion): EksKubernetesVersion | undefined {
  const [major, minor] = version.split('.').map(Number);
  return (Object.values(EksKubernetesVersion) as string[]).find(v => v === `${major}.${minor + 1}`) as EksKubernetesVersion | undefined;
}
