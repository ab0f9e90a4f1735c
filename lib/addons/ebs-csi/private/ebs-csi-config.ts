/** The pinned chart's facts this file relies on (checked against the chart in test/addons/ebs-csi-add-on.test.ts). */
export const CONTROLLER = { namespace: 'kube-system', deployment: 'ebs-csi-controller', plugin: 'ebs-plugin', livenessProbe: 'liveness-probe' } as const;
/**
 * Host ports of the driver's pods on the host network. The node plugin keeps the chart's 9808 (fixed in the
 * chart); its registrar moves off 9809 (the EFS node plugin's); the controller moves off 9808 to 9818.
 */
export const HOST_PORTS = { nodeHealth: 9808, nodeRegistrar: 9810, controllerHealth: 9818 } as const;
/** The controller's liveness-probe arguments in the pinned chart, and the health port added to them. */
export const CONTROLLER_LIVENESS_ARGS = ['--csi-address=/csi/csi.sock', '--probe-timeout=60s', `--health-port=${HOST_PORTS.controllerHealth}`];

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
}

/**
 * The chart's values: pinned image, the node plugin on the host network (it reads the instance id and zone
 * from IMDS, hop limit 1), the registrar off the EFS node plugin's port, volumes tagged for this cluster,
 * no Windows DaemonSet, no test pod. The StorageClass is written by the association (its key may be known at
 * deploy time only), and the controller's host network is patched in (the chart has no value for it).
 */
export function ebsChartValues(config: EbsCsiConfig): Record<string, unknown> {
  const sidecar = { securityContext: RESTRICTED_CONTAINER };
  return {
    image: { tag: config.imageTag },
    controller: {
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
    provisioner: 'ebs.csi.aws.com',
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
 * The JSON patch that puts the controller on the host network (the instance role through IMDS, hop limit 1)
 * with its health port off the node plugin's; `$L` is the liveness-probe container's index. Idempotent:
 * every operation sets a value, and the tests guard the containers' names.
 */
export function controllerPatch(livenessIndex: string): Array<Record<string, unknown>> {
  const c = '/spec/template/spec/containers';
  return [
    { op: 'test', path: `${c}/0/name`, value: CONTROLLER.plugin },
    { op: 'test', path: `${c}/${livenessIndex}/name`, value: CONTROLLER.livenessProbe },
    { op: 'add', path: '/spec/template/spec/hostNetwork', value: true },
    { op: 'replace', path: `${c}/0/ports`, value: [{ name: 'healthz', containerPort: HOST_PORTS.controllerHealth, protocol: 'TCP' }] },
    { op: 'replace', path: `${c}/${livenessIndex}/args`, value: CONTROLLER_LIVENESS_ARGS },
  ];
}

/**
 * The commands an SSM association runs on a server with its admin kubectl (idempotent, also every 30
 * minutes): once the API answers, apply the StorageClass; once the chart made the controller, patch it onto
 * the host network.
 */
export function ebsServerCommands(kubectl: string, config: EbsCsiConfig): string[] {
  const { namespace, deployment } = CONTROLLER;
  const patch = JSON.stringify(controllerPatch('%s'));
  return [
    'set -euo pipefail',
    `for i in $(seq 1 80); do ${kubectl} get namespace kube-system >/dev/null 2>&1 && break; sleep 10; done`,
    `echo '${JSON.stringify(ebsStorageClass(config))}' | ${kubectl} apply --server-side --field-manager=cdk-k8s-platform -f -`,
    `for i in $(seq 1 90); do ${kubectl} -n ${namespace} get deployment ${deployment} >/dev/null 2>&1 && break; sleep 10; done`,
    `names=$(${kubectl} -n ${namespace} get deployment ${deployment} -o jsonpath='{.spec.template.spec.containers[*].name}')`,
    `i=0; l=''; for n in $names; do if [ "$n" = ${CONTROLLER.livenessProbe} ]; then l=$i; fi; i=$((i + 1)); done`,
    `if [ -z "$l" ]; then echo "${namespace}/${deployment} has no ${CONTROLLER.livenessProbe} container: is the chart the pinned one?" >&2; exit 1; fi`,
    `${kubectl} -n ${namespace} patch deployment ${deployment} --type json -p "$(printf '${patch}' "$l" "$l")"`,
  ];
}

