import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../../errors';
import {
  daysOfStandardSupportLeft, END_OF_SUPPORT_WARNING_DAYS, EKS_VERSION_TABLE, EksKubernetesVersion, nextEksVersion, TODAY_CONTEXT,
} from '../versions';

/** Warning id of the end-of-standard-support warning (acknowledge it with `Annotations.acknowledgeWarning`). */
export const END_OF_SUPPORT_WARNING = 'cdk-k8s-platform:eksVersionEndOfSupport';

/** "Today" for the support warning: the context key `cdk-k8s-platform:today` (an ISO date), else the clock. */
export function today(scope: IConstruct): Date {
  const value: unknown = scope.node.tryGetContext(TODAY_CONTEXT);
  if (value === undefined) return new Date(Date.now());
  const parsed = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) {
    throw propError(scope.node.path, 'EksPlatformCluster', `context ${TODAY_CONTEXT}`, value, 'must be an ISO date such as "2027-01-15".');
  }
  return parsed;
}

/**
 * Warns when `version` leaves EKS standard support within 90 days (or has left it): EKS then charges extended
 * support or, with `upgradePolicy: STANDARD` as this library sets it, upgrades the control plane by itself.
 */
export function warnAboutEndOfSupport(scope: IConstruct, version: EksKubernetesVersion): void {
  const left = daysOfStandardSupportLeft(version, today(scope));
  if (left > END_OF_SUPPORT_WARNING_DAYS) return;
  const end = EKS_VERSION_TABLE[version].endOfStandardSupport;
  const next = nextEksVersion(version);
  const when = left >= 0 ? `ends in ${left} day${left === 1 ? '' : 's'} (${end})` : `ended ${-left} day${left === -1 ? '' : 's'} ago (${end})`;
  Annotations.of(scope).addWarningV2(END_OF_SUPPORT_WARNING,
    `EKS standard support of Kubernetes ${version} ${when}: after it EKS upgrades the control plane by itself (upgradePolicy STANDARD), `
    + 'without the add-on and node group steps of this library. '
    + (next ? `Upgrade now: version: EksKubernetesVersion.V${next.replace('.', '_')} ("${next}"), see docs/eks.md "Upgrading Kubernetes".`
      : 'Upgrade this library to one that supports the next Kubernetes version, then upgrade (docs/eks.md "Upgrading Kubernetes").'));
}
