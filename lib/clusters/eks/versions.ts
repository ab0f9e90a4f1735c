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
 * The single place that says which Kubernetes version the EKS platform runs and which versions of the
 * kubectl layer, EKS add-ons and Helm charts go with it. Upgrading the cluster means editing this file
 * (one minor version at a time, add-ons after the control plane) and re-running the tests, which check
 * that every pinned version reaches the template.
 *
 * Add-on versions are the EKS "latest for this Kubernetes version" builds; check them with
 * `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name <name>`.
 */
export const EKS_VERSIONS = {
  /** Kubernetes 1.35 (EKS standard support until about March 2027). */
  kubernetesVersion: eks.KubernetesVersion.V1_35,

  /** EKS add-on versions (`aws eks describe-addon-versions`). */
  addons: {
    'vpc-cni': 'v1.21.1-eksbuild.3',
    'coredns': 'v1.14.2-eksbuild.4',
    'kube-proxy': 'v1.35.3-eksbuild.2',
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1',
    /** EKS community add-on (HorizontalPodAutoscaler metrics). */
    'metrics-server': 'v0.8.0-eksbuild.2',
  },

  /** AWS Load Balancer Controller (Ingress class `alb`, NLB Services). Its IAM policy is in private/alb-controller-policy.ts. */
  albController: {
    repository: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    version: '3.2.2',
    appVersion: 'v3.2.2',
  } satisfies PinnedChart,

  /** Cluster Autoscaler (managed node groups; its minor version follows Kubernetes). */
  clusterAutoscaler: {
    repository: 'https://kubernetes.github.io/autoscaler',
    chart: 'cluster-autoscaler',
    version: '9.54.0',
    appVersion: 'v1.35.0',
  } satisfies PinnedChart,
} as const;

/** Names of the EKS add-ons this library installs. */
export type EksAddonName = keyof typeof EKS_VERSIONS.addons;

/**
 * The kubectl/helm Lambda layer matching {@link EKS_VERSIONS}.kubernetesVersion
 * (`@aws-cdk/lambda-layer-kubectl-v35`). One layer per construct scope.
 */
export function kubectlLayer(scope: Construct, id: string): lambda.ILayerVersion {
  return new KubectlV35Layer(scope, id);
}
