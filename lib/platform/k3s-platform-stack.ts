import { Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { K3sCluster, K3sClusterProps } from '../clusters/k3s';
import { KubeadmCluster, KubeadmClusterProps } from '../clusters/kubeadm';
import { SelfManagedClusterBase, SelfManagedClusterOptions, SelfManagedClusterProps } from '../clusters/self-managed';
import { PlatformNetwork } from '../network';
import { SelfManagedPlatformNetworkConfig } from './platform-network-config';
import { platformNetwork } from './private/network';
import { CdkPropValidator } from '../private/validate';

/** Options of the k3s distribution. */
export type K3sDistributionOptions = Omit<K3sClusterProps, keyof SelfManagedClusterProps>;
/** Options of the kubeadm distribution. */
export type KubeadmDistributionOptions = Omit<KubeadmClusterProps, keyof SelfManagedClusterProps>;

/** Which Kubernetes distribution a self-managed platform runs. */
export class SelfManagedDistribution {
  /** k3s (default): packaged Traefik, ServiceLB, local-path, metrics-server; etcd snapshots to S3. */
  public static k3s(options: K3sDistributionOptions = {}): SelfManagedDistribution {
    return new SelfManagedDistribution('k3s', (scope, id, props) => new K3sCluster(scope, id, { ...props, ...options }));
  }

  /** kubeadm: upstream Kubernetes with flannel, local-path, metrics-server and Traefik. */
  public static kubeadm(options: KubeadmDistributionOptions = {}): SelfManagedDistribution {
    return new SelfManagedDistribution('kubeadm', (scope, id, props) => new KubeadmCluster(scope, id, { ...props, ...options }));
  }

  private constructor(
    /** k3s or kubeadm. */
    public readonly name: string,
    private readonly factory: (scope: Construct, id: string, props: SelfManagedClusterProps) => SelfManagedClusterBase,
  ) {}

  /** Creates the cluster. @internal */
  public _create(scope: Construct, id: string, props: SelfManagedClusterProps): SelfManagedClusterBase {
    return this.factory(scope, id, props);
  }
}

/** Props of a {@link K3sPlatformStack}. */
export interface K3sPlatformStackProps extends StackProps {
  /** Name of the platform (lowercase letters, digits, '-'); the cluster is named after it. */
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
   * A customer-managed KMS key for the flow-log group, the cluster's secrets and, on k3s, the etcd snapshot
   * bucket (see `SelfManagedClusterProps.encryptionKey` for what the node roles get).
   * @default - AWS-managed keys; the customer-managed-key findings are acknowledged
   */
  readonly encryptionKey?: kms.IKey;
}

const PLATFORM_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/**
 * The self-managed platform in one stack: a {@link PlatformNetwork} and a three-node {@link K3sCluster}
 * (or {@link KubeadmCluster}), with outputs for fetching the kubeconfig and opening an SSM port-forwarding
 * session. Deliver workloads with `stack.cluster.addWorkloads('apps', charts)`.
 *
 * Synthesizes without an account or region (env-agnostic) and without any lookup.
 */
export class K3sPlatformStack extends Stack {
  /** The network. */
  public readonly network: PlatformNetwork;
  /** The cluster. */
  public readonly cluster: SelfManagedClusterBase;

  constructor(scope: Construct, id: string, props: K3sPlatformStackProps) {
    super(scope, id, props);
    const v = new CdkPropValidator(this, 'K3sPlatformStack');
    v.check(typeof props.platformName === 'string' && PLATFORM_NAME.test(props.platformName), 'platformName', props.platformName,
      'must be 2-32 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (e.g. "acme").');
    this.network = platformNetwork(this, v, props.network, props.encryptionKey);
    const distribution = props.distribution ?? SelfManagedDistribution.k3s();
    this.cluster = distribution._create(this, 'Cluster', {
      ...props.cluster, vpc: this.network.vpc, clusterName: props.platformName, encryptionKey: props.encryptionKey,
    });
  }
}
