/**
 * Which controller implements Ingress (and traffic routing) on a cluster. The workload layer writes the
 * routing objects and annotations that this controller understands, and refuses at synth time what it
 * cannot do. A string enum: the value is a short name (alb, traefik, nginx or gateway-api).
 */
export enum IngressFlavour {
  /** AWS Load Balancer Controller (EKS): `ingressClassName: alb`, `alb.ingress.kubernetes.io/*` annotations. */
  ALB = 'alb',
  /** Traefik v3 (k3s ships it): `ingressClassName: traefik`, `traefik.io/v1alpha1` CRDs for advanced routing. */
  TRAEFIK = 'traefik',
  /** ingress-nginx (legacy: retired upstream; supported for existing clusters). */
  NGINX = 'nginx',
  /** Gateway API (`gateway.networking.k8s.io/v1` HTTPRoute) attached to an existing Gateway. */
  GATEWAY_API = 'gateway-api',
}
