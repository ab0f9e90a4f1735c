import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ago, days, daysUntil, END_OF_SUPPORT_WARNING_DAYS, today } from '../../private/support-calendar';

/**
 * The upstream end of life of each Kubernetes minor version: from that day the Kubernetes project (and k3s,
 * which follows it) publishes no more patch releases for it, security fixes included. Source: the release
 * page https://kubernetes.io/releases/ (1.34: "End of Life: 2026-10-27", as quoted 2026-10-01) and its rule,
 * the release month plus 14 months, on the 28th (1.33: 2026-06-28; 1.37, released 2026-08-26: 2027-10-28).
 * No network call is made: add a row with each new minor version.
 */
export const UPSTREAM_END_OF_LIFE: Readonly<Record<string, string>> = {
  1.32: '2026-02-28',
  1.33: '2026-06-28',
  1.34: '2026-10-27',
  1.35: '2027-02-28',
  1.36: '2027-06-28',
  1.37: '2027-10-28',
};

/** Warning id: the release is past its upstream end of life (acknowledge it with `Annotations.acknowledgeWarning`). */
export const END_OF_LIFE_WARNING = 'cdk-k8s-platform:kubernetesVersionEndOfLife';

/** Warning id: the release reaches its upstream end of life within 90 days (a separate id). */
export const END_OF_LIFE_SOON_WARNING = 'cdk-k8s-platform:kubernetesVersionEndOfLifeSoon';

/** Warning id: the release is of a minor version newer than the library pins and tests. */
export const UNTESTED_VERSION_WARNING = 'cdk-k8s-platform:kubernetesVersionUntested';

/** The release a self-managed cluster runs, as the support check reads it. */
export interface ReleaseInUse {
  /** The construct's kind, e.g. `K3sCluster`. */
  readonly kind: string;
  /** The release, e.g. `v1.33.1+k3s1`. */
  readonly version: string;
  /** Its minor version, e.g. `1.33`. */
  readonly minor: string;
  /** The library's pinned release of each minor version (`1.34` → `K3sVersion.V1_34_12`). */
  readonly upgradePath: Readonly<Record<string, string>>;
}

/**
 * Where `release` stands in the upstream calendar today (context `cdk-k8s-platform:today` fixes the date):
 * - a minor version newer than the library's pinned ones: a warning that its add-ons were not checked on it;
 * - more than 90 days before its end of life: nothing;
 * - 90 days or fewer: a warning (`END_OF_LIFE_SOON_WARNING`) with the date and the next release;
 * - past it: a warning (`END_OF_LIFE_WARNING`) that it gets no security fixes, with every release of the
 *   upgrade, one minor version at a time. Not an error: an upgrade passes through such releases.
 */
export function checkUpstreamSupport(scope: IConstruct, release: ReleaseInUse): void {
  const newest = Object.keys(release.upgradePath).sort(byMinor).pop();
  const what = `Kubernetes ${release.minor} (${release.kind}.version ${release.version})`;
  if (newest && byMinor(release.minor, newest) > 0) {
    Annotations.of(scope).addWarningV2(UNTESTED_VERSION_WARNING,
      `${what} is newer than the releases this version of cdk-k8s-platform pins and tests (up to ${newest}): the `
      + 'add-on charts, the node scripts and the NetworkPolicy engine were not checked against it. Upgrade cdk-k8s-platform to a '
      + `release that pins ${release.minor} before you deploy it; a cluster that does not run it yet can stay on ${release.upgradePath[newest]}.`);
    return;
  }
  const endOfLife = UPSTREAM_END_OF_LIFE[release.minor];
  if (!endOfLife) return;
  const left = daysUntil(endOfLife, today(scope, release.kind));
  if (left > END_OF_SUPPORT_WARNING_DAYS) return;
  if (left > 0) {
    Annotations.of(scope).addWarningV2(END_OF_LIFE_SOON_WARNING,
      `${what} reaches its upstream end of life in ${days(left)} (${endOfLife}): from that day it gets no more patch `
      + `releases, security fixes included. ${upgradeSteps(release, 'Upgrade before then')}`);
    return;
  }
  Annotations.of(scope).addWarningV2(END_OF_LIFE_WARNING,
    `${what} reached its upstream end of life ${ago(-left)} (${endOfLife}): it gets no more patch releases, security `
    + `fixes included. ${upgradeSteps(release, 'Upgrade')}`);
}

/** The releases from the one after `release` to the newest pinned one, or a library upgrade when there is none. */
function upgradeSteps(release: ReleaseInUse, verb: string): string {
  const steps = Object.keys(release.upgradePath).sort(byMinor).filter(m => byMinor(m, release.minor) > 0);
  if (steps.length === 0) {
    return `${verb}: upgrade cdk-k8s-platform to a release that pins the next minor version, then deploy it (docs/operations.md "Upgrade").`;
  }
  return `${verb}, one minor version at a time (each deploy rolls the nodes, servers first): `
    + `${steps.map(m => `version: ${release.upgradePath[m]}`).join(', then ')} (docs/operations.md "Upgrade").`;
}

/** Orders `1.9` before `1.10`. */
function byMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am - bm || an - bn;
}
