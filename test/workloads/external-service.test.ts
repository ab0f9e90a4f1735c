import { App, Chart } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import { ExternalService, ExternalServiceProps, KubeObject, Protocol } from '../../lib/workloads';

const BASE: ExternalServiceProps = { externalName: 'orders.abc123.eu-west-1.rds.amazonaws.com' };

describe('ExternalService', () => {
  let objects: KubeObject[];
  let rds: ExternalService;
  beforeAll(() => {
    const chart = newChart({ namespace: 'shop' });
    rds = new ExternalService(chart, 'orders-db', BASE);
    objects = synthValid(chart, { failOnWarnings: true });
  });

  test('a Service of type ExternalName with standard labels and no selector', () => {
    const svc = one(objects, 'Service');
    expect(svc.metadata).toEqual({
      name: 'orders-db',
      namespace: 'shop',
      labels: {
        'app.kubernetes.io/name': 'orders-db',
        'app.kubernetes.io/instance': 'orders-db',
        'app.kubernetes.io/component': 'external',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'cdk-k8s-platform',
      },
    });
    expect(svc.spec).toEqual({ type: 'ExternalName', externalName: 'orders.abc123.eu-west-1.rds.amazonaws.com' });
    expect(rds.name).toBe('orders-db');
    expect(rds.service.kind).toBe('Service');
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('ports, labels, a name, in a plain cdk8s chart', () => {
    const chart = new Chart(new App(), 'plain');
    new ExternalService(chart, 'x', { ...BASE, name: 'orders', ports: [{ name: 'postgres', port: 5432 }, { name: 'dns', port: 53, protocol: Protocol.UDP }], labels: { team: 'data' } });
    const svc = one(synthValid(chart), 'Service');
    expect(svc.metadata.name).toBe('orders');
    expect(svc.metadata.labels).toMatchObject({ 'team': 'data', 'app.kubernetes.io/part-of': 'plain' });
    expect(svc.spec.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  });
});

describe('ExternalService validation', () => {
  const fail = (props: Partial<ExternalServiceProps>, prop: string, value: string, says: string) =>
    expectPropError(() => new ExternalService(newChart(), 'db', { ...BASE, ...props }), { path: 'shop/db', prop: `ExternalService.${prop}`, value, says });

  test('externalName is a DNS name, not an IP, fully qualified', () => {
    fail({ externalName: '10.0.0.12' }, 'externalName', '"10.0.0.12"', 'must be a DNS name, not an IP address');
    fail({ externalName: 'fd00::1' }, 'externalName', '"fd00::1"', 'must be a DNS name, not an IP address');
    fail({ externalName: 'https://db.example.com' }, 'externalName', '"https://db.example.com"', 'must be a DNS name, not a URL: give the host only (e.g. "db.example.com"); the ports go in `ports`.');
    fail({ externalName: 'db.example.com:5432' }, 'externalName', '"db.example.com:5432"', 'must be a DNS name without a port: give the host only');
    fail({ externalName: 'DB_HOST.example.com' }, 'externalName', '"DB_HOST.example.com"', 'must be a DNS-1123 subdomain');
    fail({ externalName: 'db' }, 'externalName', '"db"', 'must be a fully qualified DNS name');
  });

  test('the name is a Service name', () => {
    fail({ name: '1db' }, 'name', '"1db"', 'must be a DNS-1035 label');
  });

  test('ports and labels are checked', () => {
    fail({ ports: [{ name: 'pg', port: 0 }] }, 'ports[0].port', '0', 'must be an integer from 1 to 65535.');
    fail({ labels: { 'app.kubernetes.io/name': 'x' } }, 'labels.app.kubernetes.io/name', '"app.kubernetes.io/name"', 'is set by the library');
  });
});
