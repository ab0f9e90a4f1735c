/**
 * The bundled app (bin/app.ts) as `npx cdk synth` runs it, with the context values the README documents.
 * The replacement guard runs in verify mode, so the committed platform.lock.json is never written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

function synth(context: Record<string, string>): { status: number | null; stderr: string; stacks: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-app-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf-8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'cdk-k8s-platform:replacementGuard': 'verify', ...context }) },
    });
    const stacks = fs.existsSync(outdir) ? fs.readdirSync(outdir).filter(f => f.endsWith('.template.json')).map(f => f.replace('.template.json', '')).sort() : [];
    return { status: r.status, stderr: r.stderr, stacks };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the bundled app', () => {
  test('kubeadm is its own stack (demo-kubeadm), recorded in the committed lock file: no replacement of demo-k3s', () => {
    const r = synth({ selfManagedDistribution: 'kubeadm' });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stacks).toEqual(['demo-eks', 'demo-kubeadm']);
  });

  test('an unknown distribution is refused with the value and the choices', () => {
    const r = synth({ selfManagedDistribution: 'microk8s' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Context selfManagedDistribution is "microk8s": use "k3s" (the default) or "kubeadm".');
  });
});
