import { Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IDependable } from 'constructs';
import { selfManagedReason } from '../addons/backup/private/self-managed-reason';
import { VolumeBackupAddOn, VolumeBackupAddOnProps } from '../addons/backup/volume-backup-add-on';
import { EbsCsiAddOn } from '../addons/ebs-csi/ebs-csi-add-on';
import { IPlatformAddOn } from '../addons/platform-add-on';
import { TeamAccessOptions } from '../clusters/eks/eks-team-access';
import { SelfManagedClusterBase, SelfManagedClusterOptions } from '../clusters/self-managed';
import { PlatformNetwork } from '../network';
import { SelfManagedPlatformNetworkConfig } from './platform-network-config';
import { installAddOns } from './private/add-ons';
import { platformNetwork } from './private/network';
import { claimPlatformName } from './private/platform-name';
import { withVolumeBackup } from './private/volume-backup';
import { SelfManagedDistribution } from './self-managed-distribution';
import { cdkPropValidator } from '../private/validate';
import { PlatformTeam } from '../workloads/platform-team';
import { checkTeamJoins } from '../workloads/private/platform-team-checks';

/** Props of a {@link SelfManagedPlatformStack}. */
export interface SelfManagedPlatformStackProps extends StackProps {
  /**
   * Name of the platform (lowercase letters, digits, '-'); the cluster, the backup vault and the secrets' prefix
   * are named after it, so one name serves one platform per account and region. A second platform stack of the
   * app with the name is refused where both deploy to the same account and region, and warned about
   * (`cdk-k8s-platform:platformNameShared`, acknowledgeable) where one of them does not name its account or region.
   */
  readonly platformName: string;
  /**
   * k3s or kubeadm, with its options.
   * @default SelfManagedDistribution.k3s()
   */
  readonly distribution?: SelfManagedDistribution;
  /**
   * Network settings.
   * @default - a 3-AZ VPC with one NAT gateway and flow logs to CloudWatch Logs
   */
  readonly network?: SelfManagedPlatformNetworkConfig;
  /**
   * Nodes, access and ingress settings of the cluster.
   * @default - 1 server + 2 agents, t4g.medium, Ubuntu 24.04, internal ingress NLB
   */
  readonly cluster?: SelfManagedClusterOptions;
  /**
   * A customer-managed KMS key for the flow-log group, the cluster's secrets, on k3s the etcd snapshot
   * bucket (see `SelfManagedClusterProps.encryptionKey` for what the node roles get) and the EBS volumes of
   * {@link EbsCsiAddOn} (the node roles may then use it through EC2 for those volumes).
   * @default - AWS-managed keys; the customer-managed-key findings are acknowledged
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Platform add-ons to install on the cluster, in order (observability, cert-manager, VPA, ...). Each is
   * installed the same way on every cluster kind; one that cannot run on this kind says so at synth.
   * @default - none
   */
  readonly addOns?: IPlatformAddOn[];
  /**
   * EBS volumes for StatefulServices: installs {@link EbsCsiAddOn} (the EBS CSI driver and a `gp3`
   * StorageClass, encrypted and retained) first, and makes gp3 the default class of StatefulService volumes
   * instead of the node-local `local-path`, so they outlive their node and are backed up (`volumeBackup`).
   * Installing it changes IAM policies, an SSM association and the add-on deliveries only: no node is
   * replaced. Claims that exist keep their class and data. An EbsCsiAddOn given in `addOns` takes the place
   * of the default (and is installed first too).
   * @default true
   */
  readonly ebsCsi?: boolean;
  /**
   * Backups of the StatefulService volumes, the same prop as on EksPlatformStack: AWS Backup of the gp3
   * volumes of {@link EbsCsiAddOn} (daily at 03:00 UTC, kept 35 days). Without the EBS add-on (`ebsCsi:
   * false`) the default class is local-path, a directory on one node's disk that no service backs up per
   * volume: none run and the stack warns (`cdk-k8s-platform:volumeBackupUnavailable`) with what to use
   * instead (`false` acknowledges it; `true` or an options object is refused). The cluster state is backed up either
   * way (etcd snapshots).
   * @default true
   */
  readonly volumeBackup?: boolean | VolumeBackupAddOnProps;
}

const PLATFORM_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/**
 * The self-managed platform in one stack: a {@link PlatformNetwork} and a three-node {@link K3sCluster}
 * (or {@link KubeadmCluster}), with outputs for fetching the kubeconfig and opening an SSM port-forwarding
 * session. Deliver workloads with `stack.cluster.addWorkloads('apps', charts)`.
 *
 * Synthesizes without an account or region (env-agnostic) and without any lookup.
 */
export class SelfManagedPlatformStack extends Stack {
  /** The network. */
  public readonly network: PlatformNetwork;
  /** What each add-on's workloads must be deployed after, by add-on name. */
  public readonly addOns: Record<string, IDependable>;
  /** The EBS CSI driver and its gp3 class (the default, or the EbsCsiAddOn given in `addOns`); undefined when off. */
  public readonly ebsCsi?: EbsCsiAddOn;
  /** The volume backups (the default, or the VolumeBackupAddOn given in `addOns`); undefined when off. */
  public readonly volumeBackup?: VolumeBackupAddOn;
  /** The cluster. */
  public readonly cluster: SelfManagedClusterBase;
  /** The teams added with {@link addTeam}. */
  public readonly teams: PlatformTeam[] = [];

  constructor(scope: Construct, id: string, props: SelfManagedPlatformStackProps) {
    super(scope, id, props);
    const v = cdkPropValidator(this, 'SelfManagedPlatformStack');
    v.check(typeof props.platformName === 'string' && PLATFORM_NAME.test(props.platformName), 'platformName', props.platformName,
      'must be 2-32 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (e.g. "acme").');
    claimPlatformName(this, v, props.platformName);
    this.network = platformNetwork(this, v, props.network, props.encryptionKey);
    const distribution = props.distribution ?? SelfManagedDistribution.k3s();
    this.cluster = distribution._create(this, 'Cluster', {
      ...props.cluster, vpc: this.network.vpc, clusterName: props.platformName, encryptionKey: props.encryptionKey,
    });
    const addOns = withEbsVolumes(v, props);
    const ebs = Array.isArray(addOns) ? addOns.find((a): a is EbsCsiAddOn => a instanceof EbsCsiAddOn) : undefined;
    this.ebsCsi = ebs;
    const platformAddOns = withVolumeBackup(this, v, this.cluster, { ...props, addOns }, () => selfManagedReason(ebs));
    this.volumeBackup = platformAddOns.volumeBackup;
    this.addOns = installAddOns(v, this.cluster, platformAddOns.addOns);
  }

  /**
   * Checks a team for this cluster (no namespace shared with another team added here); deliver the chart
   * that holds the team with `cluster.addWorkloads`. IAM roles cannot sign in to k3s or kubeadm: users get
   * the team's groups from client certificates or OIDC (docs/teams.md), so `options.iamRoles` is refused.
   */
  public addTeam(team: PlatformTeam, options: TeamAccessOptions = {}): void {
    const v = cdkPropValidator(this, 'SelfManagedPlatformStack.addTeam');
    if (options.iamRoles !== undefined) {
      v.fail('iamRoles', Object.keys(options.iamRoles), `maps IAM roles to team "${team.name}", but a ${this.cluster.distribution} cluster has no AWS authenticator: `
        + 'give people the team\'s groups through client certificates signed by the cluster CA (CSR API) or an OIDC provider (docs/teams.md), and drop iamRoles.');
    }
    checkTeamJoins(v, this.teams, team);
    this.teams.push(team);
  }
}

/**
 * The add-ons with the {@link EbsCsiAddOn} first (so the other add-ons and charts see gp3 as the default
 * class): the one `addOns` hold, or the default unless `ebsCsi` is false; the default's volumes carry the
 * backup tag unless `volumeBackup` is false.
 */
function withEbsVolumes(v: ReturnType<typeof cdkPropValidator>, props: SelfManagedPlatformStackProps): IPlatformAddOn[] | undefined {
  v.check(props.ebsCsi === undefined || typeof props.ebsCsi === 'boolean', 'ebsCsi', props.ebsCsi, 'must be true or false (install the EBS CSI driver and its gp3 class).');
  const given = props.addOns;
  if (given !== undefined && !Array.isArray(given)) return given;
  const mine = given?.find(a => a instanceof EbsCsiAddOn);
  v.check(mine === undefined || props.ebsCsi !== false, 'ebsCsi', props.ebsCsi,
    'cannot be false while addOns holds an EbsCsiAddOn, which installs the driver anyway: drop ebsCsi: false to use yours, or remove the EbsCsiAddOn to have no EBS volumes.');
  // first, so every other add-on (Prometheus's volume, say) and chart sees gp3 as the default class
  if (mine !== undefined) return [mine, ...given!.filter(a => a !== mine)];
  if (props.ebsCsi === false || given?.some(a => a?.name === 'ebs-csi')) return given;
  return [new EbsCsiAddOn({ volumeBackupTag: props.volumeBackup !== false }), ...given ?? []];
}

/** @deprecated Use {@link SelfManagedPlatformStackProps}. */
export type K3sPlatformStackProps = SelfManagedPlatformStackProps;

/** @deprecated Use {@link SelfManagedPlatformStack}: the same stack, named for what it builds (k3s or kubeadm). */
export class K3sPlatformStack extends SelfManagedPlatformStack {}
