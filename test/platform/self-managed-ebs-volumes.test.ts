/**
 * Upgrading an existing k3s or kubeadm platform to EBS volumes and backups by default (issue 18) replaces
 * nothing the ReplacementGuard protects: no VPC, subnet, server, launch template, group or token. The lock a
 * platform recorded before (local-path, no backups) passes unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { ReplacementGuard } from '../../lib/guards';
import { selfManagedApp, tmpDir } from '../robustness/support';

describe.each(['k3s', 'kubeadm'] as const)('%s', distribution => {
  const lockFile = path.join(tmpDir(`ebs-guard-${distribution}`), 'platform.lock.json');
  let before: Template;
  let locked: string;
  beforeAll(() => {
    // the platform as deployed before: local-path only, no volume backups
    const old = selfManagedApp(distribution, { ebsCsi: false, volumeBackup: false });
    new ReplacementGuard(old.app, 'ReplacementGuard', { lockFile });
    old.app.synth();
    before = Template.fromStack(old.stack);
    locked = fs.readFileSync(lockFile, 'utf8');
  });

  test('the lock of the platform before passes unchanged: nothing it protects is replaced', () => {
    const upgraded = selfManagedApp(distribution);
    new ReplacementGuard(upgraded.app, 'ReplacementGuard', { lockFile });
    expect(() => upgraded.app.synth()).not.toThrow();
    // every recorded resource as it was; the one new record is the backup vault the upgrade adds
    const recorded = JSON.parse(locked).stacks[`acme-${distribution}`] as Record<string, { type: string }>;
    const now = JSON.parse(fs.readFileSync(lockFile, 'utf8')).stacks[`acme-${distribution}`] as Record<string, { type: string }>;
    expect(Object.keys(recorded).length).toBeGreaterThan(0);
    for (const [id, record] of Object.entries(recorded)) expect(now[id]).toEqual(record);
    expect(Object.keys(now).filter(id => !(id in recorded)).map(id => now[id].type)).toEqual(['AWS::Backup::BackupVault']);
  });

  test('the nodes stay as they are (launch templates, groups, their roles\' trust); only policies, an association, backups and deliveries are added', () => {
    const after = Template.fromStack(selfManagedApp(distribution).stack);
    for (const type of ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::IAM::Role', 'AWS::EC2::SecurityGroup', 'AWS::SecretsManager::Secret']) {
      const old = before.findResources(type);
      const now = after.findResources(type);
      for (const id of Object.keys(old)) expect(now[id]).toEqual(old[id]);
    }
    const added = Object.entries(after.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([id]) => !(id in before.toJSON().Resources)).map(([, r]) => r.Type);
    expect([...new Set(added)].sort()).toEqual(['AWS::Backup::BackupPlan', 'AWS::Backup::BackupSelection', 'AWS::Backup::BackupVault', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::SSM::Association']);
  });
});
