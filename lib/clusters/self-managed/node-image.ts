import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ValidationError } from '../../errors';

/** The operating system family of a node image: decides how the bootstrap scripts install packages. */
export class NodeOsFamily {
  /** Ubuntu (apt; the AWS CLI is installed from snap at boot). */
  public static readonly UBUNTU = new NodeOsFamily('ubuntu', '/dev/sda1');
  /** Amazon Linux 2023 (dnf; SELinux permissive, the AWS CLI preinstalled). */
  public static readonly AMAZON_LINUX_2023 = new NodeOsFamily('al2023', '/dev/xvda');

  private constructor(
    /** The family's short name used by the bootstrap scripts (ubuntu, al2023). */
    public readonly name: string,
    /** The root volume's device name in the family's AMIs. */
    public readonly rootDeviceName: string,
  ) {}
}

/** Options of {@link NodeImage.ubuntu2404}. */
export interface Ubuntu2404ImageOptions {
  /**
   * The Canonical image serial (release date, `YYYYMMDD[.n]`) to pin. The AMI id is read from Canonical's
   * public SSM parameter for that serial at deploy time, so it never changes until you change the serial.
   * @default '20240423' (the 24.04 LTS release image)
   */
  readonly serial?: string;
}

/**
 * A pinned machine image for the nodes. A pinned image never changes on `cdk deploy`, so a new public AMI
 * never replaces a node; change it deliberately (a new launch template version; running nodes keep theirs
 * until they are replaced).
 */
export class NodeImage {
  /**
   * Ubuntu Server 24.04 LTS pinned to one Canonical image serial, in every region, without an account
   * lookup (the id comes from Canonical's per-serial public SSM parameter at deploy time).
   */
  public static ubuntu2404(options: Ubuntu2404ImageOptions = {}): NodeImage {
    const serial = options.serial ?? '20240423';
    if (!/^\d{8}(\.\d+)?$/.test(serial)) {
      throw new ValidationError(`NodeImage.ubuntu2404 serial is ${JSON.stringify(serial)}: must be a Canonical image serial such as "20240423" (YYYYMMDD, optionally ".n").`,
        { prop: 'serial', value: serial });
    }
    return new NodeImage(NodeOsFamily.UBUNTU, `ubuntu-24.04-${serial}`, arch => ec2.MachineImage.fromSsmParameter(
      `/aws/service/canonical/ubuntu/server/24.04/stable/${serial}/${arch === ec2.InstanceArchitecture.ARM_64 ? 'arm64' : 'amd64'}/hvm/ebs-gp3/ami-id`));
  }

  /**
   * Explicit AMI ids per region (`{ 'eu-west-1': 'ami-0123456789abcdef0' }`) of the given OS family and of
   * the cluster's architecture. The stack must be deployed to one of these regions.
   */
  public static fromAmiMap(family: NodeOsFamily, amiMap: Record<string, string>): NodeImage {
    const bad = Object.entries(amiMap).find(([, id]) => !/^ami-[0-9a-f]{8,17}$/.test(id));
    if (Object.keys(amiMap).length === 0 || bad) {
      throw new ValidationError(`NodeImage.fromAmiMap amiMap is ${JSON.stringify(amiMap)}: must map at least one region to an AMI id such as "ami-0123456789abcdef0".`,
        { prop: 'amiMap', value: amiMap });
    }
    return new NodeImage(family, `custom-${family.name}`, () => ec2.MachineImage.genericLinux(amiMap));
  }

  private constructor(
    /** The OS family (decides package installation). */
    public readonly family: NodeOsFamily,
    /** A short description, e.g. `ubuntu-24.04-20240423`. */
    public readonly description: string,
    private readonly factory: (arch: ec2.InstanceArchitecture) => ec2.IMachineImage,
  ) {}

  /** The CDK machine image for `architecture`. @internal */
  public _machineImage(architecture: ec2.InstanceArchitecture): ec2.IMachineImage {
    return this.factory(architecture);
  }
}
