import { App } from 'cdk8s';
import { sampleWorkloads } from '../../charts/samples';
import { ClusterTraits, synthesizeManifests } from '../../lib';
import { expectValidManifests } from '../support/k8s-check';

const targets: Array<[string, ClusterTraits]> = [
  ['eks', ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })],
  ['k3s', ClusterTraits.k3s()],
  ['nginx', ClusterTraits.nginx()],
];

describe.each(targets)('sample workloads for %s', (_kind, traits) => {
  const manifests = synthesizeManifests(sampleWorkloads(new App(), traits));
  const objects = manifests.flatMap(m => m.objects) as any[];

  test('pass schema, Pod Security restricted and cross-reference checks with zero findings', () => {
    expectValidManifests(manifests, { failOnWarnings: true });
  });

  test('the brief: nginx with 3 replicas behind a ClusterIP Service on port 80 and an Ingress for myapp.example.com/', () => {
    const nginx = objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'nginx');
    expect(nginx.spec.replicas).toBe(3);
    const svc = objects.find(o => o.kind === 'Service' && o.metadata.name === 'nginx');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    const ing = objects.find(o => o.kind === 'Ingress' && o.metadata.name === 'nginx');
    expect(ing.spec.rules[0]).toMatchObject({ host: 'myapp.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'nginx' } } }] } });
    // the read-only root filesystem must not break nginx: its writable paths are mounted
    const mounts = nginx.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/tmp', '/var/cache/nginx']));
  });

  test('the users service runs 2 stable replicas and a canary', () => {
    const users = objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'users');
    expect(users.spec.replicas).toBe(2);
    expect(objects.some(o => o.kind === 'Deployment' && o.metadata.name === 'users-canary')).toBe(true);
  });

  test('the namespace enforces restricted', () => {
    const ns = objects.find(o => o.kind === 'Namespace');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
