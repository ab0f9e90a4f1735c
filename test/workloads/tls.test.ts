import { all, expectPropError, newChart, one, synthValid } from './fixtures';
import { ClusterTraits, PlatformChartProps, ReleaseStrategy, Tls, TlsSource, WebService, WebServiceProps } from '../../lib/workloads';

const IMAGE = 'nginxinc/nginx-unprivileged:1.27.3';
const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

/** k3s traits with the ClusterIssuers the CertManager add-on records. */
function k3sWithIssuers(dnsZones?: string[]): ClusterTraits {
  const traits = ClusterTraits.k3s();
  traits.addAbilities({ certificateIssuers: [{ name: 'letsencrypt-production', dnsZones }, { name: 'letsencrypt-staging', dnsZones }] });
  return traits;
}

function synthWeb(traits: ClusterTraits, ingress: WebServiceProps['ingress'], extra: Partial<WebServiceProps> = {}, chartProps: Partial<PlatformChartProps> = {}) {
  const chart = newChart({ traits, namespace: 'shop', ...chartProps });
  const web = new WebService(chart, 'web', { image: IMAGE, ingress, ...extra });
  // the HTTP-01 solver's NetworkPolicy selects the pods cert-manager starts during a challenge, not in the chart
  return { web, objects: synthValid(chart, { failOnWarnings: true, disableRules: ['xref/network-policy'] }) };
}

describe('Tls.acm on ALB', () => {
  test('HTTPS listener with the certificate, HTTP redirected, TLS 1.2/1.3 policy', () => {
    const { objects, web } = synthWeb(ClusterTraits.eks(), { hosts: ['a.example.com'], tls: Tls.acm(ARN) }, { internetFacing: true });
    const ing = one(objects, 'Ingress');
    expect(ing.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/certificate-arn': ARN,
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(ing.spec.tls).toBeUndefined();
    expect(web.tlsObjects).toEqual([]);
  });

  test('the same annotations as the earlier { certificateArns } form', () => {
    const typed = one(synthWeb(ClusterTraits.eks(), { hosts: ['a.example.com'], tls: Tls.acm(ARN) }).objects, 'Ingress');
    const plain = one(synthWeb(ClusterTraits.eks(), { hosts: ['a.example.com'], tls: { certificateArns: [ARN] } }).objects, 'Ingress');
    expect(typed).toEqual(plain);
  });
});

describe('Tls.letsEncrypt', () => {
  test('Traefik: a Certificate from the default issuer, the Secret on the Ingress, an HTTP-to-HTTPS redirect', () => {
    const { objects, web } = synthWeb(k3sWithIssuers(), { hosts: ['a.example.com', 'b.example.com'], tls: Tls.letsEncrypt() });
    const cert = one(objects, 'Certificate');
    expect(cert).toMatchObject({
      apiVersion: 'cert-manager.io/v1',
      metadata: { name: 'web-tls', namespace: 'shop' },
      spec: {
        secretName: 'web-tls',
        dnsNames: ['a.example.com', 'b.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-production' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
    const main = one(objects, 'Ingress', 'web');
    expect(main.spec.tls).toEqual([{ hosts: ['a.example.com', 'b.example.com'], secretName: 'web-tls' }]);
    expect(main.metadata.annotations).toEqual({ 'traefik.ingress.kubernetes.io/router.tls': 'true' });
    const redirect = one(objects, 'Ingress', 'web-http');
    expect(redirect.metadata.annotations).toEqual({
      'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
      'traefik.ingress.kubernetes.io/router.middlewares': 'shop-web-https-redirect@kubernetescrd',
    });
    expect(redirect.spec.tls).toBeUndefined();
    expect(redirect.spec.rules).toEqual(main.spec.rules);
    expect(one(objects, 'Middleware', 'web-https-redirect').spec).toEqual({ redirectScheme: { scheme: 'https', permanent: true } });
    expect(web.tlsObjects.map(o => o.kind)).toEqual(['Certificate', 'NetworkPolicy', 'Middleware', 'Ingress']);
    expect(one(objects, 'NetworkPolicy', 'web-acme-http01').spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [{ port: 8089, protocol: 'TCP' }],
      }],
    });
  });

  test('a named issuer and Secret; no redirect when turned off', () => {
    const { objects } = synthWeb(k3sWithIssuers(), {
      hosts: ['a.example.com'], tls: Tls.letsEncrypt({ issuer: 'letsencrypt-staging', secretName: 'a-cert', httpsRedirect: false }),
    });
    expect(one(objects, 'Certificate').spec).toMatchObject({ secretName: 'a-cert', issuerRef: { name: 'letsencrypt-staging' } });
    expect(all(objects, 'Ingress')).toHaveLength(1);
    expect(all(objects, 'Middleware')).toHaveLength(0);
  });

  test('ingress-nginx: ssl-redirect on (off when asked)', () => {
    const nginx = () => { const t = ClusterTraits.nginx(); t.addAbilities({ certificateIssuers: [{ name: 'letsencrypt-production' }] }); return t; };
    const on = one(synthWeb(nginx(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt() }).objects, 'Ingress');
    expect(on.metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('true');
    const off = one(synthWeb(nginx(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt({ httpsRedirect: false }) }).objects, 'Ingress');
    expect(off.metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('false');
  });

  test('a canary on Traefik: the IngressRoute names the Certificate\'s Secret', () => {
    const { objects } = synthWeb(k3sWithIssuers(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt() },
      { release: ReleaseStrategy.canary({ image: 'nginxinc/nginx-unprivileged:1.27.4', weight: 10 }) });
    expect(one(objects, 'IngressRoute').spec.tls).toEqual({ secretName: 'web-tls' });
    expect(one(objects, 'Certificate').spec.secretName).toBe('web-tls');
  });

  test('blue-green: the Certificate also covers the preview host', () => {
    const { objects } = synthWeb(k3sWithIssuers(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt() },
      { release: ReleaseStrategy.blueGreen({ live: 'blue', greenImage: 'nginxinc/nginx-unprivileged:1.27.4', previewHost: 'preview.example.com' }) });
    expect(one(objects, 'Certificate').spec.dnsNames).toEqual(['a.example.com', 'preview.example.com']);
  });

  test('DNS-01 issuer: a wildcard host inside its zones', () => {
    const { objects } = synthWeb(k3sWithIssuers(['example.com']), { hosts: ['*.apps.example.com'], tls: Tls.letsEncrypt() });
    expect(one(objects, 'Certificate').spec.dnsNames).toEqual(['*.apps.example.com']);
    expect(all(objects, 'NetworkPolicy').map(p => p.metadata.name)).toEqual(['web']); // no solver pod for DNS-01
  });
});

describe('Tls.secret', () => {
  test('Traefik: your Secret, with the redirect', () => {
    const { objects } = synthWeb(ClusterTraits.k3s(), { hosts: ['a.example.com'], tls: Tls.secret('a-tls') });
    expect(one(objects, 'Ingress', 'web').spec.tls).toEqual([{ hosts: ['a.example.com'], secretName: 'a-tls' }]);
    expect(one(objects, 'Ingress', 'web-http')).toBeDefined();
    expect(all(objects, 'Certificate')).toHaveLength(0);
  });

  test('the earlier { secretName } form emits what it always did (no redirect objects)', () => {
    const { objects, web } = synthWeb(ClusterTraits.k3s(), { hosts: ['a.example.com'], tls: { secretName: 'a-tls' } });
    expect(objects.map(o => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Service']);
    expect(web.tlsObjects).toEqual([]);
  });

  test('the choices say what they are', () => {
    expect(Tls.secret('x')).toMatchObject({ source: TlsSource.SECRET, secretName: 'x', httpsRedirect: true });
    expect(Tls.acm(ARN, ARN.replace('0a1b', '9a1b')).certificateArns).toHaveLength(2);
    expect(Tls.isTls(Tls.letsEncrypt())).toBe(true);
    expect(Tls.isTls({ secretName: 'x' })).toBe(false);
  });
});

describe('external-dns zones', () => {
  test('a host inside a managed zone passes', () => {
    const traits = ClusterTraits.eks();
    traits.addAbilities({ dnsZones: ['example.com'] });
    expect(one(synthWeb(traits, { hosts: ['a.example.com'] }).objects, 'Ingress').spec.rules[0].host).toBe('a.example.com');
  });
});

describe('bad input is refused, naming the prop and the value', () => {
  const build = (traits: ClusterTraits, ingress: WebServiceProps['ingress']) => () => new WebService(newChart({ traits }), 'web', { image: IMAGE, ingress });

  test('Tls.acm on a cluster whose ingress is not ALB', () => {
    expectPropError(build(ClusterTraits.k3s(), { hosts: ['a.example.com'], tls: Tls.acm(ARN) }), {
      path: 'shop/web',
      prop: 'WebService.ingress.tls',
      value: `"Tls.acm(\\"${ARN}\\")"`,
      says: 'is served by an ALB only (the AWS Load Balancer Controller), and this cluster\'s ingress is traefik: use Tls.letsEncrypt()',
    });
  });

  test('Tls.acm with something that is not an ACM ARN', () => {
    expectPropError(build(ClusterTraits.eks(), { hosts: ['a.example.com'], tls: Tls.acm('arn:aws:iam::123456789012:role/x') }), {
      path: 'shop/web', prop: 'WebService.ingress.tls.certificateArns[0]', value: '"arn:aws:iam::123456789012:role/x"', says: 'must be an ACM certificate ARN',
    });
  });

  test('Tls.letsEncrypt on ALB', () => {
    expectPropError(build(ClusterTraits.eks(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt() }), {
      path: 'shop/web', prop: 'WebService.ingress.tls', value: '"Tls.letsEncrypt()"', says: 'ACM certificates only, never with a Kubernetes Secret. Use Tls.acm(certificateArn)',
    });
  });

  test('Tls.secret on Gateway API', () => {
    expectPropError(build(ClusterTraits.gatewayApi({ gatewayName: 'gw' }), { hosts: ['a.example.com'], tls: Tls.secret('a-tls') }), {
      path: 'shop/web', prop: 'WebService.ingress.tls', value: '"Tls.secret(\\"a-tls\\")"', says: 'TLS terminates at the Gateway\'s listener',
    });
  });

  test('Tls.letsEncrypt on a cluster with no issuer', () => {
    expectPropError(build(ClusterTraits.k3s(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt() }), {
      path: 'shop/web',
      prop: 'WebService.ingress.tls',
      value: '"Tls.letsEncrypt()"',
      says: 'needs a cert-manager ClusterIssuer, and this cluster\'s traits list none: install the CertManager add-on',
    });
  });

  test('an issuer the cluster does not have', () => {
    expectPropError(build(k3sWithIssuers(), { hosts: ['a.example.com'], tls: Tls.letsEncrypt({ issuer: 'vault' }) }), {
      path: 'shop/web', prop: 'WebService.ingress.tls.issuer', value: '"vault"', says: 'its issuers are: "letsencrypt-production", "letsencrypt-staging"',
    });
  });

  test('a host outside the zones of a DNS-01 issuer', () => {
    expectPropError(build(k3sWithIssuers(['example.com']), { hosts: ['a.example.org'], tls: Tls.letsEncrypt() }), {
      path: 'shop/web', prop: 'WebService.ingress.hosts[0]', value: '"a.example.org"', says: 'is outside every hosted zone of ClusterIssuer "letsencrypt-production"',
    });
  });

  test('a wildcard host with an HTTP-01 issuer', () => {
    expectPropError(build(k3sWithIssuers(), { hosts: ['*.example.com'], tls: Tls.letsEncrypt() }), {
      path: 'shop/web', prop: 'WebService.ingress.hosts[0]', value: '"*.example.com"', says: 'HTTP-01 cannot prove control of a wildcard name',
    });
  });

  test('TLS without hosts', () => {
    expectPropError(build(k3sWithIssuers(), { tls: Tls.secret('a-tls') }), {
      path: 'shop/web', prop: 'WebService.ingress.hosts', value: '[]', says: 'must list the TLS host names',
    });
  });

  test('a Secret name that is not a DNS subdomain', () => {
    expectPropError(build(ClusterTraits.k3s(), { hosts: ['a.example.com'], tls: Tls.secret('A_TLS') }), {
      path: 'shop/web', prop: 'WebService.ingress.tls.secretName', value: '"A_TLS"', says: 'must be a DNS-1123 subdomain',
    });
  });

  test('a host outside every zone external-dns manages', () => {
    const traits = ClusterTraits.eks();
    traits.addAbilities({ dnsZones: ['example.com', 'example.net'] });
    expectPropError(build(traits, { hosts: ['shop.example.org'] }), {
      path: 'shop/web',
      prop: 'WebService.ingress.hosts[0]',
      value: '"shop.example.org"',
      says: 'is outside every DNS zone external-dns manages on this cluster ("example.com", "example.net"), so it would get no DNS record',
    });
  });
});
