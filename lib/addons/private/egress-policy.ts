import { ApiObject, App, Chart } from 'cdk8s';
import { IPlatformCluster } from '../../clusters/platform-cluster';

/**
 * A NetworkPolicy that lets the add-on's controller pods reach only HTTPS (Route 53, STS and, for cert-manager,
 * the ACME directory: public endpoints without fixed addresses), the API server (443, the servers' 6443 after the
 * Service's DNAT) and DNS (53). Egress only: what may reach the pods (the kubelet's probes) is left as it is.
 * A delivery of its own, next to the chart's: the workload sync retries it until the chart's namespace exists.
 */
export function deliverEgressPolicy(cluster: IPlatformCluster, deliveryId: string, namespace: string, podLabels: Record<string, string>): void {
  const chart = new Chart(new App(), deliveryId);
  new ApiObject(chart, 'Egress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: deliveryId, namespace, labels: { 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } },
    spec: {
      podSelector: { matchLabels: podLabels },
      policyTypes: ['Egress'],
      egress: [{
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      }],
    },
  });
  cluster.addWorkloads(deliveryId, [chart]);
}
