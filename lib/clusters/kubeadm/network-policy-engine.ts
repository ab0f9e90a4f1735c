import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { stagedAsset } from '../../delivery/private/render';
import { KubeObject } from '../../workloads';

/**
 * The NetworkPolicy engine of kubeadm clusters: kube-router's network-policy controller alone
 * (`--run-firewall=true --run-router=false --run-service-proxy=false`), the controller k3s embeds next to
 * flannel. flannel keeps routing pods; kube-router turns NetworkPolicies into iptables/ipset rules on
 * every node. Pinned to the release k3s ships (k3s-io/k3s #13288: kube-router v2.6.2); by tag, as k3s and
 * kOps pin it (a digest cannot be verified at a hermetic synth).
 */
export const KUBE_ROUTER = {
  image: 'docker.io/cloudnativelabs/kube-router:v2.6.2',
  /** The controller's health endpoint (kube-router's default `--health-port`). */
  healthPort: 20244,
} as const;

const NAME = 'kube-router';
const NAMESPACE = 'kube-system';
const LABELS = { 'k8s-app': NAME, 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'network-policy' };

/**
 * The engine's objects: a ServiceAccount, a read-only ClusterRole and its binding, and a DaemonSet on every
 * node. The pods need the host's network and iptables (privileged, hostNetwork, `/lib/modules` and the
 * xtables lock): they run in kube-system, which Pod Security "restricted" does not cover, as flannel and
 * kube-proxy do.
 */
export function networkPolicyEngineObjects(): KubeObject[] {
  const metadata = { name: NAME, namespace: NAMESPACE, labels: LABELS };
  const read = ['get', 'list', 'watch'];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NAME, labels: LABELS },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'], verbs: read },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: read },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NAME, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata,
      spec: {
        selector: { matchLabels: { 'k8s-app': NAME } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: { metadata: { labels: LABELS }, spec: podSpec() },
      },
    },
  ] as KubeObject[];
}

function podSpec(): Record<string, unknown> {
  return {
    serviceAccountName: NAME,
    priorityClassName: 'system-node-critical',
    hostNetwork: true,
    dnsPolicy: 'ClusterFirstWithHostNet',
    tolerations: [{ operator: 'Exists' }],
    containers: [{
      name: NAME,
      image: KUBE_ROUTER.image,
      imagePullPolicy: 'IfNotPresent',
      args: ['--run-firewall=true', '--run-router=false', '--run-service-proxy=false', '--bgp-graceful-restart=false',
        `--health-port=${KUBE_ROUTER.healthPort}`],
      env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      securityContext: { privileged: true },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      livenessProbe: {
        httpGet: { path: '/healthz', port: KUBE_ROUTER.healthPort },
        initialDelaySeconds: 10,
        periodSeconds: 10,
      },
      volumeMounts: [
        { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
        { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
      ],
    }],
    volumes: [
      { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
      { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
    ],
  };
}

/**
 * The engine's objects as one `v1 List` in JSON (deterministic bytes; `kubectl apply -f` applies its items).
 * JSON, not YAML: the `.yaml` assets of a cloud assembly are the workload deliveries.
 */
export function networkPolicyEngineManifest(): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: networkPolicyEngineObjects() }, undefined, 2)}\n`;
}

/** The engine's manifest as an S3 file asset (the control plane fetches it with its role and applies it after flannel). */
export function networkPolicyEngineAsset(scope: Construct, id: string): s3assets.Asset {
  return stagedAsset(scope, id, 'kubeadm-network-policy', new Map([['kube-router.json', networkPolicyEngineManifest()]]), 'kube-router.json').asset;
}
