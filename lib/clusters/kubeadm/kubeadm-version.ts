import { ValidationError } from '../../errors';
import { checkMinimumMinor } from '../self-managed/private/minimum-version';

/** A pinned Kubernetes release for kubeadm clusters, installed from the pkgs.k8s.io per-minor repository. */
export class KubeadmVersion {
  /** Kubernetes 1.33.1. */
  public static readonly V1_33_1 = new KubeadmVersion('1.33.1');
  /** Kubernetes 1.32.5. */
  public static readonly V1_32_5 = new KubeadmVersion('1.32.5');

  /** Any other release, e.g. `KubeadmVersion.of('1.33.4')`. */
  public static of(version: string): KubeadmVersion {
    if (!/^1\.\d{2}\.\d{1,2}$/.test(version)) {
      throw new ValidationError(`KubeadmVersion.of version is ${JSON.stringify(version)}: must be a Kubernetes release such as "1.33.1" (no "v", no suffix).`,
        { prop: 'version', value: version });
    }
    checkMinimumMinor('KubeadmVersion', version, Number(version.split('.')[1]), KubeadmVersion.V1_33_1.version);
    return new KubeadmVersion(version);
  }

  private constructor(
    /** The release, e.g. `1.33.1`. */
    public readonly version: string,
  ) {}

  /** The minor release, e.g. `1.33` (names the pkgs.k8s.io repository). */
  public get minor(): string {
    return this.version.split('.').slice(0, 2).join('.');
  }

  public toString(): string {
    return this.version;
  }
}
