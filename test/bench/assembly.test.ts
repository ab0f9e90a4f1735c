import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeOutput } from '../../bench/private/assembly';
import { DeploymentBudget } from '../../lib/delivery';

/** A cloud assembly directory with one template holding a custom resource of `bytes` bytes of properties. */
function assemblyWith(blobBytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-bench-'));
  const template = { Resources: { Apps: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { ServiceToken: 'arn', Manifest: 'x'.repeat(blobBytes) } } } };
  fs.writeFileSync(path.join(dir, 'shop.template.json'), JSON.stringify(template, undefined, 1));
  return dir;
}

describe('the benchmark judges "would deploy" as DeploymentBudget does', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

  test.each([
    [120_000, true],
    [131_000, false],
  ])('a custom resource with a %i-byte manifest: would deploy = %s, the same verdict as the library', (blob, deploys) => {
    const dir = assemblyWith(blob);
    dirs.push(dir);
    const figures = analyzeOutput(dir);
    expect(figures.wouldDeploy).toBe(deploys);
    const template = JSON.parse(fs.readFileSync(path.join(dir, 'shop.template.json'), 'utf-8')) as Record<string, unknown>;
    expect(DeploymentBudget.errors('shop', DeploymentBudget.measure(template)).length === 0).toBe(deploys);
    if (!deploys) expect(figures.problems.join()).toMatch(/custom resource Apps \(Custom::AWSCDK-EKS-KubernetesResource\) has 131\.0 kB of properties; its update event \(264\.1 kB\) > 256 KiB Lambda event limit/);
  });
});
