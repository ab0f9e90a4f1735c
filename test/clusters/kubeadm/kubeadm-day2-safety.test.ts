import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARG, CURL_STUB, DAY2_TOOL, kubeadmUserData } from './support/kubeadm-model';
import { KubeadmVersion } from '../../../lib/clusters/kubeadm';
import { StubRun, callIndex, runWithStubs } from '../self-managed/support/stub-run';

/**
 * The safety rules of the kubeadm day-2 tool and control-plane bootstrap, each run once under small stubs whose
 * behaviour a test sets (a listing that fails, a bucket's objects, the groups and Nodes an API lists):
 * - `$M/s3/<key>`: the state bucket; `LIST_FAILS` (a shell pattern of prefixes) makes `list-objects-v2` fail;
 * - `$M/signals`: CloudFormation signals; `$M/snapshot-taken`: `ready`/`not-ready` per `etcdctl snapshot save`;
 * - `GROUP_INSTANCES` (`id state` lines) and `NODES` (`name Ready-status` lines): what AWS and the API list;
 * - `PUBLISH_FAILS`, `GROUPS_FAIL`, `NODES_FAIL`: that call fails;
 * - `$M/token-config` and `$M/token-config-mode`: the file `kubeadm token create --config` was given.
 */
const STUBS: Record<string, string> = {
  curl: CURL_STUB,
  aws: `${ARG}
case "$1 $2" in
  "secretsmanager get-secret-value") echo abcdef0123456789abcdef ;;
  "secretsmanager put-secret-value") [ -z "\${PUBLISH_FAILS:-}" ] || exit 1 ;;
  "s3api list-objects-v2")
    p=$(arg --prefix "$@")
    case "$p" in \${LIST_FAILS:-none}) echo "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied" >&2; exit 254 ;; esac
    k=$(cd "$M/s3" && find . -type f | sed 's#^[.]/##' | grep "^$p" | sort | tr '\\n' '\\t' | sed 's/\\t$//')
    echo "\${k:-None}" ;;
  "s3 cp")
    src="\${*: -2:1}"; dst="\${*: -1}"
    if [[ "$src" == s3://* ]]; then
      k="\${src#s3://*/}"
      if [ -f "$M/s3/$k" ]; then cp "$M/s3/$k" "$dst"
      elif [[ "$k" == *.sh ]]; then cp "$TOOL_SRC" "$dst"
      elif [[ "$k" == *.json ]]; then echo '{}' > "$dst"
      else echo "fatal error: (404) Key \\"$k\\" does not exist" >&2; exit 1; fi
    else
      k="\${dst#s3://*/}"; mkdir -p "$(dirname "$M/s3/$k")"; cp "$src" "$M/s3/$k"
    fi ;;
  "s3 rm") k="\${*: -1}"; rm "$M/s3/\${k#s3://*/}" ;;
  "cloudformation signal-resource") arg --status "$@" >> "$M/signals" ;;
  "autoscaling describe-auto-scaling-groups") [ -z "\${GROUPS_FAIL:-}" ] || exit 1; printf '%b\\n' "\${GROUP_INSTANCES:-}" ;;
esac`,
  kubeadm: `${ARG}
r="$CDK_K8S_ROOT"
case "$1" in
  init)
    mkdir -p "$r/etc/kubernetes/pki/etcd" "$r/var/lib/etcd"
    if [ ! -f "$r/etc/kubernetes/pki/ca.crt" ]; then
      for f in ca.crt ca.key sa.key sa.pub front-proxy-ca.crt front-proxy-ca.key etcd/ca.crt etcd/ca.key; do echo "$f of a NEW cluster" > "$r/etc/kubernetes/pki/$f"; done
    fi
    printf 'server: https://api:6443\\n' > "$r/etc/kubernetes/admin.conf" ;;
  token)
    case "$2" in
      generate) echo rot001.s3cr3tv4lu30001 ;;
      create) cfg=$(arg --config "$@"); cp "$cfg" "$M/token-config"; stat -c %a "$cfg" > "$M/token-config-mode" ;;
    esac ;;
  config) echo registry.k8s.io/etcd:3.5.21-0 ;;
esac`,
  kubectl: `case "$*" in
  *"get --raw /readyz"*) echo ok ;;
  *"get nodes -o jsonpath"*) [ -z "\${NODES_FAIL:-}" ] || exit 1; printf '%b\\n' "\${NODES:-}" ;;
  *"get secrets"*) : ;;
esac`,
  ctr: `case "$*" in *"images pull"*) exit 0 ;; esac
work=""
for a in "$@"; do case "$a" in type=bind,src=*,dst=/work,*) work="\${a#type=bind,src=}"; work="\${work%%,dst=*}" ;; esac; done
case "$*" in
  *"snapshot save /work/snapshot.db"*)
    if [ -f "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/ready" ]; then echo ready >> "$M/snapshot-taken"; else echo not-ready >> "$M/snapshot-taken"; fi
    echo etcd-data > "$work/snapshot.db" ;;
  *"snapshot restore /work/snapshot.db --data-dir /work/data"*) mkdir -p "$work/data/member/snap"; cp "$work/snapshot.db" "$work/data/member/snap/db" ;;
  *) exit 1 ;;
esac`,
  sha256sum: 'if [ "${1:-}" = -c ]; then cat >/dev/null; else exec /usr/bin/sha256sum "$@"; fi',
  tar: `case "$*" in
  *helm.tgz*) for a in amd64 arm64; do mkdir -p "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/linux-$a"; echo helm > "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/linux-$a/helm"; done ;;
  *) exec /usr/bin/tar "$@" ;;
esac`,
};

const PKI = 'pki/kubernetes-pki.tar.gz';
const PKI_FILES = ['ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'etcd/ca.crt', 'etcd/ca.key'];
const snap = (version: string, hour = '00') => `etcd-snapshots/20260101T${hour}0000Z_v${version}_i-0old_scheduled.db`;

/** A state bucket and the files the stubs write, in a fresh directory. */
class Bucket {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeadm-safety-'));
  constructor(objects: string[] = []) {
    fs.mkdirSync(path.join(this.dir, 's3'));
    for (const key of objects) this.put(key, key === PKI ? pkiTarball() : `snapshot ${key}`);
  }
  public put(key: string, content: Buffer | string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, 's3', key)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 's3', key), content);
  }
  public object(key: string): Buffer {
    return fs.readFileSync(path.join(this.dir, 's3', key));
  }
  public keys(prefix = ''): string[] {
    const root = path.join(this.dir, 's3');
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
      .flatMap(e => e.isDirectory() ? walk(path.join(d, e.name)) : [path.relative(root, path.join(d, e.name))]);
    return walk(root).filter(k => k.startsWith(prefix)).sort();
  }
  public read(name: string): string {
    const f = path.join(this.dir, name);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
  }
}

/** The PKI backup of an existing cluster (its CA files say "of the old cluster"). */
function pkiTarball(): Buffer {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeadm-pki-'));
  for (const f of PKI_FILES) {
    fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    fs.writeFileSync(path.join(d, f), `${f} of the old cluster\n`);
  }
  return spawnSync('tar', ['-czf', '-', '-C', d, ...PKI_FILES]).stdout;
}

let controlPlane: string;
let template: ReturnType<typeof kubeadmUserData>['template'];
beforeAll(() => {
  ({ controlPlane, template } = kubeadmUserData({ version: KubeadmVersion.V1_33_1 }));
});

/** Boots the control plane (1.33.1) as i-0new against the bucket; `marker` creates the operator's allow-empty-etcd file. */
function boot(bucket: Bucket, env: Record<string, string> = {}, marker = false): StubRun {
  return runWithStubs(controlPlane, {
    stubs: STUBS,
    env: { M: bucket.dir, TOOL_SRC: DAY2_TOOL, INSTANCE_ID: 'i-0new', RETRIES: '2', ...env },
    setup: root => {
      if (!marker) return;
      fs.mkdirSync(path.join(root, 'etc/cdk-k8s-platform'), { recursive: true });
      fs.writeFileSync(path.join(root, 'etc/cdk-k8s-platform/allow-empty-etcd'), '');
    },
  });
}

/** Runs the installed day-2 tool of control plane i-0cp (1.33.1); `ready`: the node finished its bootstrap. */
function tool(args: string, bucket: Bucket, env: Record<string, string> = {}, ready = true): StubRun {
  const settings = {
    CLUSTER_NAME: 'acme',
    REGION: 'eu-west-1',
    KUBERNETES_VERSION: '1.33.1',
    STATE_BUCKET: 'state-bucket',
    BOOTSTRAP_TOKEN_SECRET_ARN: 'arn:BootstrapToken',
    SNAPSHOT_CALENDAR: 'hourly',
    SNAPSHOT_RETENTION: '48',
    INSTANCE_ID: 'i-0cp',
    NODE_IP: '10.0.1.10',
    STACK_NAME: 'teststack',
  };
  return runWithStubs(`#!/bin/bash\nexec bash "$CDK_K8S_ROOT/usr/local/sbin/cdk-k8s-platform-kubeadm" ${args}\n`, {
    stubs: STUBS,
    env: { M: bucket.dir, TOOL_SRC: DAY2_TOOL, INSTANCE_ID: 'i-0cp', RETRIES: '2', ...env },
    setup: root => {
      for (const d of ['usr/local/sbin', 'etc/cdk-k8s-platform', 'var/lib/cdk-k8s-platform']) fs.mkdirSync(path.join(root, d), { recursive: true });
      fs.copyFileSync(DAY2_TOOL, path.join(root, 'usr/local/sbin/cdk-k8s-platform-kubeadm'));
      fs.writeFileSync(path.join(root, 'etc/cdk-k8s-platform/kubeadm.env'), Object.entries(settings).map(([k, v]) => `${k}='${v}'\n`).join(''));
      if (ready) fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), '2026-01-01T00:00:00Z\n');
    },
  });
}

/** The `aws s3 cp` calls that upload to the bucket under `prefix` (the destination is the last argument). */
const uploads = (run: StubRun, prefix: string) => run.calls.filter(c => c.startsWith('aws s3 cp') && new RegExp(` s3://[^ ]+/${prefix}[^ ]*$`).test(c));

/** A boot that refused: FAILURE signalled, non-zero exit, no kubeadm init, no PKI or snapshot written. */
function expectRefusedBoot(run: StubRun, bucket: Bucket, objectsBefore: string[]): void {
  expect(run.status).not.toBe(0);
  expect(bucket.read('signals')).toBe('FAILURE\n');
  expect(callIndex(run.calls, 'kubeadm init')).toBe(-1);
  expect(uploads(run, 'pki/')).toEqual([]);
  expect(uploads(run, 'etcd-snapshots/')).toEqual([]);
  expect(callIndex(run.calls, 'aws ssm put-parameter')).toBe(-1);
  expect(bucket.keys()).toEqual(objectsBefore);
}

describe('a state bucket that cannot be listed never starts a new cluster or an empty etcd', () => {
  test('the PKI listing fails: FAILURE, no kubeadm init, no PKI backup, the CA hash untouched', () => {
    const bucket = new Bucket([PKI, snap('1.33.1')]);
    const run = boot(bucket, { LIST_FAILS: '*' });
    expectRefusedBoot(run, bucket, [snap('1.33.1'), PKI].sort());
    expect(run.output).toContain('REFUSED: cannot list s3://');
    expect(run.calls.filter(c => c.startsWith('aws s3api list-objects-v2'))).toHaveLength(2); // retried
  });

  test('the PKI is listed but the snapshots cannot be: FAILURE, nothing restored, no kubeadm init', () => {
    const bucket = new Bucket([PKI, snap('1.33.1')]);
    const run = boot(bucket, { LIST_FAILS: 'etcd-snapshots/' });
    expectRefusedBoot(run, bucket, [snap('1.33.1'), PKI].sort());
    expect(run.output).toMatch(/REFUSED: cannot list s3:\/\/\S+\/etcd-snapshots\/: no empty etcd/);
    expect(callIndex(run.calls, 'ctr -n k8s.io run')).toBe(-1);
    expect(run.exists('etc/kubernetes/pki/ca.key')).toBe(false);
  });

  test('a PKI backup without any snapshot and without the operator\'s marker: refused', () => {
    const bucket = new Bucket([PKI]);
    const run = boot(bucket);
    expectRefusedBoot(run, bucket, [PKI]);
    expect(run.output).toContain('REFUSED: a PKI backup but no etcd snapshot this node can restore');
    expect(run.output).toContain('create /etc/cdk-k8s-platform/allow-empty-etcd on this node');
  });

  test('with /etc/cdk-k8s-platform/allow-empty-etcd: the same CA, an empty etcd, SUCCESS; the PKI backup is not rewritten', () => {
    const bucket = new Bucket([PKI]);
    const pki = bucket.object(PKI);
    const run = boot(bucket, {}, true);
    expect(run.status).toBe(0);
    expect(bucket.read('signals')).toBe('SUCCESS\n');
    expect(run.output).toContain('WARNING: /etc/cdk-k8s-platform/allow-empty-etcd exists: same CA, but the cluster\'s objects start empty');
    expect(run.calls.find(c => c.startsWith('kubeadm init'))).toContain('--ignore-preflight-errors=DirAvailable--var-lib-etcd');
    expect(run.file('etc/kubernetes/pki/ca.key')).toBe('ca.key of the old cluster\n');
    expect(bucket.object(PKI).equals(pki)).toBe(true);
    expect(uploads(run, 'pki/')).toEqual([]);
  });

  test('backup-pki with a failing listing: fails, uploads nothing', () => {
    const bucket = new Bucket();
    const run = tool('backup-pki', bucket, { LIST_FAILS: 'pki/*' });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('the PKI backup is written once, never over one that may exist');
    expect(run.calls.filter(c => c.startsWith('aws s3 cp'))).toEqual([]);
    expect(bucket.keys()).toEqual([]);
  });

  test('a scheduled snapshot whose retention listing fails deletes nothing and fails', () => {
    const bucket = new Bucket([snap('1.33.1', '01'), snap('1.33.1', '02')]);
    const run = tool('snapshot scheduled', bucket, { LIST_FAILS: 'etcd-snapshots/' }, true);
    expect(run.status).not.toBe(0);
    expect(run.calls.filter(c => c.startsWith('aws s3 rm'))).toEqual([]);
    expect(bucket.keys('etcd-snapshots/')).toHaveLength(3);
  });
});

describe('only a control plane that came up writes snapshots', () => {
  test('the boot snapshot is taken after the node is marked ready, after the kubeconfig is published', () => {
    const bucket = new Bucket();
    const run = boot(bucket);
    expect(run.status).toBe(0);
    expect(bucket.read('snapshot-taken')).toBe('ready\n');
    expect(bucket.keys('etcd-snapshots/')).toEqual([expect.stringMatching(/_v1\.33\.1_i-0new_boot\.db$/)]);
    const kubeconfig = run.calls.findIndex(c => c.startsWith('aws secretsmanager put-secret-value') && c.includes('admin-local.conf'));
    expect(kubeconfig).toBeGreaterThan(-1);
    expect(callIndex(run.calls, 'ctr -n k8s.io run')).toBeGreaterThan(kubeconfig);
  });

  test('a bootstrap that fails at its last step (e.g. a failed upgrade) uploads no snapshot', () => {
    const bucket = new Bucket([PKI, snap('1.32.5')]);
    const run = boot(bucket, { PUBLISH_FAILS: '1' }); // the kubeconfig cannot be published
    expect(run.status).not.toBe(0);
    expect(bucket.read('signals')).toBe('FAILURE\n');
    expect(callIndex(run.calls, 'kubeadm init')).toBeGreaterThan(-1);
    expect(bucket.read('snapshot-taken')).toBe('');
    expect(bucket.keys('etcd-snapshots/')).toEqual([snap('1.32.5')]);
  });

  test('the scheduled snapshot unit runs only on a node that finished its bootstrap', () => {
    const run = boot(new Bucket());
    expect(run.file('etc/systemd/system/cdk-k8s-platform-etcd-snapshot.service')).toContain('ConditionPathExists=/var/lib/cdk-k8s-platform/ready\n');
  });

  test('pre-terminate on a node that never finished booting: no snapshot (logged), still drains', () => {
    const bucket = new Bucket([snap('1.33.1')]);
    const run = tool('pre-terminate', bucket, {}, false);
    expect(run.status).toBe(0);
    expect(run.output).toContain('no pre-terminate snapshot: this node never finished its bootstrap');
    expect(callIndex(run.calls, 'ctr')).toBe(-1);
    expect(bucket.keys('etcd-snapshots/')).toEqual([snap('1.33.1')]);
    expect(run.calls).toContainEqual(expect.stringMatching(/^kubectl .* drain i-0cp --ignore-daemonsets/));
  });

  test('pre-terminate on a ready node: snapshot, then drain', () => {
    const bucket = new Bucket();
    const run = tool('pre-terminate', bucket);
    expect(run.status).toBe(0);
    expect(bucket.keys('etcd-snapshots/')).toEqual([expect.stringMatching(/_v1\.33\.1_i-0cp_pre-terminate\.db$/)]);
    const upload = uploads(run, 'etcd-snapshots/').map(c => run.calls.indexOf(c))[0];
    expect(upload).toBeLessThan(run.calls.findIndex(c => / drain i-0cp /.test(c)));
  });
});

describe('restore picks the newest snapshot this node can start from', () => {
  test('a newer minor (a failed upgrade\'s) is skipped with a log line; the newest of this minor is restored', () => {
    const bucket = new Bucket([PKI, snap('1.33.1', '01'), snap('1.33.1', '02'), snap('1.34.0', '03')]);
    const run = tool('restore', bucket, {}, false);
    expect(run.status).toBe(0);
    expect(run.output).toContain(`skipping ${snap('1.34.0', '03')}: Kubernetes 1.34.0 is newer than this node's 1.33.1`);
    expect(run.output).toContain(`restored etcd from ${snap('1.33.1', '02')} (Kubernetes 1.33.1)`);
    expect(run.calls).toContain(`aws s3 cp --only-show-errors --region eu-west-1 s3://state-bucket/${snap('1.33.1', '02')} ${run.root}/var/lib/cdk-k8s-platform/etcd/snapshot.db`);
    expect(run.file('var/lib/etcd/member/snap/db')).toBe(`snapshot ${snap('1.33.1', '02')}`);
  });

  test('one minor older behind a newer one: restored as an upgrade', () => {
    const bucket = new Bucket([PKI, snap('1.32.5', '01'), snap('1.34.0', '02')]);
    const run = tool('restore', bucket, {}, false);
    expect(run.status).toBe(0);
    expect(run.output).toContain('upgrade 1.32.5 -> 1.33.1');
    expect(run.output).toContain(`restored etcd from ${snap('1.32.5', '01')}`);
  });

  test('more than one minor older behind a newer one: refused, nothing restored', () => {
    const bucket = new Bucket([PKI, snap('1.31.9', '01'), snap('1.34.0', '02')]);
    const run = tool('restore', bucket, {}, false);
    expect(run.status).toBe(1);
    expect(run.output).toContain('REFUSED: the newest snapshot is from Kubernetes 1.31.9 and this node runs 1.33.1');
    expect(run.exists('var/lib/etcd')).toBe(false);
    expect(run.exists('etc/kubernetes/pki/ca.key')).toBe(false);
  });

  test('only newer snapshots: refused (cannot downgrade), nothing restored', () => {
    const bucket = new Bucket([PKI, snap('1.34.0')]);
    const run = tool('restore', bucket, {}, false);
    expect(run.status).toBe(1);
    expect(run.output).toContain('REFUSED: the newest snapshot is from Kubernetes 1.34.0 and this node runs 1.33.1: kubeadm cannot downgrade');
    expect(run.output).toContain('REFUSED: a PKI backup but no etcd snapshot this node can restore');
    expect(run.exists('var/lib/etcd')).toBe(false);
  });
});

describe('remove-lost-nodes: the Nodes of instances that left the cluster\'s groups', () => {
  const GROUPS = 'i-0cp\tInService\ni-0up\tInService\ni-0boot\tPending:Wait\ni-0standby\tStandby\ni-0going\tTerminating:Wait\ni-0gone\tTerminated';
  const NODES = 'i-0cp False\ni-0up False\ni-0boot False\ni-0standby False\ni-0going False\ni-0gone False\ni-0absent False\ni-0alive True';

  test('deletes (normally) only NotReady Nodes of instances absent, Terminating or Terminated; never this node; Ready ones left for later', () => {
    const run = tool('remove-lost-nodes', new Bucket(), { GROUP_INSTANCES: GROUPS, NODES });
    const deleted = run.calls.filter(c => c.includes(' delete node '));
    expect(deleted.map(c => /delete node (\S+)/.exec(c)![1]).sort()).toEqual(['i-0absent', 'i-0going', 'i-0gone']);
    for (const c of deleted) {
      expect(c).toContain('--wait=false');
      expect(c).not.toContain('--force');
    }
    expect(run.output).toContain('Node i-0alive (not in a group) is still Ready: left for later');
    expect(run.status).toBe(1); // the timer tries again for i-0alive
    expect(run.calls.find(c => c.startsWith('aws autoscaling describe-auto-scaling-groups')))
      .toContain('--filters Name=tag:platform.cdk-k8s.io/cluster,Values=acme Name=tag:aws:cloudformation:stack-name,Values=teststack');
  });

  test('nothing is deleted when this instance is missing from the listing, or the listing fails', () => {
    const missing = tool('remove-lost-nodes', new Bucket(), { GROUP_INSTANCES: 'i-0up\tInService', NODES });
    expect(missing.status).toBe(1);
    expect(missing.output).toContain('i-0cp is not listed in the cluster\'s groups: no Node removed');
    const failed = tool('remove-lost-nodes', new Bucket(), { GROUPS_FAIL: '1', NODES });
    expect(failed.status).toBe(1);
    expect(failed.output).toContain('cannot list the cluster\'s Auto Scaling groups: no Node removed');
    const noNodes = tool('remove-lost-nodes', new Bucket(), { GROUP_INSTANCES: GROUPS, NODES_FAIL: '1' });
    expect(noNodes.status).toBe(1);
    for (const run of [missing, failed, noNodes]) expect(run.calls.filter(c => c.includes(' delete node '))).toEqual([]);
  });

  test('a 5-minute timer runs it on the control plane, whose role may describe the groups', () => {
    const run = boot(new Bucket());
    expect(run.file('etc/systemd/system/cdk-k8s-platform-remove-lost-nodes.service')).toContain('ExecStart=/usr/local/sbin/cdk-k8s-platform-kubeadm remove-lost-nodes');
    expect(run.file('etc/systemd/system/cdk-k8s-platform-remove-lost-nodes.timer')).toContain('OnUnitActiveSec=5min');
    expect(run.calls).toContain('systemctl enable --now cdk-k8s-platform-remove-lost-nodes.timer');
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const describing = policies.filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('autoscaling:DescribeAutoScalingGroups'));
    expect(describing.map(([id]) => id)).toEqual([expect.stringMatching(/ServerRole/)]);
  });
});

describe('the rotated bootstrap token is never on a command line', () => {
  test('kubeadm token create reads it from a 0600 file, removed afterwards; no call carries it', () => {
    const bucket = new Bucket();
    const run = tool('rotate-token', bucket);
    expect(run.status).toBe(0);
    expect(run.calls).toContain(`kubeadm token create --config ${run.root}/var/lib/cdk-k8s-platform/token-create.yaml`);
    expect(run.calls.filter(c => c.includes('s3cr3tv4lu30001'))).toEqual([]);
    expect(run.output).not.toContain('s3cr3tv4lu30001');
    expect(bucket.read('token-config-mode')).toBe('600\n');
    const config = bucket.read('token-config');
    expect(config).toContain('kind: InitConfiguration');
    expect(config).toContain('  - token: "rot001.s3cr3tv4lu30001"');
    expect(config).toContain('    ttl: 24h0m0s');
    expect(config).toContain('    description: "cdk-k8s-platform bootstrap token"');
    expect(run.exists('var/lib/cdk-k8s-platform/token-create.yaml')).toBe(false);
    expect(run.calls).toContainEqual(expect.stringMatching(/^aws secretsmanager put-secret-value .*--secret-string file:\/\//));
  });
});
