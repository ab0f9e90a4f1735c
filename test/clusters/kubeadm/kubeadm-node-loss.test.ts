import { spawnSync } from 'child_process';
import { FIRST_TOKEN, FIRST_TOKEN_RAW, KubeadmModel, kubeadmUserData } from './support/kubeadm-model';
import { KubeadmVersion } from '../../../lib/clusters/kubeadm';
import { StubRun, callIndex } from '../self-managed/support/stub-run';

let v133: ReturnType<typeof kubeadmUserData>;
beforeAll(() => {
  v133 = kubeadmUserData({ version: KubeadmVersion.V1_33_1 });
});
const PKI = 'pki/kubernetes-pki.tar.gz';

/**
 * The first control plane of a new 1.33 cluster (i-0first, an empty bucket), booted once for the file. Its model
 * is never changed: a test that goes on from this cluster takes a copy (KubeadmModel.copy).
 */
let firstBoot: { model: KubeadmModel; run: StubRun } | undefined;
function bootFirst(): { model: KubeadmModel; run: StubRun } {
  if (!firstBoot) {
    const model = new KubeadmModel();
    firstBoot = { model, run: model.boot(v133.controlPlane, 'i-0first') };
  }
  return firstBoot;
}

/** A cluster in the model: the first control plane, two workers, and a scheduled snapshot after they joined. */
function liveCluster(data?: ReturnType<typeof kubeadmUserData>, workers = ['i-0w1', 'i-0w2'], controlPlane = 'i-0first'): KubeadmModel {
  const userData = data ?? v133;
  let model: KubeadmModel;
  if (userData === v133 && controlPlane === 'i-0first') {
    const first = bootFirst();
    if (first.run.status !== 0) throw new Error(first.run.output);
    model = first.model.copy();
  } else {
    model = new KubeadmModel();
    const first = model.boot(userData.controlPlane, controlPlane);
    if (first.status !== 0) throw new Error(first.output);
  }
  for (const worker of workers) {
    const run = model.boot(userData.worker, worker);
    if (run.status !== 0) throw new Error(run.output);
  }
  const snapshot = model.tool('snapshot scheduled', controlPlane, {}, { KUBERNETES_VERSION: userData === v133 ? '1.33.1' : versionOf(userData.controlPlane) });
  if (snapshot.status !== 0) throw new Error(snapshot.output);
  return model;
}

function versionOf(script: string): string {
  return /KUBERNETES_VERSION='([^']+)'/.exec(script)![1];
}

describe('kubeadm first boot (no backup in the bucket)', () => {
  let model: KubeadmModel;
  let run: StubRun;
  beforeAll(() => {
    run = bootFirst().run;
    model = bootFirst().model.copy();
  });

  test('inits a new cluster, backs up its PKI once, publishes the CA hash, takes a first snapshot', () => {
    expect(run.status).toBe(0);
    expect(model.read('signals')).toBe('SUCCESS\n');
    const init = run.calls.find(c => c.startsWith('kubeadm init'))!;
    expect(init).toContain('--skip-token-print');
    expect(init).not.toContain('--upload-certs');
    expect(init).not.toContain('--ignore-preflight-errors');
    expect(model.objects('pki/')).toEqual([PKI]);
    expect(model.objects('etcd-snapshots/')).toEqual([expect.stringMatching(/^etcd-snapshots\/\d{8}T\d{6}Z_v1\.33\.1_i-0first_boot\.db$/)]);
    expect(model.read('ca-hash')).toMatch(/^sha256:[0-9a-f]{16}\n$/);
    expect(model.nodes()).toEqual({ 'i-0first': 'control-plane' });
    const at = [
      callIndex(run.calls, 'kubeadm init'),
      run.calls.findIndex(c => c.startsWith('aws s3 cp') && c.endsWith(PKI)),
      callIndex(run.calls, 'aws ssm put-parameter'),
      callIndex(run.calls, 'systemctl enable --now cdk-k8s-platform-etcd-snapshot.timer cdk-k8s-platform-token.timer'),
      callIndex(run.calls, 'kubectl --kubeconfig'),
    ];
    expect(at.filter(p => p < 0)).toEqual([]);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  test('the PKI backup holds exactly the identity files, and is written once', () => {
    const listing = spawnSync('tar', ['-tzf', '-'], { input: model.object(PKI), encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
    expect(listing).toEqual(['ca.crt', 'ca.key', 'etcd/ca.crt', 'etcd/ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub']);
    const again = model.tool('backup-pki', 'i-0first');
    expect(again.status).toBe(0);
    expect(again.output).toContain('PKI already backed up (written once)');
    expect(again.calls.filter(c => c.startsWith('aws s3 cp'))).toEqual([]);
  });

  test('no token, key or join command in the bootstrap log or the console; kubeadm\'s own output in a 0600 file', () => {
    const log = run.file('var/log/cdk-k8s-platform-bootstrap.log');
    for (const text of [run.output, log]) {
      expect(text).not.toContain(FIRST_TOKEN);
      expect(text).not.toContain(FIRST_TOKEN_RAW);
      expect(text).not.toContain('0123456789abcdef');
      expect(text).not.toContain('kubeadm join');
      expect(text).not.toContain('ca.key of');
    }
    // The stub kubeadm prints the join command with the token, as a kubeadm might: it lands in the 0600 file only.
    expect(run.file('var/log/cdk-k8s-platform-kubeadm-init.log')).toContain(`--token ${FIRST_TOKEN}`);
    expect(run.mode('var/log/cdk-k8s-platform-kubeadm-init.log')).toBe(0o600);
    expect(run.calls.filter(c => c.includes('0123456789abcdef'))).toEqual([]);
  });

  test('installs the day-2 tool, its settings without secrets, and the pre-terminate command', () => {
    expect(run.mode('usr/local/sbin/cdk-k8s-platform-kubeadm')).toBe(0o700);
    const env = run.file('etc/cdk-k8s-platform/kubeadm.env');
    expect(env).toContain("INSTANCE_ID='i-0first'");
    expect(env).toContain("SNAPSHOT_CALENDAR='hourly'");
    expect(env).not.toContain('abcdef');
    expect(run.file('usr/local/sbin/cdk-k8s-platform-pre-terminate')).toBe('#!/bin/sh\nexec /usr/local/sbin/cdk-k8s-platform-kubeadm pre-terminate "$@"\n');
    expect(run.file('etc/systemd/system/cdk-k8s-platform-etcd-snapshot.timer')).toContain('OnCalendar=hourly');
    expect(run.file('etc/systemd/system/cdk-k8s-platform-token.timer')).toContain('OnUnitActiveSec=12h');
    expect(run.file('etc/systemd/system/cdk-k8s-platform-token.service')).toContain('ExecStart=/usr/local/sbin/cdk-k8s-platform-kubeadm rotate-token');
  });
});

describe('kubeadm control-plane replacement', () => {
  let model: KubeadmModel;
  let run: StubRun;
  let hashBefore: string;
  let pkiBefore: Buffer;
  beforeAll(() => {
    model = liveCluster();
    hashBefore = model.read('ca-hash');
    pkiBefore = model.object(PKI);
    model.loseControlPlane();
    run = model.boot(v133.controlPlane, 'i-0second');
  });

  test('restores the PKI and the newest snapshot before kubeadm init with the ignore flag', () => {
    expect(run.status).toBe(0);
    expect(model.read('signals')).toContain('SUCCESS');
    const restore = callIndex(run.calls, 'ctr -n k8s.io run');
    const init = callIndex(run.calls, 'kubeadm init');
    expect(restore).toBeGreaterThan(-1);
    expect(run.calls[restore]).toContain('etcdutl snapshot restore /work/snapshot.db --data-dir /work/data --name i-0second '
      + '--initial-cluster i-0second=https://10.0.1.10:2380 --initial-advertise-peer-urls https://10.0.1.10:2380');
    expect(run.calls[restore]).toContain('registry.k8s.io/etcd:3.5.21-0');
    expect(restore).toBeLessThan(init);
    expect(run.calls[init]).toContain('--ignore-preflight-errors=DirAvailable--var-lib-etcd');
    expect(run.output).toMatch(/restored etcd from etcd-snapshots\/\d{8}T\d{6}Z_v1\.33\.1_i-0first_scheduled\.db/);
    expect(run.mode('var/lib/etcd')).toBe(0o700);
  });

  test('same CA, same CA hash: the workers keep working; the PKI backup is not rewritten', () => {
    expect(run.file('etc/kubernetes/pki/ca.crt')).toBe('ca.crt of the cluster created on i-0first\n');
    expect(run.file('etc/kubernetes/pki/sa.key')).toBe('sa.key of the cluster created on i-0first\n');
    expect(run.mode('etc/kubernetes/pki/ca.key')).toBe(0o600);
    expect(model.read('ca-hash')).toBe(hashBefore);
    expect(model.object(PKI).equals(pkiBefore)).toBe(true);
    expect(run.calls.filter(c => c.startsWith('aws s3 cp') && c.endsWith(PKI))).toEqual([]);
  });

  test('the old control-plane Node is removed after init; workers untouched', () => {
    expect(model.nodes()).toEqual({ 'i-0second': 'control-plane', 'i-0w1': 'worker', 'i-0w2': 'worker' });
    expect(callIndex(run.calls, 'kubectl --kubeconfig')).toBeGreaterThan(callIndex(run.calls, 'kubeadm init'));
    expect(run.calls.filter(c => c.includes('delete node'))).toEqual([expect.stringContaining('delete node i-0first')]);
  });

  test('a worker replaced afterwards joins the restored cluster with the same CA hash', () => {
    const worker = model.boot(v133.worker, 'i-0w3');
    expect(worker.status).toBe(0);
    expect(worker.file('etc/kubernetes/cdk-k8s-platform/kubeadm-join.yaml')).toContain(`caCertHashes: ["${hashBefore.trim()}"]`);
    expect(model.nodes()['i-0w3']).toBe('worker');
  });

  test('the model gives a new CA a new hash (so the same hash above means the same CA)', () => {
    const hash = bootFirst().model.read('ca-hash'); // a new cluster whose first control plane is i-0first
    const fresh = new KubeadmModel();
    fresh.boot(v133.controlPlane, 'i-0second');
    expect(fresh.read('ca-hash')).not.toBe(hash);
  });
});

describe('kubeadm upgrades one minor at a time, in the restore path', () => {
  test('1.32 → 1.33: restores the 1.32 snapshot and runs kubeadm init 1.33 on it', () => {
    const model = liveCluster(kubeadmUserData({ version: KubeadmVersion.V1_32_5 }), ['i-0w1']);
    model.loseControlPlane();
    const run = model.boot(v133.controlPlane, 'i-0second');
    expect(run.status).toBe(0);
    expect(run.output).toContain('upgrade 1.32.5 -> 1.33.1: kubeadm init 1.33.1 runs on the restored data and PKI');
    expect(run.calls.find(c => c.startsWith('kubeadm init'))).toContain('--ignore-preflight-errors=DirAvailable--var-lib-etcd');
    expect(run.file('etc/kubernetes/cdk-k8s-platform/kubeadm-init.yaml')).toContain('kubernetesVersion: "v1.33.1"');
    expect(model.nodes()).toEqual({ 'i-0second': 'control-plane', 'i-0w1': 'worker' });
  });

  test.each([
    ['1.31.9', 'kubeadm upgrades one minor version at a time: deploy 1.32.x first'],
    ['1.34.0', 'kubeadm cannot downgrade; deploy 1.34.0 again'],
  ])('a snapshot of %s refuses 1.33.1 before kubeadm init: FAILURE, nothing initialised', (from, message) => {
    // a cluster made by an earlier release of the library may run a version KubeadmVersion.of now refuses
    const snapshot = Object.assign(Object.create(KubeadmVersion.prototype) as KubeadmVersion, { version: from });
    const model = liveCluster(kubeadmUserData({ version: snapshot }), []);
    model.loseControlPlane();
    const run = model.boot(v133.controlPlane, 'i-0second');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`REFUSED: the newest snapshot is from Kubernetes ${from} and this node runs 1.33.1`);
    expect(run.output).toContain(message);
    expect(model.read('signals')).toMatch(/FAILURE\n$/);
    expect(callIndex(run.calls, 'kubeadm init')).toBe(-1);
  });
});

/** A live API with the first library token, without booting a node (the day-2 tool runs on its own). */
function tokenModel(): KubeadmModel {
  const model = new KubeadmModel();
  model.addToApi('tokens', 'abcdef', '0123456789abcdef|cdk-k8s-platform bootstrap token');
  model.addToApi('nodes', 'i-0first', 'control-plane');
  model.write('ca-hash', 'sha256:0123abcd\n');
  return model;
}

describe('kubeadm bootstrap token rotation', () => {
  test('a new token is created, published, then the older library tokens are deleted; nothing printed', () => {
    const model = tokenModel();
    model.addToApi('tokens', 'manual', 'zzzzzzzzzzzzzzzz|made by an operator');
    const run = model.tool('rotate-token', 'i-0first');
    expect(run.status).toBe(0);
    expect(model.read('secret')).toBe('rot0010000000000000001');
    expect(model.tokens()).toEqual({ manual: 'zzzzzzzzzzzzzzzz|made by an operator', rot001: '0000000000000001|cdk-k8s-platform bootstrap token' });
    const create = callIndex(run.calls, 'kubeadm token create');
    const publish = callIndex(run.calls, 'aws secretsmanager put-secret-value');
    const remove = callIndex(run.calls, 'kubeadm token delete abcdef');
    expect(run.calls[create]).toBe(`kubeadm token create --config ${run.root}/var/lib/cdk-k8s-platform/token-create.yaml`);
    expect(create).toBeLessThan(publish);
    expect(publish).toBeLessThan(remove);
    expect(run.calls[publish]).toContain('--secret-string file://');
    for (const secret of ['0000000000000001', '0123456789abcdef']) expect(run.output).not.toContain(secret);
    expect(run.exists('var/lib/cdk-k8s-platform/token-next')).toBe(false);
    // A worker that boots now reads the new value.
    const worker = model.boot(v133.worker, 'i-0w3');
    expect(worker.status).toBe(0);
    expect(worker.file('etc/kubernetes/cdk-k8s-platform/kubeadm-join.yaml')).toContain('token: "rot001.0000000000000001"');
  });

  test('a token that cannot be published is withdrawn; the current one stays', () => {
    const model = tokenModel();
    model.addToApi('tokens', 'manual', 'x|y');
    model.write('put-secret-fails', '');
    const run = model.tool('rotate-token', 'i-0first', { RETRIES: '2' });
    expect(run.status).not.toBe(0);
    expect(model.read('secret')).toBe(FIRST_TOKEN_RAW);
    expect(Object.keys(model.tokens())).toEqual(['abcdef', 'manual']);
    expect(run.output).toContain('could not publish the new bootstrap token: the current one stays');
  });

  test('a worker that read a token rotated away re-reads the secret and joins', () => {
    const model = tokenModel();
    model.tool('rotate-token', 'i-0first');
    const run = model.boot(v133.worker, 'i-0w3', { STALE_FIRST: FIRST_TOKEN_RAW });
    expect(run.status).toBe(0);
    expect(run.calls.filter(c => c.startsWith('kubeadm join'))).toHaveLength(2);
    expect(callIndex(run.calls, 'kubeadm reset -f')).toBeGreaterThan(callIndex(run.calls, 'kubeadm join'));
    expect(model.nodes()['i-0w3']).toBe('worker');
    expect(run.output).not.toContain('0000000000000001');
    expect(run.output).not.toContain(FIRST_TOKEN_RAW);
  });
});

describe('kubeadm pre-terminate (lifecycle hook) and scheduled snapshots', () => {
  test('snapshot first, then cordon and drain this node; safe to run twice', () => {
    const model = tokenModel();
    for (let i = 0; i < 2; i++) {
      const run = model.tool('pre-terminate', 'i-0first');
      expect(run.status).toBe(0);
      const upload = run.calls.findIndex(c => /^aws s3 cp .*_v1\.33\.1_i-0first_pre-terminate\.db$/.test(c));
      const drain = callIndex(run.calls, 'kubectl --kubeconfig');
      expect(upload).toBeGreaterThan(-1);
      expect(upload).toBeLessThan(drain);
    }
    expect(model.read('drains')).toContain('drain i-0first --ignore-daemonsets --delete-emptydir-data --timeout=300s');
    expect(model.objects('etcd-snapshots/').some(k => k.endsWith('_pre-terminate.db'))).toBe(true);
  });

  test('a failed snapshot still drains, and reports failure', () => {
    const model = tokenModel();
    model.write('etcd-down', '');
    const run = model.tool('pre-terminate', 'i-0first', { RETRIES: '2' });
    expect(run.status).toBe(1);
    expect(run.output).toContain('pre-terminate snapshot FAILED');
    expect(model.read('drains')).toContain('drain i-0first');
  });

  test('with another instance id: only cordons and drains that Node; a Node already gone is fine', () => {
    const model = tokenModel();
    model.addToApi('nodes', 'i-0w1', 'worker');
    const run = model.tool('pre-terminate i-0w1', 'i-0first');
    expect(run.status).toBe(0);
    expect(model.objects('etcd-snapshots/')).toEqual([]);
    expect(model.read('drains')).toContain('drain i-0w1 --ignore-daemonsets');
    const gone = model.tool('pre-terminate i-0gone', 'i-0first');
    expect(gone.status).toBe(0);
    expect(gone.output).toContain('no Node i-0gone: nothing to drain');
  });

  test('retention keeps the newest SNAPSHOT_RETENTION snapshots', () => {
    const model = tokenModel();
    model.putObject('etcd-snapshots/20200101T000000Z_v1.33.1_i-0old_scheduled.db', 'old');
    model.putObject('etcd-snapshots/20200101T010000Z_v1.33.1_i-0old_scheduled.db', 'old');
    const run = model.tool('snapshot scheduled', 'i-0first', {}, { SNAPSHOT_RETENTION: '2' });
    expect(run.status).toBe(0);
    const keys = model.objects('etcd-snapshots/');
    expect(keys).toEqual(['etcd-snapshots/20200101T010000Z_v1.33.1_i-0old_scheduled.db', expect.stringMatching(/_i-0first_scheduled\.db$/)]);
    expect(run.calls).toContain('aws s3 rm --only-show-errors --region eu-west-1 s3://state-bucket/etcd-snapshots/20200101T000000Z_v1.33.1_i-0old_scheduled.db');
  });
});
