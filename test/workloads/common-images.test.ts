/*
 * The table "Common images" of docs/workloads.md: each row's settings, built and checked (schema, Pod Security
 * "restricted", cross-references). Keep the two in step.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { Size } from 'cdk8s';
import { newChart, synthValid } from './fixtures';
import { NodeAgent, PlatformChart, SecretRef, StatefulService, WebService } from '../../lib/workloads';

const ROWS: Record<string, (chart: PlatformChart) => void> = {
  'nginxinc/nginx-unprivileged': chart => new WebService(chart, 'web', {
    image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    runAsUser: 101,
    runAsGroup: 101,
    writablePaths: ['/tmp', '/var/cache/nginx'],
  }),
  'postgres': chart => new StatefulService(chart, 'postgres', {
    image: 'postgres:16.4-alpine',
    ports: [{ name: 'postgres', port: 5432 }],
    runAsUser: 70,
    runAsGroup: 70,
    env: { PGDATA: '/var/lib/postgresql/data/pgdata' },
    secretEnv: { POSTGRES_PASSWORD: SecretRef.fromSecret('postgres', 'password') },
    writablePaths: ['/tmp', '/var/run/postgresql'],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(20) }],
  }),
  'redis': chart => new StatefulService(chart, 'redis', {
    image: 'redis:7.4.1-alpine',
    ports: [{ name: 'redis', port: 6379 }],
    runAsUser: 999,
    runAsGroup: 1000,
    volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(5) }],
  }),
  'ghcr.io/stefanprodan/podinfo': chart => new WebService(chart, 'podinfo', {
    image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
    ports: [{ name: 'http', port: 80, targetPort: 9898 }],
    healthCheckPath: '/readyz',
  }),
  'prom/node-exporter': chart => new NodeAgent(chart, 'node-exporter', {
    image: 'prom/node-exporter:v1.8.2',
    ports: [{ name: 'metrics', port: 9100 }],
    runAsUser: 65534,
    runAsGroup: 65534,
    healthCheckPath: '/',
  }),
};

test.each(Object.keys(ROWS))('%s runs under the restricted defaults with the documented settings', image => {
  const chart = newChart({ namespace: 'apps' });
  ROWS[image](chart);
  expect(synthValid(chart, { externalSecrets: ['postgres'] }).length).toBeGreaterThan(0);
});

test('every image of the docs table is built here', () => {
  const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'workloads.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Common images'), doc.indexOf('\n## ', doc.indexOf('## Common images') + 1));
  const images = [...table.matchAll(/^\| `([^`:]+):[^`]+` \|/gm)].map(m => m[1]);
  expect(images).toEqual(Object.keys(ROWS));
});
