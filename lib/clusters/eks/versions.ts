import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { daysUntil, END_OF_SUPPORT_WARNING_DAYS, TODAY_CONTEXT } from '../private/support-calendar';

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
 * its row in {@link EKS_VERSION_TABLE} (add-ons, charts, kubectl layer, end of standard and extended support).
 */
export enum EksKubernetesVersion {
  /** Kubernetes 1.34 (EKS standard support ends 2026-12-02, extended support 2027-12-02). */
  V1_34 = '1.34',
  /** Kubernetes 1.35 (EKS standard support ends 2027-03-27, extended support 2028-03-27). The default. */
  V1_35 = '1.35',
  /** Kubernetes 1.36 (EKS standard support ends 2027-08-02, extended support 2028-08-02). */
  V1_36 = '1.36',
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
  /**
   * The day EKS standard support ends (ISO date, UTC, from the EKS release calendar). From 00:00 UTC that day
   * the version is in extended support (billed per cluster-hour at the extended price), or, with the upgrade
   * policy STANDARD this library sets, EKS upgrades the control plane by itself.
   */
  readonly endOfStandardSupport: string;
  /**
   * The day EKS extended support ends (ISO date, UTC): EKS then no longer runs the version; it upgrades the
   * control plane of every cluster still on it and creates no new cluster with it.
   */
  readonly endOfExtendedSupport: string;
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
const kubectlV36 = (scope: Construct, id: string): lambda.ILayerVersion => new KubectlV36Layer(scope, id);

/*
 * Sources of the pins below (read 2026-12-02; no AWS call is made at synth or test time):
 * [calendar]  EKS release calendar, https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar,
 *             as recorded by https://github.com/endoflife-date/endoflife.date/blob/a70eca337600e7d721dc48112c271f98661d208b/products/amazon-eks.md
 *             (it reads that calendar); 1.34 also in the AWS Health notice quoted in
 *             https://github.com/CredentialEngine/CredentialRegistry/issues/1066 ("standard support ... will end on December 2,
 *             2026 ... extended support until December 2, 2027").
 * [coredns]   https://docs.amazonaws.cn/en_us/eks/latest/userguide/managing-coredns.md (1.35: v1.14.2-eksbuild.4, 1.34: v1.13.2-eksbuild.7)
 *             and https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-coredns.md (1.36: v1.14.3-eksbuild.3).
 * [proxy]     https://docs.amazonaws.cn/zh_cn/eks/latest/userguide/managing-kube-proxy.md (1.35: v1.35.3-eksbuild.2, 1.34: v1.34.6-eksbuild.2)
 *             and https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-kube-proxy.md (1.36: v1.36.0-eksbuild.14).
 * [ca]        https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-1.34.3,
 *             .../cluster-autoscaler-1.35.0 and .../cluster-autoscaler-1.36.1 (published 2026-07-23).
 * [kubectl]   @aws-cdk/lambda-layer-kubectl-v36 2.0.1 (npm) bundles kubectl 1.36.3 and Helm 4.2.3 (its README).
 * UNVERIFIED: no source readable here lists the vpc-cni, eks-pod-identity-agent, aws-ebs-csi-driver and
 *             metrics-server builds per Kubernetes version (the AWS pages of those add-ons no longer carry a version
 *             table), nor the AWS Load Balancer Controller chart or the cluster-autoscaler chart 9.54.0 (whose RBAC
 *             was written for an older autoscaler) against 1.36. Those pins are marked UNVERIFIED below and in
 *             docs/eks.md; check them with `aws eks describe-addon-versions --kubernetes-version 1.xx --addon-name
 *             <name>` before an upgrade: a build EKS does not offer for the version fails the deploy after the
 *             control plane moved.
 */

/**
 * The single place of pinned versions, one row per supported Kubernetes version. Upgrading a cluster means
 * choosing the next row (`version` prop): one minor version at a time; the tests check that every pinned
 * version of a row reaches the template. Add a row for a new Kubernetes version with the EKS "latest for
 * this Kubernetes version" add-on builds (`aws eks describe-addon-versions --kubernetes-version 1.xx
 * --addon-name <name>`), the Cluster Autoscaler release of the same minor, the kubectl layer of that minor
 * (`@aws-cdk/lambda-layer-kubectl-v1xx`) and the end-of-support dates from the EKS version calendar, each
 * with its source in the comment above.
 *
 * `eks.KubernetesVersion.V1_36` and later are missing from aws-cdk-lib 2.261.0 (the peer floor): a row for
 * them uses `eks.KubernetesVersion.of('1.36')`.
 */
export const EKS_VERSION_TABLE: Readonly<Record<EksKubernetesVersion, EksVersionPins>> = {
  [EksKubernetesVersion.V1_34]: {
    kubernetesVersion: eks.KubernetesVersion.V1_34,
    endOfStandardSupport: '2026-12-02', // [calendar]
    endOfExtendedSupport: '2027-12-02', // [calendar]
    addons: {
      'vpc-cni': 'v1.21.1-eksbuild.3', // UNVERIFIED for 1.34
      'coredns': 'v1.13.2-eksbuild.7', // [coredns]: CoreDNS 1.14 is not listed for 1.34
      'kube-proxy': 'v1.34.6-eksbuild.2', // [proxy]
      'eks-pod-identity-agent': 'v1.3.9-eksbuild.3', // UNVERIFIED for 1.34
      'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1', // UNVERIFIED for 1.34
      'metrics-server': 'v0.8.0-eksbuild.2', // UNVERIFIED for 1.34
    },
    albController: ALB_CONTROLLER, // UNVERIFIED per Kubernetes version
    clusterAutoscaler: autoscaler('v1.34.3'), // [ca]
    // kubectl 1.35 against a 1.34 API server: within kubectl's one-minor version skew
    kubectlLayer: kubectlV35,
  },
  [EksKubernetesVersion.V1_35]: {
    kubernetesVersion: eks.KubernetesVersion.V1_35,
    endOfStandardSupport: '2027-03-27', // [calendar]
    endOfExtendedSupport: '2028-03-27', // [calendar]
    addons: {
      'vpc-cni': 'v1.21.1-eksbuild.3', // UNVERIFIED for 1.35
      'coredns': 'v1.14.2-eksbuild.4', // [coredns]
      'kube-proxy': 'v1.35.3-eksbuild.2', // [proxy]
      'eks-pod-identity-agent': 'v1.3.9-eksbuild.3', // UNVERIFIED for 1.35
      'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1', // UNVERIFIED for 1.35
      'metrics-server': 'v0.8.0-eksbuild.2', // UNVERIFIED for 1.35
    },
    albController: ALB_CONTROLLER, // UNVERIFIED per Kubernetes version
    clusterAutoscaler: autoscaler('v1.35.0'), // [ca]
    kubectlLayer: kubectlV35,
  },
  [EksKubernetesVersion.V1_36]: {
    kubernetesVersion: eks.KubernetesVersion.of('1.36'), // V1_36 is not in the aws-cdk-lib peer floor 2.261.0
    endOfStandardSupport: '2027-08-02', // [calendar] (EKS release 2026-06-02)
    endOfExtendedSupport: '2028-08-02', // [calendar]
    addons: {
      // UNVERIFIED for 1.36: not in an AWS page read here; the build public 1.36 deployment records name as
      // EKS's default for 1.36 (one minor above the 1.35 row, as the VPC CNI upgrade guidance asks)
      'vpc-cni': 'v1.22.4-eksbuild.3',
      'coredns': 'v1.14.3-eksbuild.3', // [coredns]
      'kube-proxy': 'v1.36.0-eksbuild.14', // [proxy]
      'eks-pod-identity-agent': 'v1.3.9-eksbuild.3', // UNVERIFIED for 1.36
      'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1', // UNVERIFIED for 1.36
      'metrics-server': 'v0.8.0-eksbuild.2', // UNVERIFIED for 1.36
    },
    albController: ALB_CONTROLLER, // UNVERIFIED per Kubernetes version
    clusterAutoscaler: autoscaler('v1.36.1'), // [ca]; the chart 9.54.0 around it is UNVERIFIED for 1.36
    kubectlLayer: kubectlV36, // [kubectl]
  },
};

/** The versions of the default Kubernetes version ({@link DEFAULT_EKS_VERSION}); kept for earlier imports. */
export const EKS_VERSIONS = EKS_VERSION_TABLE[DEFAULT_EKS_VERSION];

/** The kubectl/helm Lambda layer of the default Kubernetes version. One layer per construct scope. */
export function kubectlLayer(scope: Construct, id: string): lambda.ILayerVersion {
  return EKS_VERSIONS.kubectlLayer(scope, id);
}

/** Context key giving "today" (ISO date) for the end-of-support warning: `-c cdk-k8s-platform:today=2027-01-15`. */
export { TODAY_CONTEXT, END_OF_SUPPORT_WARNING_DAYS };

/**
 * Whole UTC days from `today` to the end of standard support of `version`: positive while the version is in
 * standard support, 0 on the day it ends (extended support starts at 00:00 UTC that day), negative after.
 */
export function daysOfStandardSupportLeft(version: EksKubernetesVersion, today: Date): number {
  return daysUntil(EKS_VERSION_TABLE[version].endOfStandardSupport, today);
}

/** Whole UTC days from `today` to the end of extended support of `version` (0 or less: EKS no longer runs it). */
export function daysOfExtendedSupportLeft(version: EksKubernetesVersion, today: Date): number {
  return daysUntil(EKS_VERSION_TABLE[version].endOfExtendedSupport, today);
}

/** The supported version after `version`, if the table has one. */
export function nextEksVersion(version: EksKubernetesVersion): EksKubernetesVersion | undefined {
  const [major, minor] = version.split('.').map(Number);
  return (Object.values(EksKubernetesVersion) as string[]).find(v => v === `${major}.${minor + 1}`) as EksKubernetesVersion | undefined;
}
