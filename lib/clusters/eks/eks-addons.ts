import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct, IDependable } from 'constructs';
import { PodIdentity } from './private/pod-identity';
import { EKS_VERSIONS, EksAddonName, EksVersionPins } from './versions';
import { acknowledge } from '../../private/nag';
import { EBS_CSI_DRIVER, EKS_AUTO_MODE_EBS_DRIVER } from '../../workloads/private/csi-drivers';

/**
 * The tag the EBS CSI driver puts on every volume it provisions once VolumeBackupAddOn is installed (value:
 * the cluster name; the add-on's `controller.extraVolumeTags`), by which AWS Backup selects the volumes.
 */
export const VOLUME_BACKUP_TAG = 'platform.cdk-k8s.io/backup';

/**
 * The value of {@link VOLUME_BACKUP_TAG}: the cluster's name, as a literal when it is known at synth time,
 * otherwise the deploy-time name.
 */
export function volumeBackupTagValue(cluster: eks.Cluster): string {
  const name = (cluster.node.defaultChild as eks.CfnCluster | undefined)?.name;
  return typeof name === 'string' && !Token.isUnresolved(name) ? name : cluster.clusterName;
}

/** What happens to an EBS volume when its PersistentVolumeClaim is deleted. */
export enum VolumeReclaimPolicy {
  /** Keep the volume (and its data); an operator deletes it by hand. The default: data is never lost by a code change. */
  RETAIN = 'Retain',
  /** Delete the volume with the claim. */
  DELETE = 'Delete',
}

/** Props of {@link EksAddons}. */
export interface EksAddonsProps {
  /** The cluster. */
  readonly cluster: eks.Cluster;
  /** The cluster runs in EKS Auto Mode (networking, CoreDNS and EBS CSI are built in). */
  readonly autoMode: boolean;
  /**
   * Node groups: they are created after the networking add-ons (vpc-cni, kube-proxy, Pod Identity agent),
   * and the add-ons that schedule pods (CoreDNS, metrics-server, EBS CSI) after them.
   * @default - none
   */
  readonly nodeGroups?: IConstruct[];
  /**
   * Name of the StorageClass for EBS gp3 volumes (the cluster's default class).
   * @default 'gp3'
   */
  readonly storageClassName?: string;
  /**
   * Reclaim policy of the StorageClass.
   * @default VolumeReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: VolumeReclaimPolicy;
  /**
   * The pinned versions of the cluster's Kubernetes version (a row of `EKS_VERSION_TABLE`).
   * @default EKS_VERSIONS (the default Kubernetes version)
   */
  readonly versions?: EksVersionPins;
}

/**
 * The EKS add-ons the workloads need, each pinned in versions.ts: vpc-cni, kube-proxy, CoreDNS,
 * eks-pod-identity-agent, aws-ebs-csi-driver (with a Pod Identity role) and metrics-server, plus an
 * encrypted gp3 StorageClass (WaitForFirstConsumer). In Auto Mode only metrics-server and the
 * StorageClass (Auto Mode's EBS provisioner) are added, and an `alb` IngressClass.
 */
export class EksAddons extends Construct {
  /** The add-ons by name. */
  public readonly addons: Partial<Record<EksAddonName, eks.Addon>> = {};
  /** The gp3 StorageClass manifest. */
  public readonly storageClass: eks.KubernetesManifest;
  /** The EBS CSI driver's Pod Identity (node groups only). */
  public readonly ebsCsiIdentity?: PodIdentity;
  /** What workloads must wait for: the StorageClass, EBS CSI and metrics-server (and the IngressClass in Auto Mode). */
  public readonly readiness: IDependable[] = [];

  constructor(scope: Construct, id: string, props: EksAddonsProps) {
    super(scope, id);
    const cluster = props.cluster;
    const add = (name: EksAddonName, extra: Partial<eks.AddonProps> = {}): eks.Addon => {
      const addon = new eks.Addon(this, name, {
        cluster,
        addonName: name,
        addonVersion: (props.versions ?? EKS_VERSIONS).addons[name],
        preserveOnDelete: false,
        ...extra,
      });
      this.addons[name] = addon;
      return addon;
    };
    const nodeGroups = props.nodeGroups ?? [];

    if (!props.autoMode) {
      // The VPC CNI enforces NetworkPolicies only when asked to (its network policy agent is off by default):
      // without this, the policies every workload carries would be silently ignored.
      const cni = add('vpc-cni', { configurationValues: { enableNetworkPolicy: 'true' } });
      const networking = [cni, add('kube-proxy'), add('eks-pod-identity-agent')];
      for (const ng of nodeGroups) for (const a of networking) ng.node.addDependency(a);

      const coredns = add('coredns');
      const ebsIdentity = new PodIdentity(this, 'EbsCsiIdentity', {
        cluster,
        namespace: 'kube-system',
        serviceAccount: 'ebs-csi-controller-sa',
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEBSCSIDriverPolicy')],
      });
      this.ebsCsiIdentity = ebsIdentity;
      acknowledge(ebsIdentity.role, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy]',
        reason: 'AWS maintains AmazonEBSCSIDriverPolicy for the EBS CSI driver; its volume and snapshot actions are scoped by tags the driver sets.',
      });
      const ebs = add('aws-ebs-csi-driver');
      ebs.node.addDependency(ebsIdentity);
      const metrics = add('metrics-server');
      for (const a of [coredns, ebs, metrics]) for (const ng of nodeGroups) a.node.addDependency(ng);
      for (const a of [coredns, ebs, metrics]) a.node.addDependency(...networking);
      this.readiness.push(ebs, metrics, coredns);
    } else {
      const metrics = add('metrics-server');
      this.readiness.push(metrics);
      const ingressClass = cluster.addManifest('AlbIngressClass', {
        apiVersion: 'eks.amazonaws.com/v1',
        kind: 'IngressClassParams',
        metadata: { name: 'alb' },
        spec: {},
      }, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'alb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: {
          controller: 'eks.amazonaws.com/alb',
          parameters: { apiGroup: 'eks.amazonaws.com', kind: 'IngressClassParams', name: 'alb' },
        },
      });
      this.readiness.push(ingressClass);
    }

    this.storageClass = new eks.KubernetesManifest(this, 'StorageClass', {
      cluster,
      overwrite: true,
      manifest: [{
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: {
          name: props.storageClassName ?? 'gp3',
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        },
        provisioner: props.autoMode ? EKS_AUTO_MODE_EBS_DRIVER : EBS_CSI_DRIVER,
        // Parameters of a StorageClass are immutable: never change them here, or every existing cluster's next
        // deploy fails (VolumeBackupAddOn tags volumes through the EBS CSI add-on's configuration instead).
        parameters: { type: 'gp3', encrypted: 'true', fsType: 'ext4' },
        reclaimPolicy: props.reclaimPolicy ?? VolumeReclaimPolicy.RETAIN,
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (this.addons['aws-ebs-csi-driver']) this.storageClass.node.addDependency(this.addons['aws-ebs-csi-driver']);
    this.readiness.push(this.storageClass);
  }
}
