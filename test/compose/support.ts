import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, KubeObject, PlatformChart, synthesizeManifests } from '../../lib';

export const FIXTURES = path.join(__dirname, 'fixtures');

/** Every fixture: its folder name and its Compose file. */
export const FIXTURE_FILES: ReadonlyArray<readonly [string, string]> = fs.readdirSync(FIXTURES).sort()
  .map(name => [name, path.join(FIXTURES, name, 'docker-compose.yml')] as const);

/** Variables the fixtures need (the queue's password has no default). */
export const ENV: Record<string, string> = { RABBIT_PASSWORD: 'rabbit-password-never-copied' };

/** The values that must never leave a fixture: its secrets. */
export const SECRET_VALUES = ['change-me', 's3cret', 'rabbit-password-never-copied', '9f8Kq2LmZx7Rt4Vb1Nc6Hy3Jw5Pd0Sg8'];

/** The Secrets a fixture's workloads reference (created by hand): every `<service>-env` and `<service>-secrets`. */
export function referencedSecrets(objects: readonly KubeObject[]): string[] {
  return [...new Set(JSON.stringify(objects).match(/"[a-z0-9-]+-(env|secrets)"/g) ?? [])].map(s => s.slice(1, -1));
}

/** A chart for the traits, built by `build`, synthesized. */
export function synth(traits: ClusterTraits, build: (chart: PlatformChart) => void): KubeObject[] {
  const app = new App();
  build(new PlatformChart(app, 'compose', { traits, namespace: 'compose' }));
  return synthesizeManifests(app)[0].objects;
}

/** A file with `content` in a fresh temporary directory. */
export function tempCompose(content: string, extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'compose-'));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'docker-compose.yml');
  fs.writeFileSync(file, content);
  return file;
}
