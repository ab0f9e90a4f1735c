import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { stagedAsset } from '../../delivery/private/render';
import { KubeObject } from '../../workloads';
import { HELM_CHART_NAMESPACE } from '../self-managed/private/add-on-chart';

/**
 * The Helm controller of kubeadm clusters: the standalone k3s-io/helm-controller, the controller k3s embeds,
 * so that an add-on's `helm.cattle.io/v1` HelmChart object installs the same way on kubeadm as on k3s.
 * Pinned to the newest release of the v0.16 line k3s 1.33 embeds, and to the job image its release manifest
 * names; by tag, as kube-router is pinned here (a digest cannot be verified at a hermetic synth).
 */
export const HELM_CONTROLLER = {
  version: 'v0.16.26',
  image: 'ghcr.io/k3s-io/helm-controller:v0.16.26',
  /**
   * klipper-helm: the image of the install/upgrade/delete jobs the controller runs for each HelmChart. From
   * v0.16.23 (k3s-io/helm-controller 7b033ef) a finished job counts as done only when the release carries the
   * `helmcharts.helm.cattle.io/configHash` label, which klipper-helm writes from v0.13.0 (k3s-io/klipper-helm
   * f556e6d): an older job image (the v0.9.10 the release manifest still names) would upgrade every chart again and
   * again. v0.13.3-build20260727 is the build k3s ships with these controllers (SSA and force-conflicts included).
   */
  jobImage: 'ghcr.io/k3s-io/klipper-helm:v0.13.3-build20260727',
  /** The controller's own namespace (Pod Security restricted). */
  namespace: 'helm-controller',
  /**
   * The one namespace whose HelmCharts the controller acts on (`--namespace`), and where their jobs run: the
   * namespace k3s's controller uses for the library's HelmCharts. Only cluster admins write there.
   */
  chartNamespace: HELM_CHART_NAMESPACE,
  /** The CRDs the controller creates when it starts (it embeds them): the bootstrap waits for them. */
  crds: ['helmcharts.helm.cattle.io', 'helmchartconfigs.helm.cattle.io'],
  /** The ClusterRole each chart's job is bound to (a chart may create any object, CRDs and RBAC included). */
  jobClusterRole: 'cluster-admin',
} as const;

const NAME = 'helm-controller';
const LABELS = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'add-on-installer', 'app.kubernetes.io/version': HELM_CONTROLLER.version };
const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};
const READ = ['get', 'list', 'watch'];
const WRITE = [...READ, 'create', 'update', 'patch', 'delete'];

/**
 * What the controller may do, from its code (v0.16.26): create its CRDs; act on the HelmCharts of
 * `chartNamespace` (claim them, status, finalizers); per chart, apply a Job, a ServiceAccount, a values Secret
 * and a content ConfigMap there and a ClusterRoleBinding of the ServiceAccount to `jobClusterRole` (the
 * `bind` verb on that role alone, instead of holding its permissions); read Helm's release Secrets (or
 * ConfigMaps) in each chart's target namespace; leader election (a Lease) and Events in `chartNamespace`.
 * Upstream's manifest grants `*` on everything instead. Binding `cluster-admin` makes the controller as
 * powerful as a cluster admin all the same: that is what installing any chart takes (k3s's runs in its server).
 */
function rbacObjects(): KubeObject[] {
  const ns = HELM_CONTROLLER.chartNamespace;
  const subjects = [{ kind: 'ServiceAccount', name: NAME, namespace: HELM_CONTROLLER.namespace }];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NAME, labels: LABELS },
      rules: [
        { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: [...READ, 'create', 'update', 'patch'] },
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: WRITE },
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: [HELM_CONTROLLER.jobClusterRole] },
        { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: READ },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NAME, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: NAME, namespace: ns, labels: LABELS },
      rules: [
        {
          apiGroups: ['helm.cattle.io'],
          resources: ['helmcharts', 'helmcharts/status', 'helmcharts/finalizers', 'helmchartconfigs', 'helmchartconfigs/finalizers'],
          verbs: [...READ, 'update', 'patch'],
        },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: WRITE },
        { apiGroups: [''], resources: ['serviceaccounts', 'secrets', 'configmaps'], verbs: WRITE },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, 'create', 'update', 'patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: NAME, namespace: ns, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects,
    },
  ] as KubeObject[];
}

/**
 * The controller's objects: its namespace (Pod Security restricted), ServiceAccount, RBAC and a Deployment
 * of one replica that runs restricted (non-root, no capabilities, read-only root filesystem). It mounts its
 * ServiceAccount token: it is an API client. The chart jobs it starts run in `chartNamespace`, with the
 * restricted security context the controller sets on every job.
 */
export function helmControllerObjects(): KubeObject[] {
  const metadata = { name: NAME, namespace: HELM_CONTROLLER.namespace, labels: LABELS };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: HELM_CONTROLLER.namespace, labels: { ...LABELS, ...RESTRICTED } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    ...rbacObjects(),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        // One controller at a time (it also takes a leader Lease): the old pod stops before the new one starts.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        template: { metadata: { labels: LABELS }, spec: podSpec() },
      },
    },
  ] as KubeObject[];
}

function podSpec(): Record<string, unknown> {
  return {
    serviceAccountName: NAME,
    automountServiceAccountToken: true,
    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: NAME,
      image: HELM_CONTROLLER.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['helm-controller'],
      args: [`--namespace=${HELM_CONTROLLER.chartNamespace}`],
      env: [
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'JOB_CLUSTER_ROLE', value: HELM_CONTROLLER.jobClusterRole },
        { name: 'DEFAULT_JOB_IMAGE', value: HELM_CONTROLLER.jobImage },
      ],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    }],
  };
}

/**
 * The controller's objects as one `v1 List` in JSON (deterministic bytes; `kubectl apply -f` applies its
 * items). JSON, not YAML: the `.yaml` assets of a cloud assembly are the workload deliveries.
 */
export function helmControllerManifest(): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: helmControllerObjects() }, undefined, 2)}\n`;
}

/** The controller's manifest as an S3 file asset (the control plane fetches it with its role and applies it). */
export function helmControllerAsset(scope: Construct, id: string): s3assets.Asset {
  return stagedAsset(scope, id, 'kubeadm-helm-controller', new Map([['helm-controller.json', helmControllerManifest()]]), 'helm-controller.json').asset;
}
