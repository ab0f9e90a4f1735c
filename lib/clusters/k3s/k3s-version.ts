import { ValidationError } from '../../errors';
import { checkMinimumMinor } from '../self-managed/private/minimum-version';

/**
 * A pinned k3s release (`v1.MINOR.PATCH+k3sN`), installed with the official script which verifies its checksum.
 *
 * The constants are the library's pinned release of each Kubernetes minor version it supports, newest first
 * (sources: the k3s releases of 2026-09-30, `stable` channel v1.36.5+k3s1). Upgrade one minor version at a time.
 */
export class K3sVersion {
  /** k3s v1.36.5+k3s1 (Kubernetes 1.36, upstream end of life 2027-06-28). The default. */
  public static readonly V1_36_5 = new K3sVersion('v1.36.5+k3s1');
  /** k3s v1.35.9+k3s1 (Kubernetes 1.35, upstream end of life 2027-02-28). */
  public static readonly V1_35_9 = new K3sVersion('v1.35.9+k3s1');
  /** k3s v1.34.12+k3s1 (Kubernetes 1.34, past its upstream end of life 2026-10-27): a step of an upgrade from 1.33. */
  public static readonly V1_34_12 = new K3sVersion('v1.34.12+k3s1');
  /** k3s v1.33.1+k3s1 (Kubernetes 1.33, past its upstream end of life 2026-06-28): upgrade to V1_34_12. */
  public static readonly V1_33_1 = new K3sVersion('v1.33.1+k3s1');
  /** k3s v1.32.5+k3s1 (Kubernetes 1.32, past its upstream end of life 2026-02-28): upgrade to V1_33_1. */
  public static readonly V1_32_5 = new K3sVersion('v1.32.5+k3s1');

  /** Any other release, e.g. `K3sVersion.of('v1.36.6+k3s1')`. */
  public static of(version: string): K3sVersion {
    if (!/^v1\.\d{2}\.\d{1,2}\+k3s\d$/.test(version)) {
      throw new ValidationError(`K3sVersion.of version is ${JSON.stringify(version)}: must be a k3s release tag such as "${K3sVersion.V1_36_5.version}" (see https://github.com/k3s-io/k3s/releases).`,
        { prop: 'version', value: version });
    }
    checkMinimumMinor('K3sVersion', version, Number(version.split('.')[1]), K3sVersion.V1_36_5.version);
    return new K3sVersion(version);
  }

  private constructor(
    /** The release tag, e.g. `v1.36.5+k3s1`. */
    public readonly version: string,
  ) {}

  /** The Kubernetes minor version, e.g. `1.36`. */
  public get minor(): string {
    return this.version.slice(1).split('.').slice(0, 2).join('.');
  }

  public toString(): string {
    return this.version;
  }
}

/** The pinned release of each minor version by its constant's name (`1.34` → `K3sVersion.V1_34_12`). */
export const K3S_UPGRADE_PATH: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(
  (['V1_32_5', 'V1_33_1', 'V1_34_12', 'V1_35_9', 'V1_36_5'] as const).map(name => [K3sVersion[name].minor, `K3sVersion.${name}`]),
));
