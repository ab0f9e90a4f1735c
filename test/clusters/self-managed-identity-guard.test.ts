/**
 * Day 2 of workload identity on a self-managed platform: turning it on changes only the servers' launch
 * template, and the ReplacementGuard refuses the deploy as a roll of the servers until it is opted in.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AllowReplacement, ReplacementGuard } from '../../lib/guards';
import { selfManagedApp, thrownMessage, tmpDir } from '../robustness/support';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function synth(lockFile: string, identity: boolean, allow: AllowReplacement[] = []): void {
  const { app } = selfManagedApp('k3s', { env: ENV, ...(identity ? { cluster: { workloadIdentity: {} } } : {}) }, { outdir: tmpDir('identity-guard-out') });
  new ReplacementGuard(app, 'ReplacementGuard', { lockFile, allowReplacement: allow });
  app.synth();
}

test('turning workload identity on is reported as a roll of the server group only, and goes through once opted in', () => {
  const lockFile = path.join(tmpDir('identity-guard'), 'platform.lock.json');
  synth(lockFile, false);
  const before = fs.readFileSync(lockFile, 'utf8');
  const message = thrownMessage(() => synth(lockFile, true));
  expect(message).toBeDefined();
  const rolled = message!.split('\n').filter(l => l.includes('rolls its nodes'));
  expect(rolled).toHaveLength(1);
  expect(rolled[0]).toMatch(/ServerLaunchTemplate/);
  expect(message).not.toMatch(/AgentLaunchTemplate/);
  expect(message).not.toMatch(/would be replaced/);
  expect(fs.readFileSync(lockFile, 'utf8')).toBe(before); // a refused synthesis records nothing
  synth(lockFile, true, [AllowReplacement.SERVER]);
  expect(fs.readFileSync(lockFile, 'utf8')).not.toBe(before); // the opted-in roll is recorded
});
