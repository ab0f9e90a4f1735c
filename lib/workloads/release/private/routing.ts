import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CandidatePlan } from './plan';
import { PlatformChart } from '../../platform-chart';
import { buildIngress, IngressInput, resolveIngress } from '../../private/ingress';
import { k8s } from '../../private/plus';
import { PropValidator } from '../../private/validate';
import { IngressFlavour } from '../../traits/ingress-flavour';
import { PathType } from '../../web-service';

/** Routing objects of a release. */
export interface RoutingOutput {
  /** The web service's Ingress (ALB, ingress-nginx). */
  readonly ingress?: k8s.KubeIngress;
  /** Other routing objects. */
  readonly routing: ApiObject[];
}

/** Input of the release routing: the web service's ingress input and the candidate. */
export interface CandidateRoutingInput extends IngressInput {
  readonly candidate: CandidatePlan;
  readonly namespace?: string;
}

const ALB = 'alb.ingress.kubernetes.io';
const NGINX = 'nginx.ingress.kubernetes.io';

/** The API group/version of the Traefik v3 CRDs. */
export const TRAEFIK_API_VERSION = 'traefik.io/v1alpha1';
/** The API group/version of Gateway API HTTPRoutes. */
export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

function what(c: CandidatePlan): string {
  return c.track === 'canary' ? 'ReleaseStrategy.canary' : c.track === 'b' ? 'ReleaseStrategy.abTest' : 'ReleaseStrategy.shadow';
}

/** Weighted targets: stable (the web service's Service) and candidate, summing to 100. */
function split(input: CandidateRoutingInput, weight: number): Array<{ service: string; weight: number }> {
  return [{ service: input.name, weight: 100 - weight }, { service: input.candidate.name, weight }];
}

/**
 * The routing of a canary, A/B or shadow release for the cluster's ingress controller. What a controller
 * cannot do is refused here, with the reason and the controllers that can.
 */
export function buildCandidateRouting(scope: Construct, v: PropValidator, chart: PlatformChart, input: CandidateRoutingInput): RoutingOutput {
  const flavour = chart.traits.ingressFlavour;
  switch (flavour) {
    case IngressFlavour.ALB: return albRouting(scope, v, chart, input);
    case IngressFlavour.TRAEFIK: return traefikRouting(scope, v, chart, input);
    case IngressFlavour.NGINX: return nginxRouting(scope, v, chart, input);
    case IngressFlavour.GATEWAY_API: return gatewayRouting(scope, v, chart, input);
    default:
      return v.fail('release', what(input.candidate), `cannot be routed by the "${flavour}" ingress flavour: only ALB, Traefik, ingress-nginx and Gateway API are supported.`);
  }
}

// ------------------------------------------------------------------------------------------------ ALB

function albRouting(scope: Construct, v: PropValidator, chart: PlatformChart, input: CandidateRoutingInput): RoutingOutput {
  const c = input.candidate;
  if (c.mirrorPercent !== undefined) {
    v.fail('release', what(c),
      'is not possible with the AWS Load Balancer Controller (ingress flavour alb): an ALB cannot mirror requests, so a shadow candidate would never receive any. '
      + 'Mirroring works with Traefik (TraefikService mirroring), Gateway API (RequestMirror filter, on implementations that support it) and ingress-nginx (mirror-target, 100% only). '
      + 'On ALB, use ReleaseStrategy.canary({ weight }) with a small weight or ReleaseStrategy.abTest({ header }) instead.');
  }
  if (c.header) {
    v.check(!/[*?]/.test(c.header.value), 'release.header.value', c.header.value,
      'contains "*" or "?", which an ALB http-header condition treats as wildcards: use a value without them.');
  }
  const r = resolveIngress(scope, v, chart, { ...input, skipClaim: true });
  const servicePort = String(r.port.port);
  const forward = (targets: Array<{ service: string; weight: number }>) => JSON.stringify({
    type: 'forward',
    forwardConfig: { targetGroups: targets.map(t => ({ serviceName: t.service, servicePort, weight: t.weight })) },
  });
  const annotations: Record<string, string> = {};
  const backends: k8s.IngressBackend[] = [];
  const action = (name: string) => ({ service: { name, port: { name: 'use-annotation' } } });
  if (c.header) {
    const headerAction = `${input.name}-by-header`;
    annotations[`${ALB}/actions.${headerAction}`] = forward([{ service: c.name, weight: 100 }]);
    annotations[`${ALB}/conditions.${headerAction}`] = JSON.stringify([
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: c.header.name, values: [c.header.value] } },
    ]);
    backends.push(action(headerAction));
  }
  if (c.weight !== undefined) {
    const weighted = `${input.name}-weighted`;
    annotations[`${ALB}/actions.${weighted}`] = forward(split(input, c.weight));
    backends.push(action(weighted));
  } else {
    backends.push({ service: { name: input.name, port: { name: r.port.name } } });
  }
  const built = buildIngress(scope, v, chart, { ...input, backends, extraAnnotations: annotations });
  return { ingress: built.ingress, routing: [] };
}

// ------------------------------------------------------------------------------------------------ Traefik

function traefikRouting(scope: Construct, v: PropValidator, chart: PlatformChart, input: CandidateRoutingInput): RoutingOutput {
  const c = input.candidate;
  const r = resolveIngress(scope, v, chart, input);
  r.paths.forEach((p, i) => v.check(!p.includes('`'), `ingress.paths[${i}]`, p, 'must not contain a backquote: Traefik rules quote paths with them.'));
  const port = r.port.port;
  const labels = input.metadata.labels;
  const routing: ApiObject[] = [];

  // the default route's service: stable, weighted over stable and candidate, or stable mirrored to the candidate
  let defaultService: Record<string, unknown> = { name: input.name, port };
  if (c.weight !== undefined) {
    const name = `${input.name}-weighted`;
    routing.push(new ApiObject(scope, 'TraefikWeighted', {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'TraefikService',
      metadata: { name, labels },
      spec: { weighted: { services: split(input, c.weight).map(t => ({ name: t.service, port, weight: t.weight })) } },
    }));
    defaultService = { name, kind: 'TraefikService' };
  } else if (c.mirrorPercent !== undefined) {
    const name = `${input.name}-mirror`;
    routing.push(new ApiObject(scope, 'TraefikMirror', {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'TraefikService',
      metadata: { name, labels },
      spec: { mirroring: { name: input.name, port, mirrors: [{ name: c.name, port, percent: c.mirrorPercent }] } },
    }));
    defaultService = { name, kind: 'TraefikService' };
  }

  const hostExpr = r.hosts.length === 0 ? undefined
    : r.hosts.length === 1 ? `Host(\`${r.hosts[0]}\`)` : `(${r.hosts.map(h => `Host(\`${h}\`)`).join(' || ')})`;
  const routes: Array<Record<string, unknown>> = [];
  for (const p of r.paths) {
    const pathExpr = r.pathType === PathType.EXACT ? `Path(\`${p}\`)` : `PathPrefix(\`${p}\`)`;
    const match = hostExpr ? `${hostExpr} && ${pathExpr}` : pathExpr;
    if (c.header) {
      // just above the default route of the same path (Traefik's default priority is the rule length), so
      // longer (more specific) paths of other routes still win
      routes.push({
        kind: 'Rule',
        match: `${match} && Header(\`${c.header.name}\`, \`${c.header.value}\`)`,
        priority: match.length + 1,
        services: [{ name: c.name, port }],
      });
    }
    routes.push({ kind: 'Rule', match, priority: match.length, services: [defaultService] });
  }
  const o = input.options;
  const annotations = { 'kubernetes.io/ingress.class': chart.traits.ingressClassName, ...o.annotations };
  routing.push(new ApiObject(scope, 'IngressRoute', {
    apiVersion: TRAEFIK_API_VERSION,
    kind: 'IngressRoute',
    metadata: { ...input.metadata, annotations },
    spec: { routes, tls: o.tls ? { secretName: o.tls.secretName } : undefined },
  }));
  return { routing };
}

// ------------------------------------------------------------------------------------------------ ingress-nginx

function nginxRouting(scope: Construct, v: PropValidator, chart: PlatformChart, input: CandidateRoutingInput): RoutingOutput {
  const c = input.candidate;
  if (c.mirrorPercent !== undefined) {
    v.check(c.mirrorPercent === 100, 'release.percent', c.mirrorPercent,
      'must be 100 with ingress-nginx: its mirror-target copies every request and has no percentage. '
      + 'Use percent 100, or a cluster whose ingress can mirror a share (Traefik, Gateway API).');
    const port = input.ports.find(p => p.name === (input.options.port ?? input.ports[0].name))?.port ?? 80;
    const host = `${c.name}.${input.namespace ?? 'default'}.svc.cluster.local${port === 80 ? '' : `:${port}`}`;
    const built = buildIngress(scope, v, chart, { ...input, extraAnnotations: { [`${NGINX}/mirror-target`]: `http://${host}$request_uri` } });
    return { ingress: built.ingress, routing: [] };
  }
  const main = buildIngress(scope, v, chart, input);
  const annotations: Record<string, string> = { [`${NGINX}/canary`]: 'true' };
  if (c.header) {
    annotations[`${NGINX}/canary-by-header`] = c.header.name;
    annotations[`${NGINX}/canary-by-header-value`] = c.header.value;
  }
  if (c.weight !== undefined) annotations[`${NGINX}/canary-weight`] = String(c.weight);
  const canary = buildIngress(new Construct(scope, 'Candidate'), v, chart, {
    ...input,
    metadata: { ...input.metadata, name: c.name },
    serviceName: c.name,
    skipClaim: true,
    extraAnnotations: annotations,
  });
  return { ingress: main.ingress, routing: [canary.ingress!] };
}

// ------------------------------------------------------------------------------------------------ Gateway API

function gatewayRouting(scope: Construct, v: PropValidator, chart: PlatformChart, input: CandidateRoutingInput): RoutingOutput {
  const c = input.candidate;
  const r = resolveIngress(scope, v, chart, input);
  const port = r.port.port;
  const gw = chart.traits.gateway;
  const pathMatch = (p: string) => ({ type: r.pathType === PathType.EXACT ? 'Exact' : 'PathPrefix', value: p });
  const defaultBackends = c.weight !== undefined
    ? split(input, c.weight).map(t => ({ name: t.service, port, weight: t.weight }))
    : [{ name: input.name, port }];
  const rules: Array<Record<string, unknown>> = [];
  if (c.header) {
    rules.push({
      matches: r.paths.map(p => ({ path: pathMatch(p), headers: [{ type: 'Exact', name: c.header!.name, value: c.header!.value }] })),
      backendRefs: [{ name: c.name, port }],
    });
  }
  rules.push({
    matches: r.paths.map(p => ({ path: pathMatch(p) })),
    // percent is left out at 100 (mirror everything), so routes work with Gateway API CRDs older than v1.2
    filters: c.mirrorPercent !== undefined ? [{
      type: 'RequestMirror',
      requestMirror: { backendRef: { name: c.name, port }, ...(c.mirrorPercent === 100 ? {} : { percent: c.mirrorPercent }) },
    }] : undefined,
    backendRefs: defaultBackends,
  });
  const httpRoute = new ApiObject(scope, 'HttpRoute', {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'HTTPRoute',
    metadata: input.metadata,
    spec: {
      parentRefs: [{ name: gw?.name ?? chart.traits.ingressClassName, ...(gw?.namespace ? { namespace: gw.namespace } : {}) }],
      hostnames: r.hosts.length ? r.hosts : undefined,
      rules,
    },
  });
  return { routing: [httpRoute] };
}

// ------------------------------------------------------------------------------------------------ blue-green

/** The route of a blue-green preview host to `<name>-preview` (an Ingress, or an HTTPRoute on Gateway API). */
export function buildPreviewRouting(scope: Construct, v: PropValidator, chart: PlatformChart, input: IngressInput, previewHost: string): ApiObject {
  const name = `${input.name}-preview`;
  const built = buildIngress(new Construct(scope, 'Preview'), v, chart, {
    ...input,
    metadata: { ...input.metadata, name },
    options: { ...input.options, hosts: [previewHost] },
    serviceName: name,
  });
  return (built.ingress ?? built.httpRoute)!;
}
