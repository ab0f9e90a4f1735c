import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IDependable } from 'constructs';
import { EksPlatformNetworkConfig } from './platform-network-config';
import { VolumeBackupAddOn, VolumeBackupAddOnProps } from '../addons/backup/volume-backup-add-on';
import { IPlatformAddOn } from '../addons/platform-add-on';
import { ClusterCapacity, ClusterEndpointAccess, EksKubernetesVersion, EksPlatformCluster, ExternalSecretsOptions, VolumeReclaimPolicy } from '../clusters/eks';
import { platformNetwork } from './private/network';
import { claimPlatformName } from './private/platform-name';
import { TeamAccessOptions } from '../clusters/eks/eks-team-access';
import { validateEndpointAccess } from '../clusters/eks/private/endpoint';
import { PlatformNetwork } from '../network';
import { installAddOns } from './private/add-ons';
import { withVolumeBackup } from './private/volume-backup';
import { cdkPropValidator } from '../private/validate';
import { PlatformTeam } from '../workloads/platform-team';

/** Props of an {@link EksPlatformStack}: one typed config for network and cluster. */
export interface EksPlatformStackProps extends StackProps {
  /**
   * Name of the platform (lowercase letters, digits, '-'); the cluster, the backup vault and the secrets' prefix
   * are named after it, so one name serves one platform per account and region. A second platform stack of the
   * app with the name is refused where both deploy to the same account and region, and warned about
   * (`cdk-k8s-platform:platformNameShared`, acknowledgeable) where one of them does not name its account or region.
   */
  readonly platformName: string;
  /**
   * Network settings.
   * @default - a 3-AZ VPC with one NAT gateway and flow logs to CloudWatch Logs
   */
  readonly network?: EksPlatformNetworkConfig;
  /**
   * The Kubernetes version (a row of `EKS_VERSION_TABLE`). Upgrade one minor version at a time: control
   * plane, then add-ons, then node groups roll (docs/eks.md "Upgrading Kubernetes"). Setting it also sets
   * every node group's version.
   * @default EksKubernetesVersion.V1_35
   */
  readonly version?: EksKubernetesVersion;
  /**
   * Who can reach the Kubernetes API. `publicAndPrivate(...cidrs)` needs at least one CIDR and refuses `/0`;
   * a public endpoint for every address is the explicit `ClusterEndpointAccess.publicFromAnywhere()`.
   * @default ClusterEndpointAccess.privateOnly() (reach it from the VPC or a connected network: docs/eks.md)
   */
  readonly endpointAccess?: ClusterEndpointAccess;
  /**
   * Capacity of the cluster.
   * @default ClusterCapacity.managedNodeGroups()
   */
  readonly capacity?: ClusterCapacity;
  /**
   * The cluster-admin role.
   * @default - a role is created; its ARN is an output
   */
  readonly adminRole?: iam.IRole;
  /**
   * Retention of control-plane logs (shorter than a year is acknowledged as your choice).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly controlPlaneLogRetention?: logs.RetentionDays;
  /**
   * One customer-managed KMS key for the log groups (VPC flow logs, control-plane logs), a flow log bucket
   * the platform creates and the volume backup vault (`volumeBackup`). A key defined in the same app gets the
   * key-policy statements CloudWatch Logs and log delivery need; for a key from elsewhere, add them yourself (a
   * synth warning gives them). Kubernetes Secrets keep their own key (changing a cluster's key replaces the
   * cluster).
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
   * Backups of the StatefulService volumes, on by default: AWS Backup of the cluster's gp3 EBS volumes, daily
   * at 03:00 UTC, each kept 35 days, in a retained vault encrypted with `encryptionKey` (see
   * {@link VolumeBackupAddOn}). `false` turns them off; an object tunes schedule, retention or the vault's key.
   * A VolumeBackupAddOn given in `addOns` takes the place of the default. Where backups cannot run (EKS Auto Mode)
   * the default is off with a warning (`cdk-k8s-platform:volumeBackupUnavailable`) saying why and what to do;
   * `true` or an object given there is refused.
   * @default true
   */
  readonly volumeBackup?: boolean | VolumeBackupAddOnProps;
  /**
   * Keep the deprecated `EncryptionConfig[].Resources` on the cluster, as earlier versions of this library
   * wrote it: set it for a cluster deployed with such a version (see EksPlatformClusterProps.legacyEncryptionConfig).
   * @default false
   */
  readonly legacyEncryptionConfig?: boolean;
  /**
   * EKS deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Reclaim policy of the gp3 StorageClass.
   * @default VolumeReclaimPolicy.RETAIN
   */
  readonly volumeReclaimPolicy?: VolumeReclaimPolicy;
  /**
   * The External Secrets Operator and its ClusterSecretStore for AWS Secrets Manager.
   * @default - installed; it may read the secrets named `<platformName>/...`
   */
  readonly externalSecrets?: ExternalSecretsOptions;
}

const PLATFORM_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

/**
 * The EKS platform in one stack: a {@link PlatformNetwork} and an {@link EksPlatformCluster}, with outputs
 * for the cluster name, the `aws eks update-kubeconfig` command and the admin role. Deliver workloads with
 * `stack.cluster.addWorkloads('apps', charts)`.
 *
 * Synthesizes without an account or region (env-agnostic) and without any lookup.
 */
export class EksPlatformStack extends Stack {
  /** The network. */
  public readonly network: PlatformNetwork;
  /** What each add-on's workloads must be deployed after, by add-on name. */
  public readonly addOns: Record<string, IDependable>;
  /** The volume backups (the default, or the VolumeBackupAddOn given in `addOns`); undefined when off. */
  public readonly volumeBackup?: VolumeBackupAddOn;
  /** The cluster. */
  public readonly cluster: EksPlatformCluster;

  constructor(scope: Construct, id: string, props: EksPlatformStackProps) {
    super(scope, id, props);
    const v = cdkPropValidator(this, 'EksPlatformStack');
    v.check(typeof props.platformName === 'string' && PLATFORM_NAME.test(props.platformName), 'platformName', props.platformName,
      'must be 2-40 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (e.g. "acme").');
    claimPlatformName(this, v, props.platformName);

    if (props.endpointAccess) validateEndpointAccess(v, 'endpointAccess', props.endpointAccess);
    this.network = platformNetwork(this, v, props.network, props.encryptionKey);

    this.cluster = new EksPlatformCluster(this, 'Eks', {
      vpc: this.network.vpc,
      vpcCidr: this.network.vpcCidr,
      clusterName: props.platformName,
      version: props.version,
      endpointAccess: props.endpointAccess,
      capacity: props.capacity,
      adminRole: props.adminRole,
      controlPlaneLogRetention: props.controlPlaneLogRetention,
      encryptionKey: props.encryptionKey,
      legacyEncryptionConfig: props.legacyEncryptionConfig,
      deletionProtection: props.deletionProtection,
      volumeReclaimPolicy: props.volumeReclaimPolicy,
      externalSecrets: props.externalSecrets,
    });
    const platformAddOns = withVolumeBackup(this, v, this.cluster, props);
    this.volumeBackup = platformAddOns.volumeBackup;
    this.addOns = installAddOns(v, this.cluster, platformAddOns.addOns);

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName, description: 'EKS cluster name' });
    new CfnOutput(this, 'AdminRoleArn', { value: this.cluster.adminRole.roleArn, description: 'IAM role with cluster-admin access (access entry)' });
    new CfnOutput(this, 'UpdateKubeconfigCommand', {
      value: `aws eks update-kubeconfig --name ${this.cluster.clusterName} --region ${this.region} --role-arn ${this.cluster.adminRole.roleArn}`,
      description: 'Writes a kubeconfig entry that assumes the admin role',
    });
  }

  /**
   * Maps IAM roles to a team's namespaces through EKS access entries (`EksPlatformCluster.addTeam`); deliver
   * the chart that holds the team with `cluster.addWorkloads`.
   */
  public addTeam(team: PlatformTeam, options: TeamAccessOptions = {}): void {
    this.cluster.addTeam(team, options);
  }
}
