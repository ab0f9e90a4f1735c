import { Testing } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, WebService, WebServiceProps } from '../../../lib';

export const STABLE = 'shop/web:1.4.0';
export const CANDIDATE = 'shop/web:1.5.0';
export const HOST = 'shop.example.com';

export const FLAVOURS = {
  alb: () => ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }),
  traefik: () => ClusterTraits.k3s(),
  nginx: () => ClusterTraits.nginx(),
  gateway: () => ClusterTraits.gatewayApi({ gatewayName: 'public', gatewayNamespace: 'gateways' }),
};
export type Flavour = keyof typeof FLAVOURS;

export const SELECTOR = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };
export const TRACK = 'platform.cdk-k8s.io/track';
export const COLOUR = 'platform.cdk-k8s.io/colour';

/** A chart in namespace `shop` for the flavour. */
export function chartFor(flavour: Flavour): PlatformChart {
  return new PlatformChart(Testing.app(), 'shop', { traits: FLAVOURS[flavour](), namespace: 'shop' });
}

/** Synthesizes one web service `web` (image STABLE, ingress on HOST) with a release. */
export function synthRelease(flavour: Flavour, release: ReleaseStrategy | undefined,
  props: Partial<WebServiceProps> = {}): { objects: any[]; web: WebService } {
  const chart = chartFor(flavour);
  const web = new WebService(chart, 'web', { image: STABLE, ingress: { hosts: [HOST] }, healthCheckPath: '/healthz', release, ...props });
  return { objects: Testing.synth(chart), web };
}

/** Builds web service `web` with the release, which must fail, and returns the error message (or fails the test). */
export function releaseError(flavour: Flavour, release: ReleaseStrategy | undefined, props: Partial<WebServiceProps> = {}): string {
  try {
    synthRelease(flavour, release, props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

export function byKind(objects: any[], kind: string, name?: string): any[] {
  return objects.filter(o => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** True if a matchLabels/Service selector matches the labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** kind/name of every object, sorted. */
export function inventory(objects: any[]): string[] {
  return objects.map(o => `${o.kind}/${o.metadata.name}`).sort();
}
