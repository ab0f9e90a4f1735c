/** The label both k3s (`"true"`) and kubeadm (`""`) put on their servers (control-plane nodes). */
export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

/**
 * The rolling update of a controller that binds a port on its server's host network, one pod per server: the
 * old pod goes first, since the new one needs its port.
 */
export const REPLACE_BEFORE_START = { maxSurge: 0, maxUnavailable: 1 } as const;

/**
 * Affinity of a controller that acts with the server role (the instance role through IMDS on the host
 * network): on the servers only, at most one pod (label `app: <app>`) per server.
 */
export function serverOnlyAffinity(app: string): Record<string, unknown> {
  return {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: 'Exists' }] }] } },
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }],
    },
  };
}
