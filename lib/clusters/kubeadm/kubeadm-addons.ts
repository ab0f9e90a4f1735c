/** Pinned add-ons of a kubeadm cluster (flannel CNI, local-path storage, metrics-server, Traefik). */
export const KUBEADM_ADDONS = {
  flannelManifest: 'https://github.com/flannel-io/flannel/releases/download/v0.26.7/kube-flannel.yml',
  metricsServerManifest: 'https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.7.2/components.yaml',
  localPathManifest: 'https://raw.githubusercontent.com/rancher/local-path-provisioner/v0.0.31/deploy/local-path-storage.yaml',
  helmVersion: 'v3.17.3',
  /** Traefik's official chart repository (the control plane installs the chart from it at boot). */
  traefikChartRepository: 'https://traefik.github.io/charts',
  traefikChartVersion: '35.0.0',
} as const;
