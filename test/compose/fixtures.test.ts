/*
 * Every fixture imports, synthesizes for EKS and k3s traits and passes the manifest checks (schema, Pod Security
 * restricted, cross-references); its diagnostics are recorded and the important ones asserted; no secret value
 * reaches the manifests or the diagnostics.
 */
import { ENV, FIXTURE_FILES, FIXTURES, referencedSecrets, SECRET_VALUES, synth } from './support';
import { ClusterTraits, composeToWorkloads, DiagnosticSeverity, formatDiagnostic } from '../../lib';
import { expectValidManifests } from '../support/k8s-check';

const TRAITS = [['EKS', ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })], ['k3s', ClusterTraits.k3s()]] as const;

function diagnostics(file: string): string[] {
  let out: string[] = [];
  synth(ClusterTraits.k3s(), chart => {
    out = composeToWorkloads(chart, file, { env: ENV }).diagnostics.map(d => formatDiagnostic(d).replace(FIXTURES, 'fixtures'));
  });
  return out;
}

describe.each(FIXTURE_FILES)('fixture %s', (_name, file) => {
  test.each(TRAITS)('synthesizes on %s and passes schema, restricted and cross-reference checks', (_kind, traits) => {
    const objects = synth(traits, chart => composeToWorkloads(chart, file, { env: ENV }));
    expect(objects.length).toBeGreaterThan(2);
    expectValidManifests(objects, { externalSecrets: referencedSecrets(objects) });
    const text = JSON.stringify(objects);
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
  });

  test('diagnostics (recorded), none holding a secret value', () => {
    const found = diagnostics(file);
    for (const secret of SECRET_VALUES) expect(found.join('\n')).not.toContain(secret);
    expect(found).toMatchSnapshot();
  });
});

describe('what each fixture becomes', () => {
  function kinds(fixture: string): string[] {
    return synth(ClusterTraits.k3s(), chart => composeToWorkloads(chart, `${FIXTURES}/${fixture}/docker-compose.yml`, { env: ENV }))
      .map(o => `${o.kind}/${o.metadata.name}`).sort();
  }

  test('notes: web behind a LoadBalancer Service, postgres as a StatefulSet with a retained claim', () => {
    const objects = synth(ClusterTraits.k3s(), chart => composeToWorkloads(chart, `${FIXTURES}/notes-web-db/docker-compose.yml`));
    const web = objects.find(o => o.kind === 'Service' && o.metadata.name === 'web') as unknown as { spec: { type: string; ports: unknown[] } };
    expect(web.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ name: 'http', port: 8080, targetPort: 'http' }] });
    const db = objects.find(o => o.kind === 'StatefulSet') as unknown as { spec: Record<string, unknown> };
    expect(db.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('webapp: networks restrict postgres and redis to the app (NetworkRules)', () => {
    expect(kinds('webapp-postgres-redis')).toEqual(expect.arrayContaining(['Deployment/app', 'StatefulSet/postgres', 'Deployment/redis']));
    const objects = synth(ClusterTraits.k3s(), chart => composeToWorkloads(chart, `${FIXTURES}/webapp-postgres-redis/docker-compose.yml`));
    const policies = objects.filter(o => o.kind === 'NetworkPolicy').map(o => o.metadata.name);
    expect(policies).toEqual(expect.arrayContaining(['postgres-from-app', 'redis-from-app']));
  });

  test('queue: the consumer is a Worker without a Service, with 2 replicas', () => {
    const list = kinds('queue-worker');
    expect(list).toContain('Deployment/worker');
    expect(list).not.toContain('Service/worker');
  });

  test('unsupported: every refused key is a warning; the build-only service is left out', () => {
    const found = diagnostics(`${FIXTURES}/unsupported/docker-compose.yml`);
    const warned = found.filter(d => d.includes(' warning ')).map(d => /warning (\S+):/.exec(d)![1]);
    expect(warned).toEqual(expect.arrayContaining([
      'services.agent.privileged', 'services.agent.network_mode', 'services.agent.pid', 'services.agent.cap_add', 'services.agent.devices',
      'services.agent.volumes[0]', 'services.agent.user', 'services.builder.build', 'services.web.ports[1]', 'services.web.deploy.placement',
    ]));
    expect(found).toContainEqual(expect.stringMatching(/docker-compose.yml:8:5 warning services.agent.privileged: is not supported: Pod Security "restricted" forbids it/));
    expect(kinds('unsupported')).not.toContain('Deployment/builder');
  });

  test('every diagnostic names a line of the file it is about', () => {
    for (const [, file] of FIXTURE_FILES) {
      synth(ClusterTraits.k3s(), chart => {
        for (const d of composeToWorkloads(chart, file, { env: ENV }).diagnostics) {
          expect(d.line).toBeGreaterThan(0);
          expect(Object.values(DiagnosticSeverity)).toContain(d.severity);
        }
      });
    }
  });
});
