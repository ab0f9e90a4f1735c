/**
 * Which controller implements Ingress (and traffic routing) on a cluster. The workload layer writes the
 * routing objects and annotations that this controller understands, and refuses at synth time what it
 * cannot do.
 */
export class IngressFlavour {
  /** AWS Load Balancer Controller (EKS): `ingressClassName: alb`, `alb.ingress.kubernetes.io/*` annotations. */
  public static readonly ALB = new IngressFlavour('alb');
  /** Traefik v3 (k3s ships it): `ingressClassName: traefik`, `traefik.io/v1alpha1` CRDs for advanced routing. */
  public static readonly TRAEFIK = new IngressFlavour('traefik');
  /** ingress-nginx (legacy: retired upstream; supported for existing clusters). */
  public static readonly NGINX = new IngressFlavour('nginx');
  /** Gateway API (`gateway.networking.k8s.io/v1` HTTPRoute) attached to an existing Gateway. */
  public static readonly GATEWAY_API = new IngressFlavour('gateway-api');

  private constructor(
    /** A short name: alb, traefik, nginx or gateway-api. */
    public readonly name: string,
  ) {}

  public toString(): string {
    return this.name;
  }
}
