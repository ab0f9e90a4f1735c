import { Annotations, DefaultStackSynthesizer, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { CfnCluster } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Chart } from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { ClusterCapacity, NodeArchitecture } from './capacity';
import { EksAddons, VolumeReclaimPolicy } from './eks-addons';
import { EksAlbController } from './eks-alb-controller';
import { EksClusterAutoscaler } from './eks-cluster-autoscaler';
import { EksExternalSecrets, ExternalSecretsOptions } from './eks-external-secrets';
import { EksNodeGroup } from './eks-node-group';
import { EksTeamAccess, TeamAccessOptions } from './eks-team-access';
import { EksWorkloadIdentity } from './eks-workload-identity';
import { ClusterEndpointAccess } from './endpoint-access';
import * as acks from './private/acknowledgements';
import { installAddOnChart } from './private/add-on-chart';
import { validateEndpointAccess } from './private/endpoint';
import { checkVersionSupport } from './private/version-support';
import { prepareCharts, WorkloadIdentityBindings } from './private/workload-bindings';
import { DEFAULT_EKS_VERSION, EKS_VERSION_TABLE, EksKubernetesVersion } from './versions';
import { HelmChartReleases } from '../../delivery/helm-chart-releases';
import { acknowledgeLogGroupChoices, allowLogsToUseKey, DEFAULT_LOG_RETENTION } from '../../network/private/log-groups';
import { denyGrantsExceptForAwsServices } from '../../private/kms';
import { acknowledge, CDK_DEFAULT_POLICY, NagAcknowledgement } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { ClusterTraits } from '../../workloads';
import { PlatformTeam } from '../../workloads/platform-team';
import { checkMember } from '../../workloads/private/fixed-set';
import { IWorkloadIdentity } from '../../workloads/workload-identity';
import { AddOnHelmChartProps } from '../add-on-helm-chart';
import { ClusterDistribution } from '../cluster-distribution';
import { IPlatformCluster } from '../platform-cluster';
import { resolveAddOnHelmChart } from '../private/add-on-helm-chart';
import { checkChartTraits } from '../private/chart-traits';
import { IWorkloadIdentityGrant } from '../workload-identity';

/** Props of an {@link EksPlatformCluster}. */
export interface EksPlatformClusterProps {
  /** The VPC (e.g. `PlatformNetwork.vpc`); the control plane and nodes use its private subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * The VPC's IPv4 CIDR, for the traits (NetworkPolicies admit ALB traffic from it).
   * @default - `vpc.vpcCidrBlock` when known at synth time, otherwise no CIDR in the traits
   */
  readonly vpcCidr?: string;
  /**
   * The cluster name (1-100 letters, digits, '-' and '_', starting with a letter or digit). Changing it
   * replaces the cluster.
   * @default - a name derived from the construct path (stable)
   */
  readonly clusterName?: string;
  /**
   * The Kubernetes version, a row of `EKS_VERSION_TABLE` with the add-on, chart and kubectl layer versions
   * that go with it. Upgrade one minor version at a time: a change moves the control plane first, then the
   * add-ons, then the node groups (rolling, see docs/eks.md). Setting it also sets the version of every node
   * group, so that the nodes follow the control plane; a warning says when it is within 90 days of the end of
   * EKS standard support (context `cdk-k8s-platform:today` fixes the date).
   * @default EksKubernetesVersion.V1_35 (node groups then keep the version EKS gave them at creation)
   */
  readonly version?: EksKubernetesVersion;
  /**
   * Who can reach the Kubernetes API endpoint. `publicAndPrivate(...cidrs)` needs at least one CIDR and
   * refuses `/0`; a public endpoint for every address is the explicit `publicFromAnywhere()`.
   * @default ClusterEndpointAccess.privateOnly() (reach it from the VPC or a network connected to it)
   */
  readonly endpointAccess?: ClusterEndpointAccess;
  /**
   * Where pods run.
   * @default ClusterCapacity.managedNodeGroups() (x86_64 AL2023, 2-6 on-demand nodes, Cluster Autoscaler)
   */
  readonly capacity?: ClusterCapacity;
  /**
   * The IAM role that gets cluster-admin through an access entry (`AmazonEKSClusterAdminPolicy`). The
   * identity that deploys the stack gets no implicit admin rights.
   * @default - a role assumable by principals of this account that are allowed to assume it
   */
  readonly adminRole?: iam.IRole;
  /**
   * KMS key for envelope encryption of Kubernetes Secrets (and, from Kubernetes 1.28 on, all Kubernetes API
   * data). Changing it replaces the cluster.
   * @default - a key with rotation, retained when the stack is deleted, whose policy lets only AWS services create grants
   */
  readonly secretsEncryptionKey?: kms.IKey;
  /**
   * Customer-managed KMS key for the control-plane log group. When the key is defined in the same app, its
   * policy gets the statement CloudWatch Logs needs; for a key from elsewhere add it yourself (a warning
   * gives it). Kubernetes Secrets keep `secretsEncryptionKey`: changing a cluster's key replaces the cluster.
   * @default - the CloudWatch Logs service key; the customer-managed-key findings are acknowledged
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the control-plane logs (api, audit, authenticator). Shorter than a year fails AWS's guard
   * rule CT.CLOUDWATCH.PR.2; the finding is then acknowledged as your choice.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly controlPlaneLogRetention?: logs.RetentionDays;
  /**
   * Write the cluster's encryption configuration as versions of this library before the CloudFormation
   * validation fixes did: with the deprecated `EncryptionConfig[].Resources: ['secrets']`. Set it for a
   * cluster deployed with such a version: CloudFormation cannot change `EncryptionConfig` without replacing
   * the cluster, so dropping the property would fail the update. Its deprecation warning (W9009) is then
   * acknowledged.
   * @default false
   */
  readonly legacyEncryptionConfig?: boolean;
  /**
   * Refuse deletion of the cluster (EKS `deletionProtection`); turn off before deleting the stack.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Reclaim policy of the gp3 StorageClass.
   * @default VolumeReclaimPolicy.RETAIN
   */
  readonly volumeReclaimPolicy?: VolumeReclaimPolicy;
  /**
   * Tags of the cluster resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
  /**
   * The External Secrets Operator and a ClusterSecretStore `aws-secrets-manager`, so that
   * `SecretRef.fromAwsSecretsManager` works out of the box; it may read only secrets named `<prefix>...`.
   * @default - installed; secrets named `<clusterName>/...` are readable
   */
  readonly externalSecrets?: ExternalSecretsOptions;
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

/**
 * An EKS cluster on `aws-eks-v2`, secure by default: Kubernetes version pinned (versions.ts), Secrets
 * encrypted with a retained KMS key, private API endpoint, api/audit/authenticator logs kept a year, `upgradePolicy`
 * STANDARD (no extended-support billing), deletion protection, access entries only (no implicit
 * cluster-creator admin), AL2023 managed node groups with IMDSv2 (hop limit 1) and encrypted gp3 volumes
 * (or EKS Auto Mode), and the add-ons workloads need: vpc-cni, kube-proxy, CoreDNS, Pod Identity agent,
 * EBS CSI + gp3 StorageClass, metrics-server, AWS Load Balancer Controller, Cluster Autoscaler.
 *
 * Workloads arrive with {@link addWorkloads}: cdk8s charts shipped as Helm chart assets (one release per
 * chart), installed after the controllers they need.
 */
export class EksPlatformCluster extends Construct implements IPlatformCluster {
  /** The EKS cluster. */
  public readonly cluster: eks.Cluster;
  /** The cluster's name (known at synth time). */
  public readonly clusterName: string;
  /** The Kubernetes version. */
  public readonly version: EksKubernetesVersion;
  /** {@link ClusterDistribution.EKS}. */
  public readonly distribution = ClusterDistribution.EKS;
  /** The traits workloads are built with (ALB ingress, gp3 storage, NLB annotations). */
  public readonly traits: ClusterTraits;
  /** The role with cluster-admin access. */
  public readonly adminRole: iam.IRole;
  /** The Secrets encryption key. */
  public readonly secretsKey: kms.IKey;
  /** The control-plane log group `/aws/eks/<name>/cluster`. */
  public readonly controlPlaneLogGroup: logs.LogGroup;
  /** The managed node groups (empty in Auto Mode). */
  public readonly nodeGroups: EksNodeGroup[] = [];
  /** The EKS add-ons and the StorageClass. */
  public readonly addons: EksAddons;
  /** The AWS Load Balancer Controller (managed node groups only; Auto Mode has its own). */
  public readonly albController?: EksAlbController;
  /** The Cluster Autoscaler (managed node groups with `clusterAutoscaler` on). */
  public readonly clusterAutoscaler?: EksClusterAutoscaler;
  /** The External Secrets Operator and its ClusterSecretStore (unless turned off). */
  public readonly externalSecrets?: EksExternalSecrets;
  /** Everything workloads are delivered after (controllers, add-ons, StorageClass). */
  public readonly workloadDependencies: IDependable[];
  private readonly identityBindings: WorkloadIdentityBindings;

  constructor(scope: Construct, id: string, props: EksPlatformClusterProps) {
    super(scope, id);
    const v = cdkPropValidator(this, 'EksPlatformCluster');
    if (!props.vpc) v.fail('vpc', props.vpc, 'is required: pass PlatformNetwork.vpc or an existing ec2.IVpc.');

    const clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    v.check(!Token.isUnresolved(clusterName) && CLUSTER_NAME.test(clusterName), 'clusterName', clusterName,
      'must be 1-100 letters, digits, \'-\' and \'_\', starting with a letter or digit, and known at synth time (e.g. "acme").');
    this.clusterName = clusterName;
    this.version = checkMember(v, 'version', props.version, 'EksKubernetesVersion', EksKubernetesVersion, DEFAULT_EKS_VERSION);
    const pins = EKS_VERSION_TABLE[this.version];
    checkVersionSupport(this, this.version);

    const endpoint = props.endpointAccess ?? ClusterEndpointAccess.privateOnly();
    validateEndpointAccess(v, 'endpointAccess', endpoint);
    const capacity = props.capacity ?? ClusterCapacity.managedNodeGroups();
    const autoMode = capacity.kind === 'autoMode';

    this.controlPlaneLogGroup = controlPlaneLogGroup(this, clusterName, props);
    this.secretsKey = props.secretsEncryptionKey ?? secretsKey(this, clusterName);

    // The kubectl/helm Lambda stays out of the VPC when the public endpoint is open to any address: the
    // L2 is told "public" and the private endpoint is switched on below through the CfnCluster. Otherwise it
    // runs in the private subnets with its own security group (HTTPS out only), admitted by the control plane.
    const kubectlOutsideVpc = endpoint.openToInternet;
    const kubectlSecurityGroup = kubectlOutsideVpc ? undefined : httpsOnlySecurityGroup(this, props.vpc, clusterName);
    const l2Endpoint = !endpoint.publicAccess ? eks.EndpointAccess.PRIVATE
      : kubectlOutsideVpc ? eks.EndpointAccess.PUBLIC
        : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...endpoint.publicCidrs);

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName,
      version: pins.kubernetesVersion,
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: l2Endpoint,
      secretsEncryptionKey: this.secretsKey,
      clusterLogging: [eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR],
      bootstrapClusterCreatorAdminPermissions: false,
      bootstrapSelfManagedAddons: false,
      ...(autoMode
        ? { defaultCapacityType: eks.DefaultCapacityType.AUTOMODE, compute: { nodePools: capacity.autoModeOptions?.nodePools ?? ['system', 'general-purpose'] } }
        : { defaultCapacityType: eks.DefaultCapacityType.NODEGROUP, defaultCapacity: 0 }),
      kubectlProviderOptions: {
        kubectlLayer: pins.kubectlLayer(this, 'KubectlLayer'),
        securityGroups: kubectlSecurityGroup ? [kubectlSecurityGroup] : undefined,
      },
      outputConfigCommand: false,
      tags: props.tags,
    });
    const cfn = this.cluster.node.defaultChild as CfnCluster;
    cfn.upgradePolicy = { supportType: 'STANDARD' };
    cfn.deletionProtection = props.deletionProtection ?? true;
    if (kubectlOutsideVpc) cfn.addPropertyOverride('ResourcesVpcConfig.EndpointPrivateAccess', true);
    // The key alone: EncryptionConfig[].Resources is deprecated (EKS encrypts all API data with it).
    if (!props.legacyEncryptionConfig) cfn.encryptionConfig = [{ provider: { keyArn: this.secretsKey.keyArn } }];
    if (kubectlSecurityGroup) admitKubectlBeforeCluster(this, this.cluster, kubectlSecurityGroup);
    cfn.node.addDependency(this.controlPlaneLogGroup);
    // EKS uses the cluster role to encrypt and decrypt the Secrets' data keys.
    this.secretsKey.grant(this.cluster.role, 'kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant').applyBefore(cfn);
    if (props.vpc instanceof ec2.Vpc) cfn.node.addDependency(props.vpc);
    if (!kubectlOutsideVpc) {
      Annotations.of(this).addInfo('The kubectl/helm Lambda runs in the private subnets, as the API endpoint is not public to every address '
        + '(expected, not an error): deleting the stack waits for the Lambda\'s network interfaces to be released.');
    }

    // Access: one admin role through an access entry; nobody else.
    this.adminRole = props.adminRole ?? new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: `Cluster admin of EKS cluster ${clusterName} (access entry with AmazonEKSClusterAdminPolicy)`,
      maxSessionDuration: Duration.hours(1),
    });
    this.cluster.grantClusterAdmin('AdminAccess', this.adminRole.roleArn);

    // Capacity.
    const controllerDeps: IDependable[] = [];
    if (!autoMode) {
      const options = capacity.nodeGroups ?? {};
      const arch = options.architecture ?? NodeArchitecture.X86_64;
      // an explicit version moves the nodes with the control plane; without it the groups keep their template
      const kubernetesVersion = props.version !== undefined ? this.version : undefined;
      const nodeRole = new iam.Role(this, 'NodeRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly']
          .map(n => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
      });
      acknowledge(nodeRole, ...acks.NODE_ROLE);
      this.nodeGroups.push(new EksNodeGroup(this, 'OnDemand', {
        ...options.onDemand, cluster: this.cluster, architecture: arch, capacityType: eks.CapacityType.ON_DEMAND, nodeRole, kubernetesVersion,
      }));
      if (options.spot) {
        this.nodeGroups.push(new EksNodeGroup(this, 'Spot', {
          ...options.spot, cluster: this.cluster, architecture: arch, capacityType: eks.CapacityType.SPOT, nodeRole, kubernetesVersion,
        }));
      }
    }

    this.addons = new EksAddons(this, 'Addons', {
      cluster: this.cluster,
      autoMode,
      nodeGroups: this.nodeGroups,
      storageClassName: 'gp3',
      reclaimPolicy: props.volumeReclaimPolicy,
      versions: pins,
    });

    if (!autoMode) {
      controllerDeps.push(...this.nodeGroups, this.addons.addons['eks-pod-identity-agent']!, this.addons.addons.coredns!);
      this.albController = new EksAlbController(this, 'AlbController', { cluster: this.cluster, dependsOn: controllerDeps, versions: pins });
      if (capacity.nodeGroups?.clusterAutoscaler ?? true) {
        this.clusterAutoscaler = new EksClusterAutoscaler(this, 'ClusterAutoscaler', {
          cluster: this.cluster, clusterName, dependsOn: controllerDeps, versions: pins,
        });
      }
    }

    if (props.externalSecrets?.enabled ?? true) {
      this.externalSecrets = new EksExternalSecrets(this, 'ExternalSecrets', {
        cluster: this.cluster,
        secretNamePrefix: props.externalSecrets?.secretNamePrefix ?? `${clusterName}/`,
        storeName: props.externalSecrets?.storeName,
        isolation: props.externalSecrets?.isolation,
        dependsOn: autoMode ? this.addons.readiness : [...controllerDeps, this.albController!.chart],
      });
    }

    this.workloadDependencies = [
      ...this.addons.readiness,
      ...(this.albController ? [this.albController.chart] : []),
      ...(this.externalSecrets ? [this.externalSecrets.store ?? this.externalSecrets.chart] : []),
    ];

    // cdk-nag (v3) and guard-rule acknowledgements that are inherent to this design or the user's choice.
    acknowledge(this.cluster, ...acks.CLUSTER_ROLE, ...acks.clusterAcknowledgements(endpoint), CDK_DEFAULT_POLICY);
    acknowledge(cfn, props.legacyEncryptionConfig ? acks.LEGACY_ENCRYPTION_CONFIG : acks.SECRETS_KEY_WITHOUT_RESOURCES);
    if (autoMode) acknowledge(this.cluster, ...acks.AUTO_MODE_ROLES);
    if (this.cluster.kubectlProvider) {
      acknowledge(this.cluster.kubectlProvider, ...acks.KUBECTL_PROVIDER, ...acks.kubectlProviderAcknowledgements(this.cluster.kubectlProvider),
        ...acks.kubectlLambdaAcknowledgements(endpoint));
    }

    this.identityBindings = new WorkloadIdentityBindings(this, 'WorkloadIdentities', this.cluster);

    const vpcCidr = props.vpcCidr ?? (Token.isUnresolved(props.vpc.vpcCidrBlock) ? undefined : props.vpc.vpcCidrBlock);
    if (vpcCidr !== undefined) v.cidr('vpcCidr', vpcCidr);
    this.traits = ClusterTraits.eks({
      vpcCidr,
      autoMode,
      storageClassName: 'gp3',
      externalSecretStore: this.externalSecrets
        ? { name: this.externalSecrets.storeName, secretNamePrefix: this.externalSecrets.secretNamePrefix }
        : undefined,
    });
  }

  /**
   * The AWS identity of a workload identity on this cluster: an IAM role trusted by EKS Pod Identity for this
   * cluster, and the Pod Identity association of its ServiceAccount, as an `iam.IGrantable`
   * (`bucket.grantRead(cluster.workloadIdentity(orders))`). Created once per identity (also by `addWorkloads`
   * for every WorkloadIdentity of the charts it delivers); adding or removing one never touches the cluster
   * or its nodes.
   */
  public workloadIdentity(identity: IWorkloadIdentity): EksWorkloadIdentity {
    return this.identityBindings.bind(identity);
  }

  /** {@link workloadIdentity}, as `IPlatformCluster.bindWorkloadIdentity`. */
  public bindWorkloadIdentity(identity: IWorkloadIdentity): IWorkloadIdentityGrant {
    return this.workloadIdentity(identity);
  }

  /**
   * Installs a pinned third-party Helm chart with the cluster's kubectl/helm Lambda, after the cluster's own
   * controllers (see {@link IPlatformCluster.addHelmChart}).
   */
  public addHelmChart(id: string, chart: AddOnHelmChartProps): IDependable {
    const addOns = this.node.tryFindChild('AddOns') as Construct | undefined ?? new Construct(this, 'AddOns');
    const resolved = resolveAddOnHelmChart(this, 'EksPlatformCluster', id, chart, addOns.node.tryFindChild(id) !== undefined);
    const release = installAddOnChart(new Construct(addOns, id), this, resolved);
    // a packaged chart is an S3 asset the kubectl/helm Lambda reads, as the workloads' charts are
    if (resolved.archive && this.cluster.kubectlProvider) acknowledge(this.cluster.kubectlProvider, ...chartAssetAcknowledgements(Stack.of(this)));
    // Workloads (and later add-ons) may use what the chart installs (CRDs, webhooks): they come after it.
    this.workloadDependencies.push(release);
    return release;
  }

  /**
   * Maps IAM roles to a team's namespaces through access entries (see {@link EksTeamAccess}); the team's own
   * objects arrive with its chart (`addWorkloads`). Never touches the cluster resource.
   */
  public addTeam(team: PlatformTeam, options: TeamAccessOptions = {}): void {
    const teams = this.node.tryFindChild('Teams') as EksTeamAccess | undefined
      ?? new EksTeamAccess(this, 'Teams', { cluster: this.cluster, reservedPrincipalArns: [this.adminRole.roleArn] });
    teams.addTeam(team, options);
  }

  /**
   * Delivers the charts onto the cluster as one Helm release per chart ({@link HelmChartReleases}: chart `c`
   * is the release `<id>-<c>`, a chart named `id` the release `<id>`), each a chart asset in S3, never
   * inline, after the AWS Load Balancer Controller, the EBS CSI driver with its StorageClass and metrics-server.
   *
   * @param options.sharedReleaseCharts charts that stay together in the release `<id>`: list the charts a
   * release deployed before held (docs/delivery.md, "Migrating"). Default: none, one release per chart.
   */
  public addWorkloads(id: string, charts: Chart[], options: { readonly sharedReleaseCharts?: string[] } = {}): void {
    const v = cdkPropValidator(this, 'EksPlatformCluster');
    const other = this.node.tryFindChild(id);
    v.check(other === undefined, 'addWorkloads(id)', id, other instanceof HelmChartReleases
      ? 'is already used by another delivery of this cluster: pick a unique id (each delivery\'s charts become the releases <id>-<chart>).'
      : `is the id of another construct of this cluster (${other?.node.path}): pick another id.`);
    if (Array.isArray(charts)) checkChartTraits(this, v, this.traits, charts);
    new HelmChartReleases(this, id, {
      sharedReleaseCharts: options.sharedReleaseCharts,
      cluster: this.cluster,
      charts,
      // each WorkloadIdentity's association and each namespace's secret store exist before its pods
      dependsOn: [...this.workloadDependencies, ...prepareCharts(charts, this.identityBindings, this.externalSecrets)],
    });
    if (this.cluster.kubectlProvider) acknowledge(this.cluster.kubectlProvider, ...chartAssetAcknowledgements(Stack.of(this)));
  }
}

/** The kubectl/helm Lambdas' security group: HTTPS out only (Kubernetes API, AWS APIs, chart sources). */
function httpsOnlySecurityGroup(scope: Construct, vpc: ec2.IVpc, clusterName: string): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(scope, 'KubectlSecurityGroup', {
    vpc,
    description: `kubectl/helm Lambda of EKS cluster ${clusterName}: HTTPS to the Kubernetes API, AWS APIs and chart sources`,
    allowAllOutbound: false,
  });
  sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the Kubernetes API, AWS APIs and chart sources');
  return sg;
}

/**
 * The control plane admits the kubectl/helm Lambdas on 443. The rule exists before the cluster, so the first
 * kubectl call never meets a closed endpoint.
 */
function admitKubectlBeforeCluster(scope: Construct, cluster: eks.Cluster, kubectl: ec2.ISecurityGroup): void {
  const controlPlane = cluster.node.findChild('ControlPlaneSecurityGroup') as ec2.ISecurityGroup;
  cluster.node.defaultChild!.node.addDependency(new ec2.CfnSecurityGroupIngress(scope, 'KubectlToApi', {
    groupId: controlPlane.securityGroupId,
    sourceSecurityGroupId: kubectl.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    description: 'kubectl/helm Lambda to the Kubernetes API',
  }));
}

/** The control-plane log group: it exists before the cluster, so EKS writes into it with our retention and key. */
function controlPlaneLogGroup(scope: Construct, clusterName: string, props: EksPlatformClusterProps): logs.LogGroup {
  const logGroupName = `/aws/eks/${clusterName}/cluster`;
  const retention = props.controlPlaneLogRetention ?? DEFAULT_LOG_RETENTION;
  if (props.encryptionKey) allowLogsToUseKey(scope, props.encryptionKey, logGroupName);
  const logGroup = new logs.LogGroup(scope, 'ControlPlaneLogs', {
    logGroupName,
    retention,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeLogGroupChoices(logGroup, { retention, retentionProp: 'controlPlaneLogRetention', encryptionKey: props.encryptionKey });
  return logGroup;
}

/**
 * The Secrets key: rotated, retained, and only AWS services may create grants on it (CT.KMS.PR.3; EKS creates
 * its grant through the cluster role with `kms:GrantIsForAWSResource` true).
 */
function secretsKey(scope: Construct, clusterName: string): kms.Key {
  const key = new kms.Key(scope, 'SecretsKey', {
    description: `Envelope encryption of Kubernetes Secrets of EKS cluster ${clusterName}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  denyGrantsExceptForAwsServices(key);
  return key;
}

/** The kubectl/helm Lambda reads chart assets from the CDK assets bucket (aws-eks-v2 `chartAsset` grant). */
function chartAssetAcknowledgements(stack: Stack): NagAcknowledgement[] {
  const reason = 'aws-eks-v2 grants the kubectl/helm Lambda read access (Asset.grantRead) to the CDK bootstrap assets bucket so it can fetch the workload chart assets; the bucket holds only deployment assets.';
  const found: NagAcknowledgement[] = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map(action => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason }));
  if (stack.synthesizer instanceof DefaultStackSynthesizer) {
    const qualifier = stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const bucket = DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace('${Qualifier}', qualifier).replace(/\$\{(AWS::[A-Za-z]+)\}/g, '<$1>');
    found.push({ id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/*]`, reason });
  }
  return found;
}
