import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkMember } from './fixed-set';
import { k8s } from './plus';
import { PropValidator } from './validate';
import { PlatformChart } from '../platform-chart';
import { IngressFlavour } from '../traits/ingress-flavour';
import { PathType, WebIngressOptions } from '../web-service';

/** The routing a web service got. */
export interface IngressRoute {
  /** The Ingress (all flavours but Gateway API). */
  readonly ingress?: k8s.KubeIngress;
  /** The HTTPRoute (Gateway API flavour). */
  readonly httpRoute?: ApiObject;
  /** Resolved hosts (empty: any host). */
  readonly hosts: string[];
  /** Resolved paths. */
  readonly paths: string[];
  /** Resolved path type. */
  readonly pathType: PathType;
  /** The service port traffic goes to. */
  readonly port: { name: string; port: number };
}

/** Input of {@link buildIngress}. */
export interface IngressInput {
  readonly name: string;
  readonly metadata: k8s.ObjectMeta;
  readonly options: WebIngressOptions;
  readonly ports: ReadonlyArray<{ name: string; port: number }>;
  readonly internetFacing: boolean;
  readonly healthCheckPath?: string;
  /** Backend service (default: the workload's own). */
  readonly serviceName?: string;
  /** Skip the host/path claim (a second object for the same route, e.g. a canary Ingress). */
  readonly skipClaim?: boolean;
  /**
   * Backends of every path, in rule order (release strategies: on ALB a header rule before the weighted
   * default). Default: the port of `serviceName`.
   */
  readonly backends?: k8s.IngressBackend[];
  /** Annotations written over the traits' and the user's (release routing). */
  readonly extraAnnotations?: Record<string, string>;
}

/** Validates the ingress options and resolves hosts, paths and the port. */
export function resolveIngress(scope: Construct, v: PropValidator, chart: PlatformChart, input: IngressInput): Omit<IngressRoute, 'ingress' | 'httpRoute'> {
  const o = input.options;
  const hosts = o.hosts ?? [];
  hosts.forEach((h, i) => v.hostname(`ingress.hosts[${i}]`, h));
  v.unique('ingress.hosts', hosts, 'host');
  const paths = o.paths ?? ['/'];
  v.check(paths.length > 0, 'ingress.paths', paths, 'must list at least one path (e.g. ["/"]).');
  paths.forEach((p, i) => v.check(typeof p === 'string' && p.startsWith('/') && !/\s/.test(p) && !p.includes('{{'), `ingress.paths[${i}]`, p,
    'must be an absolute URL path such as "/" or "/api" (no spaces).'));
  v.unique('ingress.paths', paths, 'path');
  const portName = o.port ?? input.ports[0].name;
  const port = input.ports.find(p => p.name === portName);
  if (!port) v.fail('ingress.port', portName, `names no port of the service; its ports are: ${input.ports.map(p => p.name).join(', ')}.`);
  if (!input.skipClaim) {
    for (const h of hosts.length ? hosts : [undefined]) {
      for (const p of paths) chart._claimRoute(scope, 'ingress', h, p);
    }
  }
  const flavour = chart.traits.ingressFlavour;
  if (!input.skipClaim && flavour === IngressFlavour.ALB) {
    for (const h of hosts) chart._claimAlbHost(scope, h, o.group);
  }
  if (o.tls) {
    if (flavour === IngressFlavour.ALB) {
      (o.tls.certificateArns ?? []).forEach((arn, i) => v.check(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(arn),
        `ingress.tls.certificateArns[${i}]`, arn, 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>).'));
    } else {
      v.check(o.tls.certificateArns === undefined, 'ingress.tls.certificateArns', o.tls.certificateArns,
        `is only understood by the AWS Load Balancer Controller; this cluster's ingress is ${flavour}: use tls.secretName.`);
      if (o.tls.secretName === undefined) v.fail('ingress.tls.secretName', undefined, `is required with ${flavour}: name the Kubernetes TLS Secret holding the certificate.`);
      v.dnsSubdomain('ingress.tls.secretName', o.tls.secretName);
      v.check(hosts.length > 0, 'ingress.hosts', hosts, 'must list the TLS host names when tls is set.');
    }
  }
  if (o.annotations) for (const k of Object.keys(o.annotations)) v.labelKey(`ingress.annotations.${k}`, k);
  if (o.group !== undefined) {
    v.check(flavour === IngressFlavour.ALB, 'ingress.group', o.group, `is an ALB feature; this cluster's ingress is ${flavour}.`);
    v.dnsLabel('ingress.group', o.group);
  }
  return { hosts, paths, pathType: checkMember(v, 'ingress.pathType', o.pathType, 'PathType', PathType, PathType.PREFIX), port };
}

/** Builds the Ingress (or HTTPRoute) of a web service from the cluster's traits. */
export function buildIngress(scope: Construct, v: PropValidator, chart: PlatformChart, input: IngressInput): IngressRoute {
  const r = resolveIngress(scope, v, chart, input);
  const o = input.options;
  const traits = chart.traits;
  const serviceName = input.serviceName ?? input.name;
  if (traits.ingressFlavour === IngressFlavour.GATEWAY_API) {
    const gw = traits.gateway;
    const httpRoute = new ApiObject(scope, 'HttpRoute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: input.metadata,
      spec: {
        parentRefs: [{ name: gw?.name ?? traits.ingressClassName, ...(gw?.namespace ? { namespace: gw.namespace } : {}) }],
        hostnames: r.hosts.length ? r.hosts : undefined,
        rules: [{
          matches: r.paths.map(p => ({ path: { type: r.pathType === PathType.EXACT ? 'Exact' : 'PathPrefix', value: p } })),
          backendRefs: [{ name: serviceName, port: r.port.port }],
        }],
      },
    });
    return { ...r, httpRoute };
  }
  const annotations = {
    ...traits.ingressAnnotations({
      internetFacing: input.internetFacing,
      tls: o.tls !== undefined,
      certificateArns: o.tls?.certificateArns,
      healthCheckPath: input.healthCheckPath,
      group: o.group,
    }),
    ...o.annotations,
    ...input.extraAnnotations,
  };
  const backend: k8s.IngressBackend = { service: { name: serviceName, port: { name: r.port.name } } };
  const backends = input.backends ?? [backend];
  const httpPaths = r.paths.flatMap(p => backends.map(b => ({ path: p, pathType: r.pathType, backend: b })));
  const rules: k8s.IngressRule[] = r.hosts.length
    ? r.hosts.map(host => ({ host, http: { paths: httpPaths } }))
    : [{ http: { paths: httpPaths } }];
  const tls = o.tls && traits.ingressFlavour !== IngressFlavour.ALB
    ? [{ hosts: r.hosts, secretName: o.tls.secretName }]
    : undefined;
  const ingress = new k8s.KubeIngress(scope, 'Ingress', {
    metadata: { ...input.metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
    spec: { ingressClassName: traits.ingressClassName, rules, tls },
  });
  return { ...r, ingress };
}
