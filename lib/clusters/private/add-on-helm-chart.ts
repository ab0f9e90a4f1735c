import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DeliveryLabels } from '../../delivery';
import { cdkPropValidator } from '../../private/validate';
import { PodSecurityLevel } from '../../workloads';
import { AddOnHelmChartProps } from '../add-on-helm-chart';

/** An exact SemVer 2 version, with an optional leading v (what Helm accepts for a pinned chart). */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const CHART_NAME = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const REPOSITORY = /^(https:\/\/[^\s/]+(\/\S*)?|oci:\/\/[^\s/]+\/\S+)$/;
const MAX_TIMEOUT = Duration.minutes(14);

/** An add-on chart with every default filled in and every prop checked. */
export interface ResolvedAddOnHelmChart extends AddOnHelmChartProps {
  readonly release: string;
  readonly createNamespace: boolean;
  readonly podSecurity: PodSecurityLevel;
  readonly timeout: Duration;
}

/** Checks `addHelmChart(id, props)` (`taken`: the id is already used on the cluster) and fills in the defaults. */
export function resolveAddOnHelmChart(scope: IConstruct, kind: string, id: string, props: AddOnHelmChartProps, taken: boolean): ResolvedAddOnHelmChart {
  const v = cdkPropValidator(scope, kind);
  v.dnsLabel('addHelmChart(id)', id, 36);
  v.check(!taken, 'addHelmChart(id)', id, 'is already used by another chart of this cluster: give each chart its own id.');
  v.check(typeof props.repository === 'string' && REPOSITORY.test(props.repository), 'addHelmChart.repository', props.repository,
    'must be an https:// chart repository URL or an oci:// registry path (e.g. "https://charts.example.com" or "oci://public.ecr.aws/org/charts").');
  v.check(typeof props.chart === 'string' && CHART_NAME.test(props.chart), 'addHelmChart.chart', props.chart,
    'must be a chart name: lowercase letters, digits, \'-\', \'_\' and \'.\' (e.g. "vertical-pod-autoscaler").');
  v.check(typeof props.version === 'string' && EXACT_VERSION.test(props.version), 'addHelmChart.version', props.version,
    'must be one exact chart version such as "4.7.2" (no ranges or "latest": every deploy must install the same chart).');
  v.dnsLabel('addHelmChart.namespace', props.namespace);
  const release = v.dnsLabel('addHelmChart.release', props.release ?? id, 53);
  const podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
  v.check(Object.values(PodSecurityLevel).includes(podSecurity), 'addHelmChart.podSecurity', podSecurity,
    `must be one of ${Object.values(PodSecurityLevel).map(l => `"${l}"`).join(', ')} (PodSecurityLevel).`);
  const timeout = props.timeout ?? Duration.minutes(10);
  v.check(timeout.toSeconds() >= 60 && timeout.toSeconds() <= MAX_TIMEOUT.toSeconds(), 'addHelmChart.timeout', timeout.toHumanString(),
    'must be from 1 to 14 minutes: on EKS Helm runs in a Lambda function that stops at 15.');
  return { ...props, release, podSecurity, timeout, createNamespace: props.createNamespace ?? true };
}

/** The labels of an add-on's namespace: managed by the library, enforcing (and warning and auditing at) its level. */
export function addOnNamespaceLabels(chart: ResolvedAddOnHelmChart): Record<string, string> {
  return {
    [DeliveryLabels.MANAGED_BY]: DeliveryLabels.MANAGED_BY_VALUE,
    'pod-security.kubernetes.io/enforce': chart.podSecurity,
    'pod-security.kubernetes.io/audit': chart.podSecurity,
    'pod-security.kubernetes.io/warn': chart.podSecurity,
  };
}
