import { ApiObject, App, Chart } from 'cdk8s';
import { STS_AUDIENCE } from './service-account-issuer';

/**
 * The amazon-eks-pod-identity-webhook release this library runs on k3s and kubeadm, pinned by the digest of
 * its multi-architecture image index (v0.6.17: amd64 and arm64).
 */
export const POD_IDENTITY_WEBHOOK_IMAGE = {
  version: 'v0.6.17',
  image: 'public.ecr.aws/eks/amazon-eks-pod-identity-webhook@sha256:3071570e8e8cba6d5aff01e86d52bc91025a0578782aa9cd2b681480845b0a50',
} as const;

/** Namespace of the webhook (Pod Security restricted). */
export const WEBHOOK_NAMESPACE = 'pod-identity-webhook';
/** Name of its Deployment, Service, ServiceAccount, RBAC objects and MutatingWebhookConfiguration; its Secret is `<name>-tls`. */
export const WEBHOOK_NAME = 'pod-identity-webhook';
/** The ServiceAccount annotation the webhook acts on (as on EKS). */
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

const PORT = 9443;
const METRICS_PORT = 9999;
const CERT_DIR = '/etc/webhook/certs';
const LABELS = { 'app.kubernetes.io/name': WEBHOOK_NAME, 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' };

/**
 * The ConfigMap (`region`) the servers' identity timer writes from the instance's region: the region the
 * mutated pods call (AWS_REGION, AWS_DEFAULT_REGION, the regional STS endpoint). A file asset cannot hold the
 * stack's region when the stack is environment-agnostic, the servers always know it.
 */
export const WEBHOOK_SETTINGS = `${WEBHOOK_NAME}-settings`;

/**
 * The pod identity webhook as cdk8s objects: it mutates every new pod whose ServiceAccount carries
 * `eks.amazonaws.com/role-arn`, adding AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and a projected token of
 * audience `sts.amazonaws.com` (valid 24 h, renewed by the kubelet), as on EKS.
 *
 * TLS without cert-manager: the servers' `cdk-k8s-platform-identity` timer creates the Secret
 * `pod-identity-webhook-tls` (a self-signed certificate, renewed 30 days before it expires) and writes the
 * caBundle, and the ConfigMap of the region; until then the pods wait for them. `failurePolicy: Ignore`: an unavailable webhook never
 * blocks pod creation (a pod created in that window runs without AWS credentials and fails its AWS calls; delete it to get them).
 * Two replicas on different nodes and a disruption budget keep that window to node failures.
 */
export function podIdentityWebhookChart(): Chart {
  const chart = new Chart(new App(), 'workload-identity');
  const meta = (extra: Record<string, unknown> = {}) => ({ name: WEBHOOK_NAME, namespace: WEBHOOK_NAMESPACE, labels: LABELS, ...extra });
  new ApiObject(chart, 'Namespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: WEBHOOK_NAMESPACE,
      labels: {
        ...LABELS,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
  new ApiObject(chart, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(), automountServiceAccountToken: true });
  rbac(chart);
  new ApiObject(chart, 'Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: deploymentSpec() });
  new ApiObject(chart, 'Service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(),
    spec: { selector: LABELS, ports: [{ name: 'https', port: 443, targetPort: PORT, protocol: 'TCP' }] },
  });
  new ApiObject(chart, 'Budget', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(),
    spec: { minAvailable: 1, selector: { matchLabels: LABELS } },
  });
  new ApiObject(chart, 'NetworkPolicy', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(),
    spec: {
      podSelector: { matchLabels: LABELS },
      policyTypes: ['Ingress', 'Egress'],
      // The API server calls the webhook from the servers' host network: only the webhook port is open.
      ingress: [{ ports: [{ protocol: 'TCP', port: PORT }] }],
      // The webhook talks to the API server only (the kubernetes Service, 443, is the servers' 6443).
      egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }],
    },
  });
  mutatingWebhook(chart);
  return chart;
}

function rbac(chart: Chart): void {
  new ApiObject(chart, 'ClusterRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: WEBHOOK_NAME, labels: LABELS },
    // Reads ServiceAccounts (their role-arn annotations) into its cache; nothing else.
    rules: [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'watch'] }],
  });
  new ApiObject(chart, 'ClusterRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: WEBHOOK_NAME, labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: WEBHOOK_NAME },
    subjects: [{ kind: 'ServiceAccount', name: WEBHOOK_NAME, namespace: WEBHOOK_NAMESPACE }],
  });
}

function deploymentSpec(): Record<string, unknown> {
  return {
    replicas: 2,
    selector: { matchLabels: LABELS },
    template: {
      metadata: { labels: LABELS },
      spec: {
        serviceAccountName: WEBHOOK_NAME,
        // The webhook reads ServiceAccounts from the API (its only permission).
        automountServiceAccountToken: true,
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: LABELS } } }],
          },
        },
        containers: [{
          name: 'webhook',
          image: POD_IDENTITY_WEBHOOK_IMAGE.image,
          imagePullPolicy: 'IfNotPresent',
          // The image's entrypoint is a launcher; the webhook binary takes the flags.
          command: ['/webhook'],
          args: [
            '--in-cluster=false',
            `--port=${PORT}`,
            `--metrics-port=${METRICS_PORT}`,
            `--tls-cert=${CERT_DIR}/tls.crt`,
            `--tls-key=${CERT_DIR}/tls.key`,
            '--annotation-prefix=eks.amazonaws.com',
            `--token-audience=${STS_AUDIENCE}`,
            '--aws-default-region=$(CLUSTER_REGION)',
            '--sts-regional-endpoint=true',
            '--logtostderr',
          ],
          env: [{ name: 'CLUSTER_REGION', valueFrom: { configMapKeyRef: { name: WEBHOOK_SETTINGS, key: 'region' } } }],
          ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }, { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, periodSeconds: 20, failureThreshold: 3 },
          resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '128Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [{ name: 'tls', mountPath: CERT_DIR, readOnly: true }],
        }],
        volumes: [{ name: 'tls', secret: { secretName: `${WEBHOOK_NAME}-tls`, defaultMode: 0o440 } }],
      },
    },
  };
}

function mutatingWebhook(chart: Chart): void {
  new ApiObject(chart, 'MutatingWebhookConfiguration', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: WEBHOOK_NAME, labels: LABELS },
    webhooks: [{
      name: 'pod-identity-webhook.amazonaws.com',
      // caBundle is written by the servers' identity timer (never by this manifest, so a sync keeps it).
      clientConfig: { service: { name: WEBHOOK_NAME, namespace: WEBHOOK_NAMESPACE, path: '/mutate', port: 443 } },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', WEBHOOK_NAMESPACE] }] },
      failurePolicy: 'Ignore',
      sideEffects: 'None',
      timeoutSeconds: 10,
      // The webhook answers AdmissionReview v1beta1 (as its upstream manifest declares).
      admissionReviewVersions: ['v1beta1'],
    }],
  });
}
