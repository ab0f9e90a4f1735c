import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkMember } from './fixed-set';
import { k8s } from './plus';
import { PropValidator } from './validate';
import { PlatformChart } from '../platform-chart';
import { Tls, TlsSource } from '../tls';
import { ClusterTraits } from '../traits/cluster-traits';
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
  /**
   * The workload's namespace (Traefik Middleware references name it).
   * @default - the default namespace
   */
  readonly namespace?: string;
}

/** Validates the ingress options and resolves hosts, paths and the port. */
export function resolveIngress(scope: Construct, v: PropValidator, chart: PlatformChart, input: IngressInput): Omit<IngressRoute, 'ingress' | 'httpRoute'> {
  const o = input.options;
  const hosts = o.hosts ?? [];
  hosts.forEach((h, i) => v.hostname(`ingress.hosts[${i}]`, h));
  v.unique('ingress.hosts', hosts, 'host');
  checkDnsZones(v, chart.traits.dnsZones, hosts);
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
  if (o.tls && Tls.isTls(o.tls)) {
    checkTls(v, chart.traits, o.tls, hosts);
  } else if (o.tls) {
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
  // Elsewhere than ALB every Ingress already shares the cluster's one controller: the group changes nothing
  // there, so one chart that groups its same-host Ingresses for EKS also works on k3s.
  if (o.group !== undefined) v.dnsLabel('ingress.group', o.group);
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
    ...noRedirect(traits.ingressFlavour, o.tls),
    ...o.annotations,
    ...input.extraAnnotations,
  };
  if (Tls.isTls(o.tls) && !o.tls.httpsRedirect) delete annotations['alb.ingress.kubernetes.io/ssl-redirect'];
  const backend: k8s.IngressBackend = { service: { name: serviceName, port: { name: r.port.name } } };
  const backends = input.backends ?? [backend];
  const httpPaths = r.paths.flatMap(p => backends.map(b => ({ path: p, pathType: r.pathType, backend: b })));
  const rules: k8s.IngressRule[] = r.hosts.length
    ? r.hosts.map(host => ({ host, http: { paths: httpPaths } }))
    : [{ http: { paths: httpPaths } }];
  const tls = o.tls && traits.ingressFlavour !== IngressFlavour.ALB
    ? [{ hosts: r.hosts, secretName: Tls.isTls(o.tls) ? tlsSecretName(input.name, o.tls) : o.tls.secretName }]
    : undefined;
  const ingress = new k8s.KubeIngress(scope, 'Ingress', {
    metadata: { ...input.metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
    spec: { ingressClassName: traits.ingressClassName, rules, tls },
  });
  return { ...r, ingress };
}

/** An ingress host outside every DNS zone that external-dns manages (when the cluster runs it) is refused. */
function checkDnsZones(v: PropValidator, zones: string[], hosts: string[]): void {
  if (zones.length === 0) return;
  hosts.forEach((h, i) => v.check(inZone(h, zones), `ingress.hosts[${i}]`, h,
    `is outside every DNS zone external-dns manages on this cluster (${zones.map(z => `"${z}"`).join(', ')}), so it would get no DNS record: `
    + 'use a host in one of them, or add its Route 53 hosted zone to the ExternalDns add-on\'s hostedZones.'));
}

/** Whether `host` (a leading `*.` allowed) is `zone` or below it, for one of `zones`. */
export function inZone(host: string, zones: string[]): boolean {
  const name = host.startsWith('*.') ? host.slice(2) : host;
  return zones.some(z => name === z || name.endsWith(`.${z}`));
}

/** ingress-nginx redirects to HTTPS when TLS is set; a Tls choice with `httpsRedirect: false` turns it off. */
function noRedirect(flavour: IngressFlavour, tls: WebIngressOptions['tls']): Record<string, string> {
  return Tls.isTls(tls) && !tls.httpsRedirect && flavour === IngressFlavour.NGINX ? { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } : {};
}

/** The ingress options with the workload's default Secret name filled into `Tls.letsEncrypt()`. */
export function withTlsDefaults(name: string, options: WebIngressOptions): WebIngressOptions {
  return Tls.isTls(options.tls) && options.tls.source === TlsSource.LETS_ENCRYPT
    ? { ...options, tls: options.tls.withSecretName(tlsSecretName(name, options.tls)!) }
    : options;
}

const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** The Secret of a TLS choice: its own, or `<name>-tls` for Let's Encrypt. */
export function tlsSecretName(name: string, tls: Tls): string | undefined {
  return tls.secretName ?? (tls.source === TlsSource.LETS_ENCRYPT ? `${name}-tls` : undefined);
}

/** What a {@link Tls} choice reads as in an error. */
function describeTls(tls: Tls): string {
  switch (tls.source) {
    case TlsSource.ACM: return `Tls.acm(${(tls.certificateArns ?? []).map(a => JSON.stringify(a)).join(', ')})`;
    case TlsSource.SECRET: return `Tls.secret(${JSON.stringify(tls.secretName)})`;
    default: return 'Tls.letsEncrypt()';
  }
}

/** A typed TLS choice is checked against the cluster's ingress controller, issuers and the hosts. */
function checkTls(v: PropValidator, traits: ClusterTraits, tls: Tls, hosts: string[]): void {
  const flavour = traits.ingressFlavour;
  const source = checkMember(v, 'ingress.tls.source', tls.source, 'TlsSource', TlsSource);
  if (source === TlsSource.ACM) {
    v.check(flavour === IngressFlavour.ALB, 'ingress.tls', describeTls(tls),
      `is served by an ALB only (the AWS Load Balancer Controller), and this cluster's ingress is ${flavour}: `
      + 'use Tls.letsEncrypt() (with the CertManager add-on) or Tls.secret(name) with a TLS Secret you create.');
    (tls.certificateArns ?? []).forEach((arn, i) => v.check(typeof arn === 'string' && ACM_ARN.test(arn), `ingress.tls.certificateArns[${i}]`, arn,
      'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>).'));
    return;
  }
  v.check(flavour !== IngressFlavour.ALB, 'ingress.tls', describeTls(tls),
    'cannot be served by an ALB: the AWS Load Balancer Controller terminates TLS with ACM certificates only, never with a Kubernetes Secret. '
    + 'Use Tls.acm(certificateArn) with an ACM certificate for the hosts (ACM renews it).');
  v.check(flavour !== IngressFlavour.GATEWAY_API, 'ingress.tls', describeTls(tls),
    'is not written on an HTTPRoute: with Gateway API, TLS terminates at the Gateway\'s listener (its certificateRefs). Configure the certificate on the Gateway.');
  v.check(hosts.length > 0, 'ingress.hosts', hosts, 'must list the TLS host names when tls is set.');
  if (tls.secretName !== undefined || source === TlsSource.SECRET) v.dnsSubdomain('ingress.tls.secretName', tls.secretName!);
  if (source === TlsSource.LETS_ENCRYPT) checkIssuer(v, traits, tls, hosts);
}

/** The ClusterIssuer exists (when the traits list issuers) and can certify every host. */
function checkIssuer(v: PropValidator, traits: ClusterTraits, tls: Tls, hosts: string[]): void {
  const issuers = traits.certificateIssuers;
  const name = tls.issuer ?? issuers[0]?.name;
  if (name === undefined) {
    v.fail('ingress.tls', describeTls(tls), 'needs a cert-manager ClusterIssuer, and this cluster\'s traits list none: '
      + 'install the CertManager add-on with letsEncrypt (addOns: [new CertManager({ letsEncrypt: { email } })]) and build the chart with cluster.traits, '
      + 'or name a ClusterIssuer you installed yourself: Tls.letsEncrypt({ issuer: \'my-issuer\' }).');
  }
  v.dnsSubdomain('ingress.tls.issuer', name);
  const issuer = issuers.find(i => i.name === name);
  if (issuers.length > 0 && !issuer) {
    v.fail('ingress.tls.issuer', name, `names no ClusterIssuer of this cluster; its issuers are: ${issuers.map(i => `"${i.name}"`).join(', ')}.`);
  }
  const zones = issuer?.dnsZones;
  hosts.forEach((h, i) => {
    if (zones) {
      v.check(inZone(h, zones), `ingress.hosts[${i}]`, h, `is outside every hosted zone of ClusterIssuer "${name}" (DNS-01 through Route 53 in ${zones.map(z => `"${z}"`).join(', ')}): `
        + 'use a host in one of them, or add its hosted zone to CertManager\'s letsEncrypt.dns01Zones.');
    } else {
      v.check(!h.startsWith('*.'), `ingress.hosts[${i}]`, h, `cannot be certified by ClusterIssuer "${name}": HTTP-01 cannot prove control of a wildcard name. `
        + 'Use a DNS-01 issuer (CertManager letsEncrypt.dns01Zones, EKS) or list the host names.');
    }
  });
}

/** The TLS objects of a web service besides its Ingress: the Certificate, the HTTP-to-HTTPS redirect. */
export function buildTlsObjects(scope: Construct, v: PropValidator, chart: PlatformChart, input: IngressInput, extraHosts: string[] = []): ApiObject[] {
  const tls = input.options.tls;
  if (!Tls.isTls(tls) || tls.source === TlsSource.ACM) return [];
  const out: ApiObject[] = [];
  const hosts = [...(input.options.hosts ?? []), ...extraHosts];
  if (tls.source === TlsSource.LETS_ENCRYPT) {
    const secretName = tlsSecretName(input.name, tls)!;
    out.push(new ApiObject(scope, 'Certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { ...input.metadata, name: secretName },
      spec: {
        secretName,
        dnsNames: hosts,
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: tls.issuer ?? chart.traits.certificateIssuers[0]?.name },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    }));
    if (http01(chart.traits, tls)) out.push(acmeSolverPolicy(scope, chart, input));
  }
  if (tls.httpsRedirect && chart.traits.ingressFlavour === IngressFlavour.TRAEFIK) out.push(...traefikRedirect(scope, v, chart, input));
  return out;
}

/**
 * Traefik serves an Ingress with `router.tls` on HTTPS only: a second Ingress `<name>-http` on the `web`
 * entrypoint sends the same hosts and paths through a redirectScheme Middleware to HTTPS. (cert-manager's
 * HTTP-01 solver path is longer, so Traefik ranks it first and challenges are still answered over HTTP.)
 */
function traefikRedirect(scope: Construct, v: PropValidator, chart: PlatformChart, input: IngressInput): ApiObject[] {
  const name = `${input.name}-https-redirect`;
  const middleware = new ApiObject(scope, 'HttpsRedirect', {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    metadata: { ...input.metadata, name },
    spec: { redirectScheme: { scheme: 'https', permanent: true } },
  });
  const http = buildIngress(new Construct(scope, 'Http'), v, chart, {
    ...input,
    metadata: { ...input.metadata, name: `${input.name}-http` },
    options: { ...input.options, tls: undefined },
    skipClaim: true,
    extraAnnotations: {
      'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
      'traefik.ingress.kubernetes.io/router.middlewares': `${input.namespace ?? 'default'}-${name}@kubernetescrd`,
    },
  });
  return [middleware, http.ingress!];
}

/** Whether the certificate's issuer proves control over HTTP (not one of the traits' DNS-01 issuers). */
function http01(traits: ClusterTraits, tls: Tls): boolean {
  const name = tls.issuer ?? traits.certificateIssuers[0]?.name;
  return traits.certificateIssuers.find(i => i.name === name)?.dnsZones === undefined;
}

/**
 * cert-manager answers an HTTP-01 challenge from a solver pod in the workload's namespace (port 8089): a
 * NetworkPolicy admits the ingress controller to it, so a namespace that denies ingress by default still
 * renews its certificates.
 */
function acmeSolverPolicy(scope: Construct, chart: PlatformChart, input: IngressInput): k8s.KubeNetworkPolicy {
  const src = chart.traits.ingressTrafficSource;
  const peers: k8s.NetworkPolicyPeer[] = [];
  if (src?.namespace || src?.podLabels) {
    peers.push({
      podSelector: { matchLabels: src.podLabels ?? {} },
      namespaceSelector: src.namespace ? { matchLabels: { 'kubernetes.io/metadata.name': src.namespace } } : {},
    });
  }
  for (const cidr of src?.cidrs ?? []) peers.push({ ipBlock: { cidr } });
  const ports = [{ port: k8s.IntOrString.fromNumber(8089), protocol: 'TCP' }];
  return new k8s.KubeNetworkPolicy(scope, 'AcmeSolverPolicy', {
    metadata: { ...input.metadata, name: `${input.name}-acme-http01` },
    spec: {
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [peers.length ? { from: peers, ports } : { ports }],
    },
  });
}
