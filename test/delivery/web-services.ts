import { ApiObject, App, Chart } from 'cdk8s';

/**
 * Charts of `count` web-service-like workloads as plain ApiObjects (Deployment + Service + HPA + Ingress +
 * PDB per service, about 3 KB of YAML each), spread over `chartCount` charts. Fast to build, so the scale
 * tests stay quick; the shape is what the WebService construct renders on EKS.
 */
export function webServiceCharts(count: number, options: { chartCount?: number; app?: App; prefix?: string } = {}): Chart[] {
  const app = options.app ?? new App();
  const chartCount = options.chartCount ?? 1;
  const prefix = options.prefix ?? 'svc';
  const charts = Array.from({ length: chartCount }, (_, i) => new Chart(app, chartCount === 1 ? prefix : `${prefix}-${i + 1}`));
  for (let i = 0; i < count; i++) addWebService(charts[i % chartCount], `${prefix}-${String(i).padStart(4, '0')}`, `team-${i % 10}`);
  return charts;
}

export function addWebService(chart: Chart, name: string, namespace: string, image = 'public.ecr.aws/nginx/nginx:1.27.3'): void {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'shop' };
  const metadata = { name, namespace, labels };
  new ApiObject(chart, `${name}-deployment`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, fsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } } }],
          containers: [{
            name: 'main',
            image,
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'SERVICE_NAME', value: name },
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'TEMPLATE', value: 'Hello {{ .Name }}, literal braces }} stay' },
            ],
            resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 20 },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  });
  new ApiObject(chart, `${name}-service`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  });
  new ApiObject(chart, `${name}-hpa`, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  });
  new ApiObject(chart, `${name}-ingress`, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      ...metadata,
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/group.name': 'shop',
        'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
      },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [{ host: `${name}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } }] } }],
    },
  });
  new ApiObject(chart, `${name}-pdb`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
  });
}
