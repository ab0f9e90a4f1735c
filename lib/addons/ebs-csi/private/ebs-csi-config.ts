import { EBS_CSI_DRIVER } from '../../../workloads/private/csi-drivers';
import { REPLACE_BEFORE_START, serverOnlyAffinity } from '../../private/server-controller';

/**
 * Host ports of the driver's pods on the host network. The node plugin keeps the chart's 9808 (fixed in the
 * chart); its registrar moves off 9809 (the EFS node plugin's); the controller moves off 9808 to 9818 (the
 * value `controller.healthPort` of the library's copy of the chart).
 */
export const HOST_PORTS = { nodeHealth: 9808, nodeRegistrar: 9810, controllerHealth: 9818 } as const;

/** A container's security context under Pod Security "restricted" (the pod's user is the chart's). */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** What the chart and the class are made of. */
export interface EbsCsiConfig {
  readonly clusterName: string;
  readonly storageClassName: string;
  readonly imageTag: string;
  /** Tags the controller adds to every volume it creates (the backup tag). */
  readonly extraVolumeTags: Record<string, string>;
  /** ARN of the customer-managed key of the volumes (may be a deploy-time token: it goes through SSM). */
  readonly kmsKeyArn?: string;
  /** Tag `key=value` every volume of the class carries (the cluster's). */
  readonly classTag: string;
  /** Controller replicas: one per server (each binds the health port on its server's host network). */
  readonly controllerReplicas: number;
}

/**
 * The chart's values (the library's copy of the chart: `controller.hostNetwork` and `controller.healthPort`
 * are its own): pinned image; the controller on the servers only (their role alone may change volumes), on
 * the host network (the instance role through IMDS, hop limit 1), one replica per server, its health port off
 * the node plugin's; the node plugin on the host network (it reads the instance id and zone from IMDS), its
 * registrar off the EFS node plugin's port; volumes tagged for this cluster; no Windows DaemonSet, no test
 * pod. The StorageClass is written by the association (its key may be known at deploy time only).
 */
export function ebsChartValues(config: EbsCsiConfig): Record<string, unknown> {
  const sidecar = { securityContext: RESTRICTED_CONTAINER };
  return {
    image: { tag: config.imageTag },
    controller: {
      hostNetwork: true,
      healthPort: HOST_PORTS.controllerHealth,
      replicaCount: config.controllerReplicas,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: REPLACE_BEFORE_START },
      affinity: serverOnlyAffinity('ebs-csi-controller'),
      k8sTagClusterId: config.clusterName,
      ...(Object.keys(config.extraVolumeTags).length > 0 ? { extraVolumeTags: config.extraVolumeTags } : {}),
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      containerSecurityContext: RESTRICTED_CONTAINER,
    },
    node: {
      hostNetwork: true,
      enableWindows: false,
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    },
    // every container but the node plugin's own (privileged: it mounts on the host) as restricted as the chart allows
    sidecars: {
      provisioner: sidecar,
      attacher: sidecar,
      snapshotter: sidecar,
      resizer: sidecar,
      volumemodifier: sidecar,
      livenessProbe: sidecar,
      nodeDriverRegistrar: { ...sidecar, healthPort: HOST_PORTS.nodeRegistrar },
    },
    helmTester: { enabled: false },
  };
}

/** The gp3 StorageClass: encrypted, retained, bound where the pod lands, expandable, tagged for the cluster. */
export function ebsStorageClass(config: EbsCsiConfig): Record<string, unknown> {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: config.storageClassName, labels: { 'platform.cdk-k8s.io/add-on': 'ebs-csi' } },
    provisioner: EBS_CSI_DRIVER,
    parameters: {
      'type': 'gp3',
      'encrypted': 'true',
      'csi.storage.k8s.io/fstype': 'ext4',
      ...(config.kmsKeyArn !== undefined ? { kmsKeyId: config.kmsKeyArn } : {}),
      'tagSpecification_1': config.classTag,
    },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
}

/**
 * The commands an SSM association runs on a server with its admin kubectl (idempotent, also every 30
 * minutes): once the API answers, apply the StorageClass. Nothing else: the chart's values say everything
 * about the driver's pods, so every Helm upgrade renders the state the cluster should have.
 */
export function ebsServerCommands(kubectl: string, config: EbsCsiConfig): string[] {
  return [
    'set -euo pipefail',
    `for _ in $(seq 1 80); do ${kubectl} get namespace kube-system >/dev/null 2>&1 && break; sleep 10; done`,
    `echo '${JSON.stringify(ebsStorageClass(config))}' | ${kubectl} apply --server-side --field-manager=cdk-k8s-platform -f -`,
  ];
}
