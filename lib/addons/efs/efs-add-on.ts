import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { efsCsiControllerStatements, efsFileSystem, efsNodeStatements, efsStorageClassParameters } from './private/efs-file-system';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { serverAssociation } from '../../clusters/self-managed/private/server-association';
import { serverKubectl } from '../../clusters/self-managed/private/server-kubectl';
import { SelfManagedClusterBase } from '../../clusters/self-managed/self-managed-cluster';
import { cdkPropValidator } from '../../private/validate';
import { VolumeAccessMode } from '../../workloads';
import { IPlatformAddOn } from '../platform-add-on';
import { REPLACE_BEFORE_START, serverOnlyAffinity } from '../private/server-controller';

/** The EFS CSI driver, pinned: the EKS add-on on EKS, the official Helm chart on k3s and kubeadm. */
export const EFS_CSI_DRIVER = {
  /** `aws eks describe-addon-versions --addon-name aws-efs-csi-driver`. */
  eksAddonVersion: 'v2.1.13-eksbuild.1',
  repository: 'https://kubernetes-sigs.github.io/aws-efs-csi-driver',
  chart: 'aws-efs-csi-driver',
  /** Chart 4.4.1 (tag helm-chart-aws-efs-csi-driver-4.4.1) installs driver v3.4.1. */
  version: '4.4.1',
  appVersion: 'v3.4.1',
} as const;

/** Props of the {@link EfsAddOn}. */
export interface EfsAddOnProps {
  /**
   * Name of the StorageClass (an access point per volume; ReadWriteMany and every other mode).
   * @default 'efs'
   */
  readonly storageClassName?: string;
  /**
   * The key that encrypts the file system.
   * @default - the self-managed platform's `encryptionKey` when it has one, otherwise the AWS managed key of EFS
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the file system (and every volume's data) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const CONFIG_MAP = { namespace: 'kube-system', name: 'cdk-k8s-platform-efs', key: 'fileSystemId' };

/**
 * Shared storage for ReadWriteMany volumes: an encrypted EFS file system (mount targets in the private
 * subnets, NFS from the nodes only, daily backups, retained), the EFS CSI driver and a StorageClass `efs` that
 * gives each volume its own access point. EKS: the `aws-efs-csi-driver` EKS add-on, its controller on EKS
 * Pod Identity. k3s and kubeadm: the driver's Helm chart through the cluster's Helm controller; the controller
 * runs on the servers, and the server role alone gets its least permissions (on this file system only); the
 * agents' role only the two reads of the mount helper's fallback to a mount target's address.
 *
 * Installing it adds the class to `cluster.traits` (every access mode), so a StatefulService may ask it for
 * ReadWriteMany.
 */
export class EfsAddOn implements IPlatformAddOn {
  public readonly name = 'efs';
  /** The file system, once installed. */
  public fileSystem?: efs.FileSystem;
  private readonly props: EfsAddOnProps;

  constructor(props: EfsAddOnProps = {}) {
    this.props = props;
  }

  public install(cluster: IPlatformCluster): IDependable {
    const v = cdkPropValidator(cluster, 'EfsAddOn');
    const storageClassName = v.dnsSubdomain('storageClassName', this.props.storageClassName ?? 'efs');
    const ready = this.installDriver(cluster, storageClassName);
    // backedUp: the file system's automatic backups (AWS Backup, daily, 35 days)
    cluster.traits.addAbilities({ storageClasses: [{ name: storageClassName, accessModes: Object.values(VolumeAccessMode), backedUp: true }] });
    return ready;
  }

  private installDriver(cluster: IPlatformCluster, storageClassName: string): IDependable {
    if (cluster.distribution === ClusterDistribution.EKS && cluster instanceof EksPlatformCluster) return this.installOnEks(cluster, storageClassName);
    const selfManaged = cluster.distribution === ClusterDistribution.K3S || cluster.distribution === ClusterDistribution.KUBEADM;
    if (selfManaged && cluster instanceof SelfManagedClusterBase) return this.installSelfManaged(cluster, storageClassName);
    return cdkPropValidator(cluster, 'EfsAddOn').fail('install(cluster)', `${cluster.node.path} (${cluster.distribution})`,
      'must be an EksPlatformCluster or a SelfManagedPlatformStack cluster (k3s or kubeadm) of this library.');
  }

  private fileSystemFor(scope: Construct, nodeSecurityGroup: Parameters<typeof efsFileSystem>[1]['nodeSecurityGroup'],
    vpc: Parameters<typeof efsFileSystem>[1]['vpc'], platformKey?: kms.IKey): efs.FileSystem {
    this.fileSystem = efsFileSystem(scope, {
      vpc,
      nodeSecurityGroup,
      encryptionKey: this.props.encryptionKey ?? platformKey,
      removalPolicy: this.props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    return this.fileSystem;
  }

  private installOnEks(cluster: EksPlatformCluster, storageClassName: string): IDependable {
    const scope = new Construct(cluster, 'EfsAddOn');
    const fileSystem = this.fileSystemFor(scope, cluster.cluster.clusterSecurityGroup, cluster.cluster.vpc);
    const identity = new PodIdentity(scope, 'ControllerIdentity', {
      cluster: cluster.cluster,
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-controller-sa',
      statements: efsCsiControllerStatements(fileSystem),
    });
    const driver = new eks.Addon(scope, 'Driver', {
      cluster: cluster.cluster,
      addonName: 'aws-efs-csi-driver',
      addonVersion: EFS_CSI_DRIVER.eksAddonVersion,
      preserveOnDelete: false,
    });
    driver.node.addDependency(identity, ...cluster.addons.readiness);
    const storageClass = new eks.KubernetesManifest(scope, 'StorageClass', {
      cluster: cluster.cluster,
      overwrite: true,
      manifest: [efsStorageClass(storageClassName, efsStorageClassParameters({ fileSystemId: fileSystem.fileSystemId }))],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    storageClass.node.addDependency(driver, fileSystem.mountTargetsAvailable);
    const ready = new DependencyGroup(driver, storageClass);
    cluster.workloadDependencies.push(ready);
    return ready;
  }

  private installSelfManaged(cluster: SelfManagedClusterBase, storageClassName: string): IDependable {
    const scope = new Construct(cluster, 'EfsAddOn');
    // The API load balancer lives in the cluster's VPC (the cluster keeps its VPC to itself).
    const fileSystem = this.fileSystemFor(scope, cluster.nodeSecurityGroup, cluster.apiLoadBalancer.vpc!, cluster.encryptionKey);
    // The controller runs on the servers only (the chart's affinity): the server role alone gets its least
    // permissions. The agents' node plugins get the two reads of the mount helper's fallback (the controller's
    // statements hold them for the servers).
    for (const statement of efsCsiControllerStatements(fileSystem)) cluster.serverRole.addToPrincipalPolicy(statement);
    for (const statement of efsNodeStatements(fileSystem)) cluster.agentRole.addToPrincipalPolicy(statement);
    // The file system id is known only at deploy time, and deliveries are files: an SSM association writes it
    // into a ConfigMap the StorageClass names (fileSystemIdConfigRef).
    const config = serverAssociation(scope, 'FileSystemIdConfig', {
      targets: cluster.workloadSync.targets,
      commands: fileSystemIdCommands(serverKubectl(cluster.distribution), fileSystem.fileSystemId),
      timeout: Duration.minutes(15),
    });
    config.node.addDependency(fileSystem.mountTargetsAvailable);
    const chart = cluster.addHelmChart(this.name, {
      repository: EFS_CSI_DRIVER.repository,
      chart: EFS_CSI_DRIVER.chart,
      version: EFS_CSI_DRIVER.version,
      // The node plugin mounts NFS on the host (privileged): kube-system, as the EKS add-on does.
      namespace: 'kube-system',
      createNamespace: false,
      values: efsChartValues(storageClassName, cluster.serverCount),
    });
    return new DependencyGroup(chart, config);
  }
}

function efsStorageClass(name: string, parameters: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'efs.csi.aws.com',
    parameters,
    mountOptions: ['tls'],
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'Immediate',
  };
}

/**
 * The chart's values on k3s and kubeadm: pinned image; the controller on the servers only (their role alone
 * may create access points), one replica per server on the host network (the instance role through IMDS, hop
 * limit 1), its health port bound on its server, so an update replaces a pod before it starts the next; the
 * class by ConfigMap.
 */
function efsChartValues(storageClassName: string, servers: number): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata, provisioner: _p, ...rest } = efsStorageClass(storageClassName,
    efsStorageClassParameters({ configRef: `${CONFIG_MAP.namespace}/${CONFIG_MAP.name}/${CONFIG_MAP.key}` }));
  return {
    image: { tag: EFS_CSI_DRIVER.appVersion },
    controller: {
      hostNetwork: true,
      replicaCount: servers,
      rollingUpdate: REPLACE_BEFORE_START,
      affinity: serverOnlyAffinity('efs-csi-controller'),
      fileSystemIdRefs: { enabled: true },
      // one server: no budget (it would keep the server from being drained for its replacement)
      podDisruptionBudget: { enabled: servers > 1, minAvailable: 1 },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    },
    node: { resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } } },
    storageClasses: [{ name: (metadata as { name: string }).name, ...rest }],
  };
}

/** Writes the file system id into the ConfigMap on a server with its admin `kubectl`, once the API answers (idempotent). */
function fileSystemIdCommands(kubectl: string, fileSystemId: string): string[] {
  const { namespace, name, key } = CONFIG_MAP;
  return [
    'set -euo pipefail',
    `for i in $(seq 1 80); do ${kubectl} get namespace kube-system >/dev/null 2>&1 && break; sleep 10; done`,
    `${kubectl} -n ${namespace} create configmap ${name} --from-literal=${key}=${fileSystemId} --dry-run=client -o yaml `
      + `| ${kubectl} apply --server-side --field-manager=cdk-k8s-platform -f -`,
  ];
}
