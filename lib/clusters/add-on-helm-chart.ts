import { Duration } from 'aws-cdk-lib';
import { IDependable } from 'constructs';
import { PodSecurityLevel } from '../workloads';

/**
 * A third-party Helm chart that a platform add-on installs on a cluster of any kind, pinned to one version
 * (downloaded from its repository, or a packaged copy shipped with the add-on: `chartArchive`).
 * EKS installs it with the cluster's kubectl/helm Lambda (`eks.HelmChart`); k3s and kubeadm with the Helm
 * controller on the cluster (`helm.cattle.io/v1` HelmChart objects), delivered like workloads.
 */
export interface AddOnHelmChartProps {
  /** The chart repository: an `https://` URL, or an `oci://` registry path. */
  readonly repository: string;
  /** The chart name in the repository. */
  readonly chart: string;
  /** The exact chart version (no ranges: every deploy installs the same chart). */
  readonly version: string;
  /**
   * A packaged chart (`.tgz`, as `helm package` writes it) shipped with the add-on, installed instead of
   * downloading `chart` at `version` from `repository`: for a chart the add-on had to patch. The archive's
   * Chart.yaml must name `chart` and `version` (checked at synth; give the patched chart a version of its own,
   * e.g. `2.64.0-cdkk8s.1`), which keep naming the release, the lock and the docs; `repository` then says where
   * the chart came from and is never contacted. At most 512 KiB. k3s and kubeadm put it, base64, in the
   * HelmChart's `spec.chartContent`; EKS uploads it as an S3 asset that the kubectl/helm Lambda installs.
   * @default - the chart is downloaded from `repository`
   */
  readonly chartArchive?: string;
  /** The namespace the chart installs into (a DNS-1123 label). */
  readonly namespace: string;
  /**
   * The Helm release name (a DNS-1123 label of at most 53 characters).
   * @default - the id given to `addHelmChart`
   */
  readonly release?: string;
  /**
   * The chart's values. Never put a secret here: values reach the chart asset and the release record.
   * @default - the chart's defaults
   */
  readonly values?: Record<string, unknown>;
  /**
   * Create the namespace, labelled with `podSecurity` (a namespace the platform already creates is reused
   * only if this is false).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * The Pod Security Standard the created namespace enforces. Lower it only for components that need host
   * access, and say why in the add-on's docs.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * How long the install may take before it counts as failed (at most 14 minutes: on EKS Helm runs in a
   * Lambda function that stops at 15).
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * What must be installed first (another add-on's chart, a controller).
   * @default - the cluster's own controllers only
   */
  readonly dependsOn?: IDependable[];
}
