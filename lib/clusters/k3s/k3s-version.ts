import { ValidationError } from '../../errors';
import { checkMinimumMinor } from '../self-managed/private/minimum-version';

/** A pinned k3s release (`v1.MINOR.PATCH+k3sN`), installed with the official script which verifies its checksum. */
export class K3sVersion {
  /** k3s v1.33.1+k3s1 (Kubernetes 1.33). */
  public static readonly V1_33_1 = new K3sVersion('v1.33.1+k3s1');
  /** k3s v1.32.5+k3s1 (Kubernetes 1.32). */
  public static readonly V1_32_5 = new K3sVersion('v1.32.5+k3s1');

  /** Any other release, e.g. `K3sVersion.of('v1.33.4+k3s1')`. */
  public static of(version: string): K3sVersion {
    if (!/^v1\.\d{2}\.\d{1,2}\+k3s\d$/.test(version)) {
      throw new ValidationError(`K3sVersion.of version is ${JSON.stringify(version)}: must be a k3s release tag such as "v1.33.1+k3s1" (see https://github.com/k3s-io/k3s/releases).`,
        { prop: 'version', value: version });
    }
    checkMinimumMinor('K3sVersion', version, Number(version.split('.')[1]), K3sVersion.V1_33_1.version);
    return new K3sVersion(version);
  }

  private constructor(
    /** The release tag, e.g. `v1.33.1+k3s1`. */
    public readonly version: string,
  ) {}

  public toString(): string {
    return this.version;
  }
}
