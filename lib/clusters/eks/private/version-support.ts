import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../../errors';
import { ago, days, today } from '../../private/support-calendar';
import {
  daysOfExtendedSupportLeft, daysOfStandardSupportLeft, END_OF_SUPPORT_WARNING_DAYS, EKS_VERSION_TABLE, EksKubernetesVersion,
  nextEksVersion,
} from '../versions';

/** Warning id of the end-of-standard-support warning (acknowledge it with `Annotations.acknowledgeWarning`). */
export const END_OF_SUPPORT_WARNING = 'cdk-k8s-platform:eksVersionEndOfSupport';

/** Warning id of the warning for a version in EKS extended support (a separate id: acknowledging one keeps the other). */
export const EXTENDED_SUPPORT_WARNING = 'cdk-k8s-platform:eksVersionExtendedSupport';

/**
 * Checks where `version` stands in the EKS support calendar today:
 * - more than 90 days of standard support left: nothing;
 * - 90 days or fewer: a warning (`END_OF_SUPPORT_WARNING`) with the date and the next version;
 * - standard support over, extended support not: a warning (`EXTENDED_SUPPORT_WARNING`) that says so, what it
 *   costs or what EKS does instead, the end of extended support and the next version;
 * - extended support over: a `ValidationError` naming the prop, the value and the next version.
 */
export function checkVersionSupport(scope: IConstruct, version: EksKubernetesVersion): void {
  const now = today(scope, 'EksPlatformCluster');
  const standardLeft = daysOfStandardSupportLeft(version, now);
  if (standardLeft > END_OF_SUPPORT_WARNING_DAYS) return;
  const row = EKS_VERSION_TABLE[version];
  const extendedLeft = daysOfExtendedSupportLeft(version, now);
  if (extendedLeft <= 0) {
    throw propError(scope.node.path, 'EksPlatformCluster', 'version', version,
      `EKS extended support of Kubernetes ${version} ended ${ago(-extendedLeft)} (${row.endOfExtendedSupport}): EKS no longer runs ${version} `
      + '(it upgrades the control plane of every cluster still on it by itself and creates no new cluster with it). '
      + nextStep(version, 'Set'));
  }
  if (standardLeft > 0) {
    Annotations.of(scope).addWarningV2(END_OF_SUPPORT_WARNING,
      `EKS standard support of Kubernetes ${version} ends in ${days(standardLeft)} (${row.endOfStandardSupport}): from that day `
      + 'EKS upgrades the control plane by itself (upgradePolicy STANDARD, as this library sets it), without the add-on and node group steps of this library, '
      + `or, with upgradePolicy EXTENDED, bills extended support (a higher price per cluster-hour) until ${row.endOfExtendedSupport}. `
      + nextStep(version, 'Upgrade now:'));
    return;
  }
  Annotations.of(scope).addWarningV2(EXTENDED_SUPPORT_WARNING,
    `EKS standard support of Kubernetes ${version} ended ${ago(-standardLeft)} (${row.endOfStandardSupport}): ${version} is in EKS extended support `
    + `until ${row.endOfExtendedSupport}. With upgradePolicy STANDARD (as this library sets it) EKS upgrades the control plane by itself, at a time it `
    + `chooses and without the add-on and node group steps of this library; a cluster whose policy was changed to EXTENDED stays on ${version} `
    + `and is billed the extended-support price per cluster-hour (higher than the standard one) until ${row.endOfExtendedSupport}. `
    + nextStep(version, 'Upgrade now:'));
}

/** What to do next: `verb` and the next version of the table, or a library upgrade when the table has none. */
function nextStep(version: EksKubernetesVersion, verb: string): string {
  const next = nextEksVersion(version);
  return next
    ? `${verb} version: EksKubernetesVersion.V${next.replace('.', '_')} ("${next}"), one minor version at a time (docs/eks.md "Upgrading Kubernetes").`
    : 'Upgrade cdk-k8s-platform to a release that supports the next Kubernetes version, then upgrade (docs/eks.md "Upgrading Kubernetes").';
}
