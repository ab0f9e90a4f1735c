/*
 * The shared validation rules of the workload core (PropValidator, pod template, image, scaling, ingress), each
 * asserting that the error names the construct path, the prop and the value, and says what is allowed.
 */
import { App, Duration, Size } from 'cdk8s';
import { all, expectPropError, newChart, synthValid } from './fixtures';
import {
  ClusterTraits, Cpu, DisruptionBudget, PlatformChart, Probe, SecretRef, ValidationError, WebService, WebServiceProps, Worker,
} from '../../lib/workloads';

const BASE: WebServiceProps = { image: 'nginx:1.27.3', replicas: 2 };

/** Creates a WebService `web` in chart `shop` and expects the error. */
function fail(props: Partial<WebServiceProps>, prop: string, value: string, says: string | RegExp): string {
  return expectPropError(() => new WebService(newChart(), 'web', { ...BASE, ...props }), { path: 'shop/web', prop: `WebService.${prop}`, value, says });
}

test('errors are ValidationErrors with the documented format', () => {
  let error: unknown;
  try {
    new WebService(newChart(), 'web', { ...BASE, ports: [{ name: 'http', port: 70000 }] });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).toBe('[shop/web] WebService.ports[0].port is 70000: must be an integer from 1 to 65535.');
});

describe('names', () => {
  test('workload names are DNS-1123 labels', () => {
    fail({ name: 'Web_1' }, 'name', '"Web_1"', 'must be a DNS-1123 label: at most 63 lowercase letters');
    fail({ name: 'a'.repeat(64) }, 'name', JSON.stringify('a'.repeat(64)), 'at most 63');
  });

  test('the construct id is the default name and is checked too', () => {
    expectPropError(() => new WebService(newChart(), 'My Web', BASE), { path: 'shop/My Web', prop: 'WebService.name', value: '"My Web"', says: 'DNS-1123 label' });
  });

  test('Service names are DNS-1035 labels (start with a letter)', () => {
    fail({ name: '9web' }, 'name', '"9web"', 'must be a DNS-1035 label (a Service name)');
  });

  test('a Worker name needs only DNS-1123 (it has no Service)', () => {
    expect(() => new Worker(newChart(), 'w', { image: 'busybox:1.36.1', name: '9worker' })).not.toThrow();
  });

  test('chart namespace and partOf', () => {
    expectPropError(() => new PlatformChart(new App(), 'shop', { traits: ClusterTraits.eks(), namespace: 'Shop' }),
      { path: 'shop', prop: 'PlatformChart.namespace', value: '"Shop"', says: 'DNS-1123 label' });
    expectPropError(() => new PlatformChart(new App(), 'shop', { traits: ClusterTraits.eks(), partOf: 'my shop' }),
      { path: 'shop', prop: 'PlatformChart.partOf', value: '"my shop"', says: 'must be a valid label value' });
  });

  test('label keys, values and the reserved app.kubernetes.io/ keys', () => {
    fail({ labels: { team: 'pay ments' } }, 'labels.team', '"pay ments"', 'must be a valid label value');
    fail({ labels: { 'bad key!': 'x' } }, 'labels.bad key!', '"bad key!"', 'must be a valid label or annotation key');
    fail({ labels: { 'app.kubernetes.io/version': '2' } }, 'labels.app.kubernetes.io/version', '"app.kubernetes.io/version"', 'is set by the library');
    fail({ component: 'front end' }, 'component', '"front end"', 'must be a valid label value');
  });
});

describe('ports', () => {
  test('numbers from 1 to 65535', () => {
    fail({ ports: [{ name: 'http', port: 0 }] }, 'ports[0].port', '0', 'must be an integer from 1 to 65535.');
    fail({ ports: [{ name: 'http', port: 80, targetPort: 65536 }] }, 'ports[0].targetPort', '65536', 'must be an integer from 1 to 65535.');
    fail({ ports: [{ name: 'http', port: 80.5 }] }, 'ports[0].port', '80.5', 'must be an integer from 1 to 65535.');
  });

  test('IANA port names', () => {
    fail({ ports: [{ name: 'HTTP', port: 80 }] }, 'ports[0].name', '"HTTP"', 'must be an IANA service name');
    fail({ ports: [{ name: 'a-very-long-port-name', port: 80 }] }, 'ports[0].name', '"a-very-long-port-name"', 'at most 15');
    fail({ ports: [{ name: '8080', port: 80 }] }, 'ports[0].name', '"8080"', 'with at least one letter');
  });

  test('unique names, Service ports and container ports', () => {
    fail({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }, 'ports[].name', '"http"', 'each port name may appear only once.');
    fail({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }, 'ports[].port', '"80/TCP"', 'each service port may appear only once.');
    fail({ ports: [{ name: 'a', port: 80, targetPort: 8080 }, { name: 'b', port: 81, targetPort: 8080 }] }, 'ports[].targetPort', '"8080/TCP"', 'each container port may appear only once.');
  });

  test('at least one port', () => {
    fail({ ports: [] }, 'ports', '[]', 'must list at least one port.');
  });
});

describe('resources', () => {
  test('CPU must be positive', () => {
    fail({ resources: { cpuRequest: Cpu.millis(0) } }, 'resources.cpuRequest', '"0m"', 'must be a positive CPU quantity of at least 1m');
    fail({ resources: { cpuLimit: Cpu.millis(-100) } }, 'resources.cpuLimit', '"-100m"', 'must be a positive CPU quantity');
  });

  test('memory and storage must be positive', () => {
    fail({ resources: { memoryRequest: Size.mebibytes(0) } }, 'resources.memoryRequest', '"0Mi"', 'must be a positive size');
    fail({ resources: { memoryLimit: Size.kibibytes(0) } }, 'resources.memoryLimit', '"0Mi"', 'must be a positive size');
    fail({ resources: { ephemeralStorageRequest: Size.mebibytes(0) } }, 'resources.ephemeralStorageRequest', '"0Mi"', 'must be a positive size');
  });

  test('a request may not exceed its limit', () => {
    fail({ resources: { cpuRequest: Cpu.units(2), cpuLimit: Cpu.millis(500) } }, 'resources.cpuRequest', '"2"', 'must not exceed resources.cpuLimit (500m).');
    fail({ resources: { memoryRequest: Size.gibibytes(1) } }, 'resources.memoryRequest', '"1024Mi"', 'must not exceed resources.memoryLimit (256Mi).');
    fail({ resources: { ephemeralStorageRequest: Size.gibibytes(2), ephemeralStorageLimit: Size.gibibytes(1) } },
      'resources.ephemeralStorageRequest', '"2048Mi"', 'must not exceed resources.ephemeralStorageLimit (1024Mi).');
  });
});

describe('autoscaling and budgets', () => {
  const auto = (props: Partial<WebServiceProps>) => ({ ...props, replicas: undefined });

  test('min <= max', () => {
    fail(auto({ autoscaling: { minReplicas: 5, maxReplicas: 2 } }), 'autoscaling.minReplicas', '5', 'must not exceed autoscaling.maxReplicas (2).');
    fail(auto({ autoscaling: { minReplicas: 0 } }), 'autoscaling.minReplicas', '0', 'must be an integer from 1 to 1000.');
  });

  test('replicas and autoscaling are exclusive', () => {
    fail({ replicas: 3, autoscaling: {} }, 'replicas', '3', 'cannot be combined with autoscaling');
  });

  test('percentages from 1 to 100', () => {
    fail(auto({ autoscaling: { cpuUtilization: 0 } }), 'autoscaling.cpuUtilization', '0', 'must be an integer from 1 to 100 (a percentage).');
    fail(auto({ autoscaling: { memoryUtilization: 150 } }), 'autoscaling.memoryUtilization', '150', 'must be an integer from 1 to 100 (a percentage).');
    fail(auto({ autoscaling: { scaleDownPercentPerMinute: 101 } }), 'autoscaling.scaleDownPercentPerMinute', '101', 'must be an integer from 1 to 100 (a percentage).');
    fail({ disruptionBudget: DisruptionBudget.maxUnavailable('150%') }, 'disruptionBudget.maxUnavailable', '"150%"', 'must be a whole number or a percentage');
  });

  test('utilisation targets need the matching request', () => {
    fail(auto({ autoscaling: { cpuUtilization: 70 }, resources: { cpuRequest: false } }), 'autoscaling.cpuUtilization', '70', 'needs a CPU request');
  });

  test('a minAvailable budget at the replica count would block every drain', () => {
    fail({ disruptionBudget: DisruptionBudget.minAvailable(2) }, 'disruptionBudget.minAvailable', '2', 'must be below the replica count (2)');
  });
});

describe('ingress', () => {
  test('the same host and path in two WebServices of one chart', () => {
    const chart = newChart();
    new WebService(chart, 'web', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/api'] } });
    expectPropError(() => new WebService(chart, 'api', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/', '/api'] } }),
      { path: 'shop/api', prop: 'WebService.ingress', value: '"shop.example.com/api"', says: 'is already routed by shop/web; each host/path pair may be used once per chart.' });
  });

  test('on ALB, two WebServices routing one host need the same ingress.group (one host, one load balancer)', () => {
    const chart = newChart();
    new WebService(chart, 'web', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/'] } });
    expectPropError(() => new WebService(chart, 'api', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/api'] } }), {
      path: 'shop/api',
      prop: 'WebService.ingress.hosts',
      value: '"shop.example.com"',
      says: 'is also routed by shop/web through another ALB (no ingress.group there, none here): one host name can point at only one load balancer. '
        + 'Give both Ingresses the same ingress.group (e.g. "shop") so that they share one ALB.',
    });
    expectPropError(() => new WebService(chart, 'admin', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/admin'], group: 'shop' } }),
      { path: 'shop/admin', prop: 'WebService.ingress.hosts', value: '"shop.example.com"', says: '(no ingress.group there, "shop" here)' });

    const grouped = newChart();
    new WebService(grouped, 'web', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/'], group: 'shop' } });
    new WebService(grouped, 'api', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/api'], group: 'shop' } });
    // another host, another load balancer: fine
    new WebService(grouped, 'blog', { ...BASE, ingress: { hosts: ['blog.example.com'] } });
    // Traefik and nginx route every host through one controller: no group needed
    const traefik = newChart({ traits: ClusterTraits.k3s() });
    new WebService(traefik, 'web', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/'] } });
    new WebService(traefik, 'api', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/api'] } });
  });

  test('one chart that groups its same-host Ingresses for EKS also synthesizes on k3s, where the group changes nothing', () => {
    const build = (traits: ClusterTraits) => {
      const chart = newChart({ traits });
      new WebService(chart, 'web', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/'], group: 'shop' } });
      new WebService(chart, 'api', { ...BASE, ingress: { hosts: ['shop.example.com'], paths: ['/api'], group: 'shop' } });
      return all(synthValid(chart), 'Ingress');
    };
    expect(build(ClusterTraits.eks()).map(i => i.metadata.annotations['alb.ingress.kubernetes.io/group.name'])).toEqual(['shop', 'shop']);
    const traefik = build(ClusterTraits.k3s());
    expect(traefik.map(i => i.spec.ingressClassName)).toEqual(['traefik', 'traefik']);
    expect(JSON.stringify(traefik)).not.toContain('group');
    expectPropError(() => new WebService(newChart({ traits: ClusterTraits.k3s() }), 'web', { ...BASE, ingress: { hosts: ['a.example.com'], group: 'Shop!' } }),
      { path: 'shop/web', prop: 'WebService.ingress.group', value: '"Shop!"', says: 'must be' });
  });

  test('the same path without hosts in two WebServices', () => {
    const chart = newChart();
    new WebService(chart, 'web', { ...BASE, ingress: {} });
    expectPropError(() => new WebService(chart, 'other', { ...BASE, ingress: {} }),
      { path: 'shop/other', prop: 'WebService.ingress', value: '"(any host)/"', says: 'is already routed by shop/web' });
  });

  test('an ingress port that no container exposes', () => {
    fail({ ingress: { port: 'admin' } }, 'ingress.port', '"admin"', 'names no port of the service; its ports are: http.');
  });

  test('host names and paths', () => {
    fail({ ingress: { hosts: ['https://shop.example.com'] } }, 'ingress.hosts[0]', '"https://shop.example.com"', 'must be a fully qualified lowercase DNS name');
    fail({ ingress: { paths: ['api'] } }, 'ingress.paths[0]', '"api"', 'must be an absolute URL path');
    fail({ ingress: { hosts: ['a.example.com', 'a.example.com'] } }, 'ingress.hosts', '"a.example.com"', 'each host may appear only once.');
    // the API server refuses an IP address as an Ingress host
    fail({ ingress: { hosts: ['10.0.0.1'] } }, 'ingress.hosts[0]', '"10.0.0.1"',
      'must be a DNS name, not an IP address (the API server refuses an IP as a host): route a name such as "app.example.com" to it.');
    fail({ ingress: { hosts: ['shop.example.com', '010.000.0.255'] } }, 'ingress.hosts[1]', '"010.000.0.255"', 'must be a DNS name, not an IP address');
    // numeric labels that are not an address stay valid DNS names
    for (const host of ['256.0.0.1', '1.2.3.4.example.com', '10.0.0']) {
      expect(() => new WebService(newChart(), 'web', { image: 'shop/web:1.0.0', ingress: { hosts: [host] } })).not.toThrow();
    }
  });
});

describe('probes', () => {
  test('timeout longer than the period', () => {
    fail({ probes: { readiness: Probe.tcp({ period: Duration.seconds(5), timeout: Duration.seconds(10) }) } },
      'probes.readiness.timeout', '"10s"', 'must not exceed the period (5s)');
  });

  test('timing ranges', () => {
    fail({ probes: { liveness: Probe.tcp({ period: Duration.seconds(0) }) } }, 'probes.liveness.period', '0', 'must be an integer from 1 to 3600 (seconds).');
    fail({ probes: { startup: Probe.tcp({ failureThreshold: 0 }) } }, 'probes.startup.failureThreshold', '0', 'must be an integer from 1 to 1000.');
    fail({ probes: { readiness: Probe.tcp({ period: Duration.millis(1500) }) } }, 'probes.readiness.period', '1.5', 'must be an integer from 1 to 3600 (seconds).');
  });

  test('probe ports and paths', () => {
    fail({ probes: { readiness: Probe.http('/healthz', { port: 'admin' }) } }, 'probes.readiness.port', '"admin"', 'no container port has this name; declared ports: http.');
    fail({ probes: { readiness: Probe.http('healthz') } }, 'probes.readiness.path', '"healthz"', 'must be an absolute HTTP path');
    fail({ healthCheckPath: 'healthz' }, 'healthCheckPath', '"healthz"', 'must be an absolute HTTP path');
  });
});

describe('images', () => {
  test('latest and untagged images are refused', () => {
    fail({ image: 'nginx:latest' }, 'image', '"nginx:latest"', 'uses the "latest" tag: pin a version tag or a digest');
    fail({ image: 'nginx' }, 'image', '"nginx"', 'must name a tag or a digest');
    fail({ image: 'registry.example.com:5000/team/app' }, 'image', '"registry.example.com:5000/team/app"', 'must name a tag or a digest');
  });

  test('malformed references', () => {
    fail({ image: 'nginx@sha256:1234' }, 'image', '"nginx@sha256:1234"', 'has an invalid digest');
    fail({ image: 'Nginx:1.27' }, 'image', '"Nginx:1.27"', 'has an invalid repository name');
    fail({ image: '' }, 'image', '""', 'must be a container image reference');
  });

  test('a digest pins even with latest', () => {
    expect(() => new WebService(newChart(), 'web', { ...BASE, image: `nginx:latest@sha256:${'a'.repeat(64)}` })).not.toThrow();
  });
});

describe('secrets and env', () => {
  test('secret-looking env names are refused, without showing the value', () => {
    const message = fail({ env: { DB_PASSWORD: 'hunter2' } }, 'env.DB_PASSWORD', '"(value hidden)"', 'looks like a secret');
    expect(message).not.toContain('hunter2');
    fail({ env: { API_KEY: 'x' } }, 'env.API_KEY', '"(value hidden)"', 'SecretRef.fromSecret');
    fail({ config: { env: { SLACK_TOKEN: 'x' } } }, 'config.env.SLACK_TOKEN', '"(value hidden)"', 'ConfigMaps are not secret');
  });

  test('env names and duplicates', () => {
    fail({ env: { '1VAR': 'x' } }, 'env.1VAR', '"1VAR"', 'must be a valid environment variable name');
    fail({ env: { DB_USER: 'x' }, secretEnv: { DB_USER: SecretRef.fromSecret('db', 'user') } }, 'secretEnv.DB_USER', '"DB_USER"', 'is also set in env');
  });

  test('secret references are checked', () => {
    fail({ secretEnv: { DB_PASS: SecretRef.fromSecret('Db Creds', 'password') } }, 'secretEnv.DB_PASS.secretName', '"Db Creds"', 'must be a DNS-1123 subdomain');
    fail({ secretEnv: { DB_PASS: 'hunter2' as never } }, 'secretEnv.DB_PASS', '"hunter2"', 'must be a SecretRef');
  });
});

describe('pod settings', () => {
  test('root is refused', () => {
    fail({ runAsUser: 0 }, 'runAsUser', '0', 'Pod Security "restricted" forbids uid 0');
  });

  test('writable paths are absolute and unique', () => {
    fail({ writablePaths: ['tmp'] }, 'writablePaths[0]', '"tmp"', 'must be an absolute path');
    fail({ writablePaths: ['/tmp', '/tmp'] }, 'writablePaths', '"/tmp"', 'each mount path may appear only once.');
  });

  test('grace period in whole seconds', () => {
    fail({ terminationGracePeriod: Duration.millis(2500) }, 'terminationGracePeriod', '2.5', 'must be an integer from 0 to 86400 (seconds).');
  });
});
