import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';

/** CPU architecture of the nodes: it selects the AL2023 AMI type and the default instance types. */
export class NodeArchitecture {
  /** x86_64 (Intel/AMD) nodes, AMI type `AL2023_x86_64_STANDARD`. */
  public static readonly X86_64 = new NodeArchitecture('x86_64', eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
    ec2.InstanceArchitecture.X86_64, ['m7i.large'], ['m7i.large', 'm6i.large', 'm6a.large', 'm5.large']);
  /** arm64 Graviton nodes, AMI type `AL2023_ARM_64_STANDARD` (better price/performance; images must be multi-arch). */
  public static readonly ARM_64 = new NodeArchitecture('arm64', eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
    ec2.InstanceArchitecture.ARM_64, ['m7g.large'], ['m7g.large', 'm6g.large', 'c7g.xlarge']);

  private constructor(
    /** A short name: x86_64 or arm64. */
    public readonly name: string,
    /** The managed node group AMI type (always AL2023). */
    public readonly amiType: eks.NodegroupAmiType,
    /** The EC2 architecture that instance types must have. */
    public readonly instanceArchitecture: ec2.InstanceArchitecture,
    /** Default instance types of the on-demand group. */
    public readonly defaultOnDemandTypes: string[],
    /** Default instance types of the spot group (several, to find spot capacity). */
    public readonly defaultSpotTypes: string[],
  ) {}
}

/** Size, instances and scheduling of one managed node group. */
export interface NodeGroupOptions {
  /**
   * Instance types; they must match the architecture. Changing them replaces the node group (EKS cannot
   * update instance types in place).
   * @default - on-demand: m7i.large (x86_64) or m7g.large (arm64); spot: several similar types
   */
  readonly instanceTypes?: ec2.InstanceType[];
  /**
   * Minimum number of nodes.
   * @default 2 for on-demand, 0 for spot
   */
  readonly minSize?: number;
  /**
   * Maximum number of nodes.
   * @default 6
   */
  readonly maxSize?: number;
  /**
   * Number of nodes at creation (the Cluster Autoscaler changes it afterwards).
   * @default - minSize
   */
  readonly desiredSize?: number;
  /**
   * Kubernetes labels of the nodes.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Kubernetes taints of the nodes.
   * @default - none
   */
  readonly taints?: eks.TaintSpec[];
  /**
   * Size of the encrypted gp3 root volume.
   * @default Size.gibibytes(50)
   */
  readonly diskSize?: Size;
  /**
   * How many nodes a version or launch-template update takes down at once (EKS drains each, honouring pod
   * disruption budgets, after its replacement is ready). Set at most one of `maxUnavailable` and
   * `maxUnavailablePercentage`.
   * @default - EKS's default: one node at a time
   */
  readonly maxUnavailable?: number;
  /**
   * The share of nodes (1-100) a version or launch-template update takes down at once.
   * @default - EKS's default: one node at a time
   */
  readonly maxUnavailablePercentage?: number;
}

/** Options of {@link ClusterCapacity.managedNodeGroups}. */
export interface ManagedNodeGroupsOptions {
  /**
   * CPU architecture of every group.
   * @default NodeArchitecture.X86_64
   */
  readonly architecture?: NodeArchitecture;
  /**
   * The on-demand group (always created).
   * @default - 2 to 6 nodes of m7i.large (x86_64) / m7g.large (arm64)
   */
  readonly onDemand?: NodeGroupOptions;
  /**
   * An additional spot group (interruptible, about 70% cheaper). Nodes carry the EKS label
   * `eks.amazonaws.com/capacityType=SPOT`.
   * @default - no spot group
   */
  readonly spot?: NodeGroupOptions;
  /**
   * Install the Cluster Autoscaler (Helm, pinned in versions.ts, Pod Identity) to scale the groups
   * between their min and max sizes.
   * @default true
   */
  readonly clusterAutoscaler?: boolean;
}

/** Options of {@link ClusterCapacity.autoMode}. */
export interface AutoModeOptions {
  /**
   * The built-in node pools to enable: `system` and/or `general-purpose`.
   * @default ['system', 'general-purpose']
   */
  readonly nodePools?: string[];
}

/** Where pods run: EKS managed node groups (AL2023) or EKS Auto Mode. */
export class ClusterCapacity {
  /**
   * Managed node groups on AL2023 (set explicitly), launch templates with IMDSv2 (hop limit 1) and an
   * encrypted gp3 root volume; an on-demand group plus an optional spot group; Cluster Autoscaler.
   */
  public static managedNodeGroups(options: ManagedNodeGroupsOptions = {}): ClusterCapacity {
    return new ClusterCapacity('managedNodeGroups', options, undefined);
  }

  /**
   * EKS Auto Mode: AWS runs the nodes, scaling, pod networking, the EBS CSI driver and load balancing.
   * Note: Auto Mode's load balancing needs `loadBalancerClass: eks.amazonaws.com/nlb` on LoadBalancer
   * Services; Ingresses use the `alb` IngressClass created by the cluster.
   */
  public static autoMode(options: AutoModeOptions = {}): ClusterCapacity {
    return new ClusterCapacity('autoMode', undefined, options);
  }

  private constructor(
    /** managedNodeGroups or autoMode. */
    public readonly kind: 'managedNodeGroups' | 'autoMode',
    /** Options of the managed node groups (kind managedNodeGroups). */
    public readonly nodeGroups: ManagedNodeGroupsOptions | undefined,
    /** Options of Auto Mode (kind autoMode). */
    public readonly autoModeOptions: AutoModeOptions | undefined,
  ) {}
}
