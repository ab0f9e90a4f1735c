import { App } from 'cdk8s';
import * as ts from 'typescript';
import { sampleWorkloads } from '../../charts/samples';
import * as lib from '../../lib';
import { ClusterTraits, synthesizeManifests } from '../../lib';
import { extractSnippets, repositoryDocs } from '../docs/snippets';
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

  test('the brief: nginx with at least 3 replicas behind a ClusterIP Service on port 80 and an Ingress for myapp.example.com/', () => {
    const nginx = objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'nginx');
    const svc = objects.find(o => o.kind === 'Service' && o.metadata.name === 'nginx');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    const ing = objects.find(o => o.kind === 'Ingress' && o.metadata.name === 'nginx');
    expect(ing.spec.rules[0]).toMatchObject({ host: 'myapp.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'nginx' } } }] } });
    // the read-only root filesystem must not break nginx: its writable paths are mounted
    const mounts = nginx.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/tmp', '/var/cache/nginx']));
  });

  test('nginx is autoscaled: an HPA from 3 to 10 replicas on CPU targets its Deployment, which sets no replicas', () => {
    const hpas = objects.filter(o => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map(h => h.metadata.name)).toEqual(['nginx']);
    const [hpa] = hpas;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata.namespace).toBe('samples');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    const target = objects.find(o => o.kind === 'Deployment' && o.metadata.name === hpa.spec.scaleTargetRef.name);
    expect(target.metadata.namespace).toBe(hpa.metadata.namespace);
    // a replicas field would reset the autoscaler's choice at every deploy
    expect(target.spec).not.toHaveProperty('replicas');
    // utilisation is a percentage of the CPU request: the container must have one
    expect(target.spec.template.spec.containers[0].resources.requests.cpu).toBeDefined();
    // the disruption budget leaves the HPA's minimum able to drain a node
    const pdb = objects.find(o => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'nginx');
    expect(pdb.spec.maxUnavailable).toBe(1);
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

/**
 * The README's "Your own service in five minutes" is added to charts/samples.ts: run it there, as written, and
 * check it follows the sample nginx's recipe (the one that runs under the restricted defaults).
 */
describe("the README's five-minute service", () => {
  const readme = repositoryDocs().find(d => d.file === 'README.md')!;
  const snippet = extractSnippets(readme).find(s => s.code.includes('declare const samples'));
  const js = ts.transpileModule(snippet?.code ?? '', { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

  test.each(targets)('on %s: synthesizes in the samples chart with zero findings, on the sample nginx\'s image recipe', (_kind, traits) => {
    expect(snippet).toBeDefined();
    const app = new App();
    const [samples] = sampleWorkloads(app, traits);
    const load = (id: string): unknown => (id === 'cdk-k8s-platform' ? lib : require(id));
    new Function('require', 'exports', 'samples', js)(load, {}, samples);

    const manifests = synthesizeManifests(app);
    expectValidManifests(manifests, { failOnWarnings: true });
    const deployments = manifests.flatMap(m => m.objects as any[]).filter(o => o.kind === 'Deployment');
    const added = deployments.filter(d => !['nginx', 'users', 'users-canary'].includes(d.metadata.name));
    expect(added).toHaveLength(1);
    const recipe = (d: any) => {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      return {
        image: c.image.split(':')[0],
        runAsUser: c.securityContext.runAsUser ?? pod.securityContext.runAsUser,
        runAsGroup: c.securityContext.runAsGroup ?? pod.securityContext.runAsGroup,
        writable: c.volumeMounts.map((m: any) => m.mountPath).sort(),
        ports: c.ports.map((p: any) => p.containerPort),
      };
    };
    expect(recipe(added[0])).toEqual(recipe(deployments.find(d => d.metadata.name === 'nginx')));
  });
});
