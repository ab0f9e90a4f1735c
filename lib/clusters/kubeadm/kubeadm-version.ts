import { ValidationError } from '../../errors';
import { checkMinimumMinor } from '../self-managed/private/minimum-version';

/**
 * A pinned Kubernetes release for kubeadm clusters, installed from the pkgs.k8s.io per-minor repository.
 *
 * The constants are the library's pinned release of each Kubernetes minor version it supports, newest first
 * (the patch releases of 2026-09, the ones k3s v1.3x.y+k3s1 of 2026-09-30 carry). Upgrade one minor version at a time.
 */
export class KubeadmVersion {
  /** Kubernetes 1.36.5 (upstream end of life 2027-06-28). The default. */
  public static readonly V1_36_5 = new KubeadmVersion('1.36.5');
  /** Kubernetes 1.35.9 (upstream end of life 2027-02-28). */
  public static readonly V1_35_9 = new KubeadmVersion('1.35.9');
  /** Kubernetes 1.34.12 (past its upstream end of life 2026-10-27): a step of an upgrade from 1.33. */
  public static readonly V1_34_12 = new KubeadmVersion('1.34.12');
  /** Kubernetes 1.33.1 (past its upstream end of life 2026-06-28): upgrade to V1_34_12. */
  public static readonly V1_33_1 = new KubeadmVersion('1.33.1');
  /** Kubernetes 1.32.5 (past its upstream end of life 2026-02-28): upgrade to V1_33_1. */
  public static readonly V1_32_5 = new KubeadmVersion('1.32.5');

  /** Any other release, e.g. `KubeadmVersion.of('1.36.6')`. */
  public static of(version: string): KubeadmVersion {
    if (!/^1\.\d{2}\.\d{1,2}$/.test(version)) {
      throw new ValidationError(`KubeadmVersion.of version is ${JSON.stringify(version)}: must be a Kubernetes release such as "${KubeadmVersion.V1_36_5.version}" (no "v", no suffix).`,
        { prop: 'version', value: version });
    }
    checkMinimumMinor('KubeadmVersion', version, Number(version.split('.')[1]), KubeadmVersion.V1_36_5.version);
    return new KubeadmVersion(version);
  }

  private constructor(
    /** The release, e.g. `1.36.5`. */
    public readonly version: string,
  ) {}

  /** The minor release, e.g. `1.36` (names the pkgs.k8s.io repository). */
  public get minor(): string {
    return this.version.split('.').slice(0, 2).join('.');
  }

  public toString(): string {
    return this.version;
  }
}

/** The pinned release of each minor version by its constant's name (`1.34` → `KubeadmVersion.V1_34_12`). */
export const KUBEADM_UPGRADE_PATH: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(
  (['V1_32_5', 'V1_33_1', 'V1_34_12', 'V1_35_9', 'V1_36_5'] as const).map(name => [KubeadmVersion[name].minor, `KubeadmVersion.${name}`]),
));
