import * as path from 'path';
import { Aws, CfnOutput, Duration, Lazy, RemovalPolicy, Size, Stack, Tags, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Chart } from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { IngressExposure } from './ingress-exposure';
import { NodeImage } from './node-image';
import { AddOnHelmChartProps } from '../add-on-helm-chart';
import { ClusterDistribution } from '../cluster-distribution';
import { IPlatformCluster } from '../platform-cluster';
import { resolveAddOnHelmChart } from '../private/add-on-helm-chart';
import { checkChartTraits } from '../private/chart-traits';
import type { IWorkloadIdentityGrant } from '../workload-identity';
import { SelfManagedWorkloadIdentity, SelfManagedWorkloadIdentityOptions } from './identity/self-managed-workload-identity';
import { addOnChart } from './private/add-on-chart';
import {
  agentHealthCheckFindings, inlinePolicyFindings, ingressSecurityGroupFindings, nodeGroupFindings, secretFindings, tcpLoadBalancerFindings,
} from './private/compliance';
import { TraefikIngressEndpoint } from './private/ingress-endpoint';
import { DRAIN_HEARTBEAT, NodeDrain } from './private/node-drain';
import { renderScript } from './private/render';
import { checkUpstreamSupport } from './private/upstream-support';
import { workloadAssets } from './private/workload-asset';
import { KUBERNETES_VERSION_TAG as GUARD_VERSION_TAG, markForGuard } from '../../guards/private/marks';
import { acknowledge } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { ClusterTraits } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';
import type { IWorkloadIdentity } from '../../workloads/workload-identity';

/** Tag that marks the servers which apply the cluster's workloads (the SSM association targets it). */
export const DELIVERY_TARGET_TAG = 'platform.cdk-k8s.io/delivery-target';
/**
 * Tag on every group and node: the cluster's name. Two stacks may name their clusters alike: whatever it
 * scopes (the drain runbook's role, a server's listing of the cluster's groups) also requires this stack's
 * `aws:cloudformation:stack-id` / `stack-name` tag, which CloudFormation puts on the groups and instances.
 */
export const CLUSTER_TAG = 'platform.cdk-k8s.io/cluster';
/**
 * Tag on every group (and its nodes): the distribution's release the group runs (`v1.36.5+k3s1`, `1.36.5`).
 * The ReplacementGuard records it and refuses a change that skips a minor version or goes back.
 */
export const KUBERNETES_VERSION_TAG = GUARD_VERSION_TAG;
/** Where a node's bootstrap writes its log. */
export const BOOTSTRAP_LOG = '/var/log/cdk-k8s-platform-bootstrap.log';

const SCRIPTS = path.join(__dirname, 'scripts');
/** The shared bootstrap functions, prepended to every boot script. */
const COMMON_SCRIPT = path.join(SCRIPTS, 'common.sh');
/**
 * How long CloudFormation waits for a node's bootstrap signal (CreationPolicy, and each batch of a rolling
 * update). A node that fails signals FAILURE (or nothing) and `cdk deploy` fails: the stack events name the
 * instance (`Received FAILURE signal with UniqueId i-...`) and the stack output `BootstrapLogCommand` prints
 * its log (/var/log/cdk-k8s-platform-bootstrap.log) through SSM. A failed creation rolls back and terminates
 * the node: deploy with `--no-rollback` to keep it for reading.
 */
const BOOTSTRAP_TIMEOUT = Duration.minutes(30);
/**
 * How long the Auto Scaling group ignores the API load balancer's verdict on a new server: a bootstrap,
 * including an etcd snapshot restore, takes well under this. A server that still does not serve the API
 * after it is replaced.
 */
const SERVER_HEALTH_GRACE = Duration.minutes(20);
/**
 * The API target group's TCP health check. The server group replaces a server the check finds unhealthy
 * (ELB health type), so it tolerates about five minutes of a closed API port (10 failed checks 30 s apart):
 * `systemctl restart k3s`, an OOM-killed API server, an etcd defrag or a kubeadm static-pod restart never
 * replace the control plane; a server down longer is replaced (drained, snapshot first). Two passes (one
 * minute) bring a new server into rotation. NLB limits: interval 10 or 30 s, thresholds 2 to 10.
 */
const API_HEALTH_CHECK = { interval: Duration.seconds(30), healthyThresholdCount: 2, unhealthyThresholdCount: 10 };
/** How often the workload association runs again on its own, so drift on the servers is repaired. */
const SYNC_SCHEDULE = 'rate(30 minutes)';
const CLUSTER_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Options shared by {@link K3sCluster} and {@link KubeadmCluster} (everything but the VPC and the name). */
export interface SelfManagedClusterOptions {
  /**
   * Where the nodes and the API load balancer go.
   * @default - the private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * CPU architecture of every node; instance types and the image follow it.
   * @default ec2.InstanceArchitecture.ARM_64 (Graviton)
   */
  readonly architecture?: ec2.InstanceArchitecture;
  /**
   * Instance type of the server (control plane; it also runs workloads).
   * @default - t4g.medium on ARM_64, t3.medium on X86_64
   */
  readonly serverInstanceType?: ec2.InstanceType;
  /**
   * Instance type of the agents (workers).
   * @default - t4g.medium on ARM_64, t3.medium on X86_64
   */
  readonly agentInstanceType?: ec2.InstanceType;
  /**
   * The pinned machine image of every node.
   * @default NodeImage.ubuntu2404() (Ubuntu 24.04 LTS, serial 20240423)
   */
  readonly nodeImage?: NodeImage;
  /**
   * Size of each node's encrypted gp3 root volume, from 20 GiB.
   * @default Size.gibibytes(30)
   */
  readonly rootVolumeSize?: Size;
  /**
   * IPv4 CIDRs allowed to reach the API (TCP 6443) through the internal API load balancer, for kubectl
   * without an SSM session (a VPN, a peered network). `0.0.0.0/0` is refused unless `allowApiFromAnywhere`.
   * @default - none: use the SSM port-forwarding command of the stack outputs
   */
  readonly adminCidrs?: string[];
  /**
   * Accept `0.0.0.0/0` in `adminCidrs`. The API load balancer stays internal, but every address that can
   * route into the VPC may then knock on the API.
   * @default false
   */
  readonly allowApiFromAnywhere?: boolean;
  /**
   * How HTTP(S) traffic reaches the ingress controller on the nodes' ports 80/443.
   * @default IngressExposure.internal() (an internal NLB open to the VPC CIDR)
   */
  readonly ingress?: IngressExposure;
  /**
   * Deletion protection of the API and ingress load balancers. With it, `cdk destroy` (and any change that
   * replaces a load balancer, such as another ingress scheme) fails on the load balancer: deploy with
   * `deletionProtection: false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Workload identity (IRSA-style): a public service-account issuer (S3 + CloudFront, an IAM OIDC provider)
   * and the pod identity webhook, so `workloadIdentityGrant(cluster, identity)` gives pods an IAM role
   * (docs/self-managed.md, "Workload identity"). Turning it on changes the servers' boot script: the
   * ReplacementGuard reports the roll of the servers, which you opt in to once.
   * @default - off: pods get no AWS credentials
   */
  readonly workloadIdentity?: SelfManagedWorkloadIdentityOptions;
}

/** Props shared by {@link K3sCluster} and {@link KubeadmCluster}. */
export interface SelfManagedClusterProps extends SelfManagedClusterOptions {
  /** The VPC of the nodes (e.g. `PlatformNetwork.vpc`). */
  readonly vpc: ec2.IVpc;
  /**
   * The cluster's name: a lowercase DNS label of at most 32 characters.
   * @default - the construct id, lowercased
   */
  readonly clusterName?: string;
  /**
   * A customer-managed KMS key for the cluster's secrets (kubeconfig, tokens) and, on k3s, the etcd snapshot
   * bucket. The node roles get `kms:Decrypt` (servers also `kms:GenerateDataKey`) on it, only through Secrets
   * Manager and S3. A key in another account, or one whose policy does not let IAM policies of its account
   * grant access, must allow the node roles itself (docs/self-managed.md). kubeadm's state bucket keeps its
   * own key (`stateKey`).
   * @default - AWS-managed keys; the customer-managed-key findings are acknowledged
   */
  readonly encryptionKey?: kms.IKey;
}

/** A delivery of charts onto a self-managed cluster: one manifest file per chart, all in one S3 bundle. */
interface Delivery {
  /** The addWorkloads id. */
  readonly id: string;
  /** Each chart's file id on the server (file and inventory name). */
  readonly files: readonly string[];
  /** S3 URL of the bundle of the delivery's files. */
  readonly url: string;
}

/** Options of a node group. @internal */
export interface SelfManagedNodeGroupOptions {
  readonly role: iam.IRole;
  readonly instanceType: ec2.InstanceType;
  readonly count: number;
  /** The distribution's boot script files, rendered after the shared `common.sh`. */
  readonly scripts: string[];
  /** Values of the scripts' `@@NAME@@` placeholders (the shared ones are added by the base class). */
  readonly values: Record<string, string>;
  readonly server: boolean;
}

/**
 * What K3sCluster and KubeadmCluster share: security groups exactly per the self-managed reference table,
 * node roles, an internal NLB as the stable API address, an optional ingress NLB, launch templates with
 * IMDSv2 and encrypted gp3, Auto Scaling groups, the kubeconfig secret and its outputs, and the delivery of
 * workloads through an SSM State Manager association (so workload changes never touch an instance).
 *
 * Day 2: `cdk deploy` waits for every node's bootstrap signal (stack output `BootstrapLogCommand` reads a
 * failed node's log); servers are replaced when the API load balancer finds them unhealthy after a grace
 * period; the association also runs every 30 minutes; a launch-template change (release, instance type,
 * image) rolls the nodes one at a time, servers first, each drained before it terminates (a termination
 * lifecycle hook per group, an EventBridge rule and an SSM Automation runbook).
 */
export abstract class SelfManagedClusterBase extends Construct implements IPlatformCluster {
  public readonly clusterName: string;
  /** k3s or kubeadm. */
  public readonly distribution: ClusterDistribution;
  public abstract readonly traits: ClusterTraits;
  /**
   * The distribution's pinned release (K3sVersion, KubeadmVersion). Set by the subclass before it adds its
   * node groups: each group is tagged with it (`platform.cdk-k8s.io/kubernetes-version`).
   */
  public abstract readonly version: { readonly version: string; readonly minor: string };
  /** The CPU architecture of the nodes. */
  public readonly architecture: ec2.InstanceArchitecture;
  /** The pinned node image. */
  public readonly nodeImage: NodeImage;
  /** Every node's group: flannel VXLAN and kubelet between nodes. */
  public readonly nodeSecurityGroup: ec2.SecurityGroup;
  /** The servers' group: the API from nodes (and, in HA, etcd between servers). */
  public readonly serverSecurityGroup: ec2.SecurityGroup;
  /** The API load balancer's group. */
  public readonly apiSecurityGroup: ec2.SecurityGroup;
  /** The ingress load balancer's group (when the ingress is exposed). */
  public readonly ingressSecurityGroup?: ec2.SecurityGroup;
  /** The internal NLB in front of the servers' port 6443: the cluster's stable API address. */
  public readonly apiLoadBalancer: elbv2.NetworkLoadBalancer;
  /** The NLB in front of the nodes' ports 80/443 (when the ingress is exposed). */
  public readonly ingressLoadBalancer?: elbv2.NetworkLoadBalancer;
  /** The role of the servers. */
  public readonly serverRole: iam.Role;
  /** The role of the agents (workers). */
  public readonly agentRole: iam.Role;
  /** The admin kubeconfig the server publishes at boot (API at https://127.0.0.1:6443, via SSM port forwarding). */
  public readonly kubeconfigSecret: secretsmanager.Secret;
  /** The association that applies the workloads on the servers (on every change and every 30 minutes). */
  public readonly workloadSync: ssm.CfnAssociation;
  /** The customer-managed key of the secrets (and the k3s snapshot bucket), when one was given. */
  public readonly encryptionKey?: kms.IKey;
  /** The cluster's workload identity (issuer, OIDC provider, webhook), when `workloadIdentity` is on. */
  public readonly workloadIdentity?: SelfManagedWorkloadIdentity;

  protected readonly vpc: ec2.IVpc;
  protected readonly vpcSubnets: ec2.SubnetSelection;
  private servers = 0;
  protected readonly rootVolumeSize: Size;
  protected readonly validator: PropValidator;
  /** The stable API host name (the API NLB's DNS name). */
  protected readonly apiEndpoint: string;
  private readonly apiTargetGroup: elbv2.NetworkTargetGroup;
  private readonly ingressTargetGroups: elbv2.NetworkTargetGroup[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly deliveryTarget: string;
  private readonly kind: string;
  /** Drains every node before its group terminates it (lifecycle hooks, EventBridge, an SSM runbook). */
  private readonly nodeDrain: NodeDrain;
  private readonly groups: Array<{ readonly group: autoscaling.AutoScalingGroup; readonly server: boolean }> = [];

  protected constructor(scope: Construct, id: string, props: SelfManagedClusterProps, kind: string, mode: 'k3s' | 'kubeadm') {
    super(scope, id);
    this.kind = kind;
    this.distribution = mode === 'k3s' ? ClusterDistribution.K3S : ClusterDistribution.KUBEADM;
    const v = this.validator = cdkPropValidator(this, kind);
    if (!props.vpc) v.fail('vpc', props.vpc, 'is required: pass the platform network\'s VPC (new PlatformNetwork(...).vpc).');
    this.vpc = props.vpc;
    this.encryptionKey = props.encryptionKey;
    checkEncryptionKey(v, props.encryptionKey);
    const deletionProtection = props.deletionProtection ?? true;
    this.clusterName = props.clusterName ?? id.toLowerCase();
    v.check(CLUSTER_NAME.test(this.clusterName), props.clusterName === undefined ? 'clusterName (from the construct id)' : 'clusterName', this.clusterName,
      'must be a lowercase DNS label of at most 32 characters: letters, digits and \'-\', starting with a letter (e.g. "acme").');
    this.architecture = props.architecture ?? ec2.InstanceArchitecture.ARM_64;
    this.nodeImage = props.nodeImage ?? NodeImage.ubuntu2404();
    this.vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.rootVolumeSize = props.rootVolumeSize ?? Size.gibibytes(30);
    const gib = this.rootVolumeSize.toGibibytes();
    v.check(Number.isInteger(gib) && gib >= 20 && gib <= 16384, 'rootVolumeSize', `${gib} GiB`, 'must be a whole number of GiB from 20 to 16384.');

    const adminCidrs = props.adminCidrs ?? [];
    adminCidrs.forEach((cidr, i) => {
      v.cidr(`adminCidrs[${i}]`, cidr);
      if (cidr.endsWith('/0') && !props.allowApiFromAnywhere) {
        v.fail(`adminCidrs[${i}]`, cidr, 'opens the Kubernetes API to every address: list the CIDRs of your VPN or office, or set allowApiFromAnywhere: true to accept that risk.');
      }
    });

    // Security groups: group-to-group only (reference table).
    this.nodeSecurityGroup = new ec2.SecurityGroup(this, 'NodeSecurityGroup', {
      vpc: this.vpc, allowAllOutbound: true, description: `${this.clusterName}: every node (flannel, kubelet)`,
    });
    this.serverSecurityGroup = new ec2.SecurityGroup(this, 'ServerSecurityGroup', {
      vpc: this.vpc, allowAllOutbound: true, description: `${this.clusterName}: servers (Kubernetes API)`,
    });
    this.apiSecurityGroup = new ec2.SecurityGroup(this, 'ApiSecurityGroup', {
      vpc: this.vpc, allowAllOutbound: false, description: `${this.clusterName}: API load balancer`,
    });
    this.nodeSecurityGroup.addIngressRule(this.nodeSecurityGroup, ec2.Port.udp(8472), 'flannel VXLAN between nodes');
    this.nodeSecurityGroup.addIngressRule(this.nodeSecurityGroup, ec2.Port.tcp(10250), 'kubelet between nodes (metrics-server, logs, exec)');
    this.serverSecurityGroup.addIngressRule(this.nodeSecurityGroup, ec2.Port.tcp(6443), 'Kubernetes API from nodes');
    this.serverSecurityGroup.addIngressRule(this.apiSecurityGroup, ec2.Port.tcp(6443), 'Kubernetes API from its load balancer');
    this.apiSecurityGroup.addIngressRule(this.nodeSecurityGroup, ec2.Port.tcp(6443), 'Kubernetes API from nodes');
    this.apiSecurityGroup.addEgressRule(this.serverSecurityGroup, ec2.Port.tcp(6443), 'to the servers');
    adminCidrs.forEach(cidr => this.apiSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(6443), 'Kubernetes API from an admin network'));

    // The stable API address: an internal NLB on 6443 in front of the server group.
    this.apiLoadBalancer = new elbv2.NetworkLoadBalancer(this, 'ApiLoadBalancer', {
      vpc: this.vpc,
      vpcSubnets: this.vpcSubnets,
      internetFacing: false,
      crossZoneEnabled: true,
      securityGroups: [this.apiSecurityGroup],
      deletionProtection,
    });
    this.apiTargetGroup = new elbv2.NetworkTargetGroup(this, 'ApiTargetGroup', {
      vpc: this.vpc,
      port: 6443,
      protocol: elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.INSTANCE,
      preserveClientIp: false,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { protocol: elbv2.Protocol.TCP, ...API_HEALTH_CHECK },
    });
    this.apiLoadBalancer.addListener('Api', { port: 6443, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [this.apiTargetGroup] });
    this.apiEndpoint = this.apiLoadBalancer.loadBalancerDnsName;
    acknowledge(this.apiLoadBalancer, { id: 'AwsSolutions-ELB2', reason: 'The internal API load balancer passes TCP through; the API server audits requests, so NLB access logs would add cost without information.' });
    tcpLoadBalancerFindings(this.apiLoadBalancer, 'the API server terminates TLS with the cluster CA\'s certificate, which kubeconfigs pin', deletionProtection);

    const ingress = props.ingress ?? IngressExposure.internal();
    if (ingress.exposed) {
      this.ingressSecurityGroup = new ec2.SecurityGroup(this, 'IngressSecurityGroup', {
        vpc: this.vpc, allowAllOutbound: false, description: `${this.clusterName}: ingress load balancer`,
      });
      const peers = ingress.allowFrom ?? [ingress.internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(this.vpc.vpcCidrBlock)];
      this.ingressLoadBalancer = new elbv2.NetworkLoadBalancer(this, 'IngressLoadBalancer', {
        vpc: this.vpc,
        internetFacing: ingress.internetFacing,
        crossZoneEnabled: true,
        vpcSubnets: ingress.internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : this.vpcSubnets,
        securityGroups: [this.ingressSecurityGroup],
        deletionProtection,
      });
      for (const port of [80, 443]) {
        for (const peer of peers) this.ingressSecurityGroup.addIngressRule(peer, ec2.Port.tcp(port), `HTTP${port === 443 ? 'S' : ''} to the ingress controller`);
        this.ingressSecurityGroup.addEgressRule(this.nodeSecurityGroup, ec2.Port.tcp(port), 'to the ingress controller on the nodes');
        this.nodeSecurityGroup.addIngressRule(this.ingressSecurityGroup, ec2.Port.tcp(port), 'ingress traffic from its load balancer');
        const tg = new elbv2.NetworkTargetGroup(this, `Ingress${port}TargetGroup`, {
          vpc: this.vpc,
          port,
          protocol: elbv2.Protocol.TCP,
          targetType: elbv2.TargetType.INSTANCE,
          healthCheck: { protocol: elbv2.Protocol.TCP },
        });
        this.ingressLoadBalancer.addListener(`Ingress${port}`, { port, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [tg] });
        this.ingressTargetGroups.push(tg);
      }
      acknowledge(this.ingressLoadBalancer, { id: 'AwsSolutions-ELB2', reason: 'TCP pass-through to Traefik, which logs each HTTP request; NLB access logs would duplicate them.' });
      tcpLoadBalancerFindings(this.ingressLoadBalancer, 'Traefik terminates TLS with the certificates the Ingress objects name', deletionProtection);
      ingressSecurityGroupFindings(this.ingressSecurityGroup, peers);
      acknowledge(this.ingressSecurityGroup, { id: 'AwsSolutions-EC23', reason: 'The ingress load balancer admits HTTP(S) from its audience only (the VPC CIDR when internal, the internet when internet-facing, by design); the nodes admit only this group on 80/443.' });
    }

    // Node roles: SSM Session Manager instead of SSH; everything else is added by the distribution.
    const ssmCore = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore');
    this.serverRole = new iam.Role(this, 'ServerRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), managedPolicies: [ssmCore], description: `${this.clusterName} servers`,
    });
    this.agentRole = new iam.Role(this, 'AgentRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), managedPolicies: [ssmCore], description: `${this.clusterName} agents`,
    });
    for (const role of [this.serverRole, this.agentRole]) {
      inlinePolicyFindings(role);
      acknowledge(role, { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]', reason: 'The AWS-maintained SSM core policy lets nodes register with Systems Manager: Session Manager replaces SSH and State Manager delivers the workloads.' });
    }

    this.kubeconfigSecret = new secretsmanager.Secret(this, 'KubeconfigSecret', {
      description: `Admin kubeconfig of ${this.clusterName} (written by the server at boot; its client certificate cannot be revoked: grant read sparingly)`,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: this.encryptionKey,
    });
    this.serverRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [this.kubeconfigSecret.secretArn] }));
    const kubeconfigRotation = 'The server re-publishes the kubeconfig at every boot; Secrets Manager cannot rotate a k3s/kubeadm client certificate.';
    acknowledge(this.kubeconfigSecret, { id: 'AwsSolutions-SMG4', reason: kubeconfigRotation });
    secretFindings(this.kubeconfigSecret, kubeconfigRotation, this.encryptionKey !== undefined);
    // The secrets' key: servers read and write secrets (the kubeconfig, kubeadm's token), agents read their token.
    this._grantEncryptionKey(this.serverRole, ['kms:Decrypt', 'kms:GenerateDataKey'], ['secretsmanager']);
    this._grantEncryptionKey(this.agentRole, ['kms:Decrypt'], ['secretsmanager']);

    // Workloads: one association for the whole cluster, its parameters carry the asset URLs, so a change of
    // workloads changes the association (which runs again) and nothing in any launch template.
    this.deliveryTarget = `${Aws.STACK_NAME}/${this.clusterName}`;
    // It also runs every 30 minutes, so drift is repaired (an object changed or deleted by hand, a server that
    // missed a run); one server at a time (HA has three), and the first error stops the run.
    this.workloadSync = new ssm.CfnAssociation(this, 'WorkloadSync', {
      name: 'AWS-RunShellScript',
      targets: [{ key: `tag:${DELIVERY_TARGET_TAG}`, values: [this.deliveryTarget] }],
      parameters: Lazy.any({ produce: () => ({ commands: this.syncCommands(mode), executionTimeout: ['3600'] }) }),
      scheduleExpression: SYNC_SCHEDULE,
      complianceSeverity: 'HIGH',
      maxConcurrency: '1',
      maxErrors: '0',
    });
    // Traefik publishes the ingress NLB's DNS name in every Ingress status (external-dns points records at it).
    if (this.ingressLoadBalancer) {
      new TraefikIngressEndpoint(this, 'IngressEndpoint', { distribution: this.distribution, hostname: this.ingressLoadBalancer.loadBalancerDnsName, targets: this.workloadSync.targets });
    }

    if (props.workloadIdentity) {
      this.workloadIdentity = new SelfManagedWorkloadIdentity(this, 'WorkloadIdentity', {
        ...props.workloadIdentity, clusterName: this.clusterName, mode, serverRole: this.serverRole, cluster: this,
      });
    }

    this.nodeDrain = new NodeDrain(this, 'NodeDrain', {
      clusterName: this.clusterName,
      mode,
      serverTag: { key: DELIVERY_TARGET_TAG, value: this.deliveryTarget },
      clusterTag: { key: CLUSTER_TAG, value: this.clusterName },
    });
  }

  /**
   * The distribution's pinned release of each minor version (`1.34` → `K3sVersion.V1_34_12`): the guard names
   * them when it refuses a skipped minor version, the support check when it warns. @internal
   */
  protected abstract _upgradePath(): Readonly<Record<string, string>>;

  /**
   * Warns when the cluster's release is past (or within 90 days of) its upstream end of life, or newer than
   * the pinned releases. The subclass calls it once its `version` is set. @internal
   */
  protected _checkUpstreamSupport(kind: string): void {
    checkUpstreamSupport(this, { kind, version: this.version.version, minor: this.version.minor, upgradePath: this._upgradePath() });
  }

  /**
   * Validates the etcd snapshot schedule both distributions offer: every `interval` (a divisor of a day, in
   * hours) keeping `retention` snapshots. @internal
   */
  protected _snapshotSchedule(interval: Duration = Duration.hours(1), retention: number = 48): { hours: number; retention: number } {
    const hours = interval.toHours({ integral: false });
    this.validator.check([1, 2, 3, 4, 6, 8, 12, 24].includes(hours), 'snapshotInterval', interval.toHumanString(),
      'must be 1, 2, 3, 4, 6, 8, 12 or 24 hours (a divisor of a day).');
    return { hours, retention: this.validator.integer('snapshotRetention', retention, 1, 1000) };
  }

  /**
   * Lets `role` use the customer-managed key (when one was given) for `actions`, only through `services`
   * (`kms:ViaService`, e.g. `secretsmanager`, `s3`): scoped to the key, and no direct KMS use. @internal
   */
  protected _grantEncryptionKey(role: iam.Role, actions: string[], services: string[]): void {
    if (!this.encryptionKey) return;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions,
      resources: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': services.map(s => `${s}.${Aws.REGION}.amazonaws.com`) } },
    }));
  }

  /**
   * Lets a node role read a cluster secret (the statements of `Secret.grantRead`). The key's part is
   * {@link _grantEncryptionKey}'s: `grantRead` would also add the role to the policy of a key defined in
   * another stack, a reference cycle between that stack and this one. @internal
   */
  protected _grantSecretRead(secret: secretsmanager.ISecret, role: iam.Role): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [secret.secretArn],
    }));
  }

  /**
   * Lets `grantee` read the admin kubeconfig. With an `encryptionKey`, `grantee` also gets `kms:Decrypt` on the
   * key through Secrets Manager in its own policy (a grantee of another account needs the key's policy too).
   */
  public grantKubeconfigRead(grantee: iam.IGrantable): iam.Grant {
    if (!this.encryptionKey) return this.kubeconfigSecret.grantRead(grantee);
    // Not grantRead: it would add `grantee` to the policy of a key from another stack, a reference cycle.
    const read = iam.Grant.addToPrincipalOrResource({
      grantee, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resourceArns: [this.kubeconfigSecret.secretArn], resource: this.kubeconfigSecret,
    });
    return read.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': [`secretsmanager.${Aws.REGION}.amazonaws.com`] } },
    }));
  }

  /**
   * Installs a pinned third-party Helm chart through the cluster's Helm controller (k3s's own; on kubeadm the
   * same controller, k3s-io/helm-controller, which the control plane runs): a `helm.cattle.io/v1` HelmChart
   * object in kube-system (and the chart's namespace) delivered like workloads, as `addWorkloads('addon-<id>')`
   * (see {@link IPlatformCluster.addHelmChart}). The controller retries until what the chart needs is there,
   * so `dependsOn` orders nothing here; the returned dependable is the workload sync.
   */
  public addHelmChart(id: string, chart: AddOnHelmChartProps): IDependable {
    const resolved = resolveAddOnHelmChart(this, this.kind, id, chart, this.deliveries.some(d => d.id === `addon-${id}`));
    this.addWorkloads(`addon-${id}`, [addOnChart(id, resolved)]);
    return this.workloadSync;
  }

  /**
   * The IAM role of a workload identity on this cluster (see `IWorkloadIdentityCluster`), through the cluster's
   * service-account issuer; needs `workloadIdentity` on. `addWorkloads` binds the identities of its charts itself.
   */
  public bindWorkloadIdentity(identity: IWorkloadIdentity): IWorkloadIdentityGrant {
    if (!this.workloadIdentity) {
      return this.validator.fail('workloadIdentity', undefined, `is off, so identity ${identity?.namespace}/${identity?.serviceAccountName} cannot get AWS credentials: `
        + 'set workloadIdentity: {} on the cluster (its servers roll once to sign tokens with a public issuer), or give the pods no AWS access.');
    }
    return this.workloadIdentity.bind(identity);
  }

  public addWorkloads(id: string, charts: Chart[]): void {
    const v = cdkPropValidator(this, this.kind);
    v.check(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(id), 'addWorkloads(id)', id,
      'must be a lowercase DNS label of at most 42 characters (it names a manifest file on the server), e.g. "shop".');
    v.check(!this.deliveries.some(d => d.id === id), 'addWorkloads(id)', id, 'is already used by another delivery of this cluster: pick a unique id.');
    v.check(Array.isArray(charts) && charts.length > 0, 'addWorkloads(charts)', charts, 'must contain at least one cdk8s chart.');
    checkChartTraits(this, v, this.traits, charts);
    // Every WorkloadIdentity of the charts gets its role (and its ServiceAccount the role annotation) first.
    this.workloadIdentity?._prepare(charts);
    const { files, asset } = workloadAssets(new Construct(this, `Workloads-${id}`), id, charts);
    for (const f of files) {
      const other = this.deliveries.find(d => d.files.includes(f.deliveryId));
      v.check(other === undefined, 'addWorkloads(id)', id, `makes the manifest file "${f.deliveryId}" (one per chart: <id>-<chart>), as does addWorkloads('${other?.id}'): rename the delivery or the chart.`);
    }
    // One object per delivery (the bundle of its files): the grant does not grow with the charts.
    this.serverRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)] }));
    this.deliveries.push({ id, files: files.map(f => f.deliveryId), url: asset.s3ObjectUrl });
  }

  /**
   * How many servers (control-plane nodes) the cluster runs. The add-ons' controllers that act with the server
   * role (the EBS and EFS CSI controllers) run one replica per server.
   */
  public get serverCount(): number {
    return this.servers;
  }

  /** Creates a launch template and its Auto Scaling group of exactly `count` nodes. @internal */
  protected _addNodeGroup(id: string, options: SelfManagedNodeGroupOptions): autoscaling.AutoScalingGroup {
    if (options.server) this.servers += options.count;
    let group: autoscaling.AutoScalingGroup | undefined;
    const identity = options.server ? this.workloadIdentity : undefined;
    const userData = withoutComments(renderScript([COMMON_SCRIPT, ...(identity?._scripts ?? []), ...options.scripts], {
      ...options.values,
      ...identity?._scriptValues(),
      REGION: Aws.REGION,
      STACK_NAME: Aws.STACK_NAME,
      // The group's logical id: every node signals its bootstrap result to it (CreationPolicy).
      NODE_GROUP_RESOURCE: Lazy.string({ produce: () => Stack.of(this).getLogicalId(group!.node.defaultChild as autoscaling.CfnAutoScalingGroup) }),
    }));
    const securityGroups = options.server ? [this.nodeSecurityGroup, this.serverSecurityGroup] : [this.nodeSecurityGroup];
    const launchTemplate = new ec2.LaunchTemplate(this, `${id}LaunchTemplate`, {
      machineImage: this.nodeImage._machineImage(this.architecture),
      instanceType: options.instanceType,
      role: options.role,
      securityGroup: securityGroups[0],
      userData: ec2.UserData.custom(userData),
      requireImdsv2: true,
      // 1-minute EC2 metrics (CT.EC2.PR.10): a few CloudWatch metrics per node.
      detailedMonitoring: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      blockDevices: [{
        deviceName: this.nodeImage.family.rootDeviceName,
        volume: ec2.BlockDeviceVolume.ebs(this.rootVolumeSize.toGibibytes(), {
          volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, deleteOnTermination: true,
        }),
      }],
    });
    securityGroups.slice(1).forEach(sg => launchTemplate.addSecurityGroup(sg));
    markForGuard(launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate, { role: 'rolling-node-group', upgradePath: this._upgradePath() });
    group = new autoscaling.AutoScalingGroup(this, `${id}Group`, {
      vpc: this.vpc,
      vpcSubnets: this.vpcSubnets,
      launchTemplate,
      minCapacity: options.count,
      maxCapacity: options.count,
      // `cdk deploy` waits for every node to report a finished bootstrap and fails on a FAILURE signal.
      signals: autoscaling.Signals.waitForAll({ timeout: BOOTSTRAP_TIMEOUT }),
      updatePolicy: this.rollingUpdate(options.count),
      // Servers: EC2 status AND the API load balancer's target health (TCP 6443), after a grace period that
      // covers a bootstrap with a snapshot restore; a server whose API stays down about five minutes
      // (API_HEALTH_CHECK) is replaced (drained, snapshot first). Agents: EC2 status only. Their only load balancer is the ingress one, whose health
      // follows the ingress controller (a workload): a broken Traefik must not make the group replace nodes.
      ...(options.server ? {
        healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
          additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
          gracePeriod: SERVER_HEALTH_GRACE,
        }),
      } : {}),
    });
    markForGuard(group.node.defaultChild as autoscaling.CfnAutoScalingGroup, { role: 'rolling-node-group', upgradePath: this._upgradePath() });
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:SignalResource'],
      resources: [Aws.STACK_ID], // the stack's own ARN
    }));
    Tags.of(group).add('Name', `${this.clusterName}-${id.toLowerCase()}`, { applyToLaunchedInstances: true });
    Tags.of(group).add(CLUSTER_TAG, this.clusterName, { applyToLaunchedInstances: true });
    Tags.of(group).add(KUBERNETES_VERSION_TAG, this.version.version, { applyToLaunchedInstances: true });
    if (options.server) {
      Tags.of(group).add(DELIVERY_TARGET_TAG, this.deliveryTarget, { applyToLaunchedInstances: true });
      group.attachToNetworkTargetGroup(this.apiTargetGroup);
    } else {
      // Servers first: CloudFormation updates (rolls) the agents after the servers, and creates them after
      // the servers signalled.
      this.groups.filter(g => g.server).forEach(g => group.node.addDependency(g.group));
    }
    this.nodeDrain.addGroup(group, options.server ? 'server' : 'agent');
    nodeGroupFindings(group, options.server ? 'serverInstanceType' : 'agentInstanceType');
    acknowledge(group, { id: 'AwsSolutions-AS3', reason: 'Node replacement is automatic and visible in the group\'s activity history; no one acts on scaling notifications for a fixed-size group.' });
    this.groups.push({ group, server: options.server });
    return group;
  }

  /**
   * One node at a time (`maxBatchSize` 1) when the launch template changes (version, instance type, image,
   * boot script): the group terminates a node (its lifecycle hook drains it first; a server snapshots etcd
   * first) and waits for the new node's bootstrap signal before the next one. `minInstancesInService` is
   * count - 1: a single server has to go before its replacement starts (0 in service: the API is down for
   * one drain and one bootstrap, and the replacement restores the snapshot the old server took), three HA
   * servers keep a quorum of two, two agents keep one. The pause covers a drain and a bootstrap.
   */
  private rollingUpdate(count: number): autoscaling.UpdatePolicy {
    return autoscaling.UpdatePolicy.rollingUpdate({
      maxBatchSize: 1,
      minInstancesInService: count - 1,
      waitOnResourceSignals: true,
      pauseTime: BOOTSTRAP_TIMEOUT.plus(DRAIN_HEARTBEAT),
    });
  }

  /**
   * Marks the cluster's token secrets (construct ids ending in `Token`: k3s ServerToken and AgentToken,
   * kubeadm BootstrapToken) for the ReplacementGuard: a new generated value would lock every node out.
   */
  private markTokens(): void {
    for (const child of this.node.children) {
      if (child instanceof secretsmanager.Secret && child.node.id.endsWith('Token')) {
        markForGuard(child.node.defaultChild as secretsmanager.CfnSecret, { role: 'cluster-token' });
      }
    }
  }

  /**
   * Connects the ingress load balancer to the nodes once every group exists: the agents when there are
   * agents; otherwise (HA: servers only) the servers, health-checked on the API port so that the servers'
   * ELB health check never follows the ingress controller.
   */
  private connectIngress(): void {
    if (this.ingressTargetGroups.length === 0) return;
    const agents = this.groups.filter(g => !g.server);
    const targets = agents.length > 0 ? agents : this.groups;
    agents.forEach(g => agentHealthCheckFindings(g.group));
    for (const tg of this.ingressTargetGroups) {
      targets.forEach(g => g.group.attachToNetworkTargetGroup(tg));
      if (agents.length === 0) tg.configureHealthCheck({ protocol: elbv2.Protocol.TCP, port: '6443' });
    }
    if (agents.length === 0 && this.ingressSecurityGroup) {
      this.serverSecurityGroup.addIngressRule(this.ingressSecurityGroup, ec2.Port.tcp(6443), 'health checks of the ingress load balancer (servers carry the ingress)');
      this.ingressSecurityGroup.addEgressRule(this.serverSecurityGroup, ec2.Port.tcp(6443), 'health checks of the servers');
    }
  }

  /**
   * Adds the access outputs for the server group and connects the ingress load balancer: called once, after
   * every node group was added. @internal
   */
  protected _addAccessOutputs(serverGroup: autoscaling.AutoScalingGroup): void {
    this.connectIngress();
    this.markTokens();
    const region = Aws.REGION;
    const file = `${this.clusterName}.kubeconfig`;
    new CfnOutput(this, 'KubeconfigCommand', {
      description: 'Fetch the admin kubeconfig (API at https://127.0.0.1:6443: open the port-forwarding session first)',
      value: `aws secretsmanager get-secret-value --region ${region} --secret-id ${this.kubeconfigSecret.secretArn} --query SecretString --output text > ${file} && chmod 600 ${file}`,
    });
    new CfnOutput(this, 'PortForwardCommand', {
      description: 'Forward localhost:6443 to the server\'s API through SSM Session Manager (no inbound port needed)',
      value: `aws ssm start-session --region ${region} --target "$(aws autoscaling describe-auto-scaling-groups --region ${region} --auto-scaling-group-names ${serverGroup.autoScalingGroupName} --query 'AutoScalingGroups[0].Instances[0].InstanceId' --output text)" --document-name AWS-StartPortForwardingSession --parameters portNumber=6443,localPortNumber=6443`,
    });
    new CfnOutput(this, 'ApiEndpoint', { description: 'The stable in-VPC API address (internal NLB)', value: `https://${this.apiEndpoint}:6443` });
    new CfnOutput(this, 'BootstrapLogCommand', {
      description: 'Print a node\'s bootstrap log through SSM; set INSTANCE_ID to the instance of a failed bootstrap ("Received FAILURE signal with UniqueId i-..." in the stack events)',
      value: `aws ssm start-session --region ${region} --target "$INSTANCE_ID" --document-name AWS-StartInteractiveCommand --parameters '{"command":["sudo tail -n 200 ${BOOTSTRAP_LOG}"]}'`,
    });
  }

  private syncCommands(mode: string): string[] {
    const deliveries = this.deliveries.map(d => `${d.id} ${d.url}`).join('\n');
    const script = renderScript([path.join(SCRIPTS, 'sync-workloads.sh')], { MODE: mode, REGION: Aws.REGION, DELIVERIES: deliveries });
    return [
      'f=$(mktemp)',
      'cat > "$f" <<\'CDK_K8S_PLATFORM_SYNC\'',
      ...script.split('\n'),
      'CDK_K8S_PLATFORM_SYNC',
      'rc=0; bash "$f" || rc=$?; rm -f "$f"; exit "$rc"',
    ];
  }
}

/** A key of this app must be a symmetric encryption key: Secrets Manager and S3 encrypt with no other kind. */
function checkEncryptionKey(v: PropValidator, key: kms.IKey | undefined): void {
  const cfn = key?.node.defaultChild;
  if (!(cfn instanceof kms.CfnKey)) return; // imported: its kind is unknown at synth
  const spec = cfn.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
  const usage = cfn.keyUsage ?? kms.KeyUsage.ENCRYPT_DECRYPT;
  if (Token.isUnresolved(spec) || Token.isUnresolved(usage)) return;
  v.check(spec === kms.KeySpec.SYMMETRIC_DEFAULT && usage === kms.KeyUsage.ENCRYPT_DECRYPT, 'encryptionKey', `${key!.node.path} (${spec}, ${usage})`,
    'must be a symmetric encryption key (keySpec SYMMETRIC_DEFAULT, keyUsage ENCRYPT_DECRYPT): Secrets Manager and S3 encrypt with no other kind.');
}

/**
 * The script without its comment lines (the scripts under scripts/ keep them): user data is limited to 16 KB.
 * Kept: the shebang, shellcheck directives, every line of a here-document, and comments after code.
 */
function withoutComments(script: string): string {
  const out: string[] = [];
  let heredoc: { end: string; tabs: boolean } | undefined;
  script.split('\n').forEach((line, i) => {
    if (heredoc) {
      if ((heredoc.tabs ? line.replace(/^\t+/, '') : line) === heredoc.end) heredoc = undefined;
      out.push(line);
      return;
    }
    const comment = /^\s*#/.test(line);
    if (comment && i > 0 && !/^\s*# shellcheck /.test(line)) return;
    const start = comment ? null : /<<(-?)\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(line.replace(/<<</g, ''));
    if (start) heredoc = { end: start[2], tabs: start[1] === '-' };
    out.push(line);
  });
  return out.join('\n');
}
