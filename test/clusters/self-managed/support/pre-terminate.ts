import * as fs from 'fs';
import * as path from 'path';
import { runWithStubs } from './stub-run';

/*
 * The real pre-terminate commands of the servers, installed into a test root: what the termination hook's
 * drain runs on a server (drain-node.sh execs /usr/local/sbin/cdk-k8s-platform-pre-terminate).
 */

const PRE_TERMINATE = 'usr/local/sbin/cdk-k8s-platform-pre-terminate';
const KUBEADM_DAY2 = path.join(__dirname, '../../../../lib/clusters/kubeadm/scripts/kubeadm-day2.sh');
const booted = new Map<string, string>();

/**
 * The command the k3s server bootstrap (`userData`, rendered) installs, for instance `instance`: the user
 * data boots once under the default stubs (as i-0boot) and the command's INSTANCE_ID is set to `instance`.
 */
export function k3sPreTerminate(userData: string, instance: string): string {
  let text = booted.get(userData);
  if (text === undefined) {
    const boot = runWithStubs(userData, { env: { INSTANCE_ID: 'i-0boot' } });
    if (boot.status !== 0 || !boot.exists(PRE_TERMINATE)) throw new Error(`the server bootstrap did not install ${PRE_TERMINATE}:\n${boot.output}`);
    text = boot.file(PRE_TERMINATE);
    booted.set(userData, text);
  }
  // `declare -x` under the stubs (they export INSTANCE_ID), `declare --` on a node
  const declared = /^declare -[-x] INSTANCE_ID="i-0boot"$/m;
  if (!declared.test(text)) throw new Error('the installed command no longer declares INSTANCE_ID');
  return text.replace(declared, `declare -- INSTANCE_ID="${instance}"`);
}

/** Where a server stands when it terminates: its bootstrap finished (`ready`) or failed after k3s started. */
export interface InstallOptions {
  /** The bootstrap reached mark_ready. */
  readonly ready: boolean;
}

/** Writes the k3s pre-terminate command `text` (from k3sPreTerminate) into `root`. */
export function installK3sPreTerminate(root: string, text: string, options: InstallOptions): void {
  fs.mkdirSync(path.join(root, 'usr/local/sbin'), { recursive: true });
  fs.writeFileSync(path.join(root, PRE_TERMINATE), text, { mode: 0o700 });
  markReady(root, options.ready);
}

/**
 * Installs the kubeadm control plane's day-2 tool (lib/clusters/kubeadm/scripts/kubeadm-day2.sh, as is), its
 * settings and the pre-terminate command as kubeadm-control-plane.sh writes them; the command's absolute
 * path /usr/local/sbin/cdk-k8s-platform-kubeadm is the same path under the test root.
 */
export function installKubeadmPreTerminate(root: string, instance: string, options: InstallOptions): void {
  fs.mkdirSync(path.join(root, 'usr/local/sbin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/cdk-k8s-platform'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/kubernetes/pki/etcd'), { recursive: true });
  fs.copyFileSync(KUBEADM_DAY2, path.join(root, 'usr/local/sbin/cdk-k8s-platform-kubeadm'));
  fs.chmodSync(path.join(root, 'usr/local/sbin/cdk-k8s-platform-kubeadm'), 0o700);
  const env = {
    CLUSTER_NAME: 'acme',
    REGION: 'eu-west-1',
    KUBERNETES_VERSION: '1.33.1',
    STATE_BUCKET: 'state-bucket',
    BOOTSTRAP_TOKEN_SECRET_ARN: 'arn:token',
    SNAPSHOT_CALENDAR: 'hourly',
    SNAPSHOT_RETENTION: '48',
    INSTANCE_ID: instance,
    NODE_IP: '10.0.0.10',
  };
  fs.writeFileSync(path.join(root, 'etc/cdk-k8s-platform/kubeadm.env'), Object.entries(env).map(([k, v]) => `${k}='${v}'\n`).join(''));
  fs.writeFileSync(path.join(root, PRE_TERMINATE), '#!/bin/sh\nexec "$CDK_K8S_ROOT/usr/local/sbin/cdk-k8s-platform-kubeadm" pre-terminate "$@"\n', { mode: 0o700 });
  markReady(root, options.ready);
}

/** Stubs of the kubeadm tool's etcd snapshot: the etcd image of the release, `ctr run ... etcdctl snapshot save`. */
export const KUBEADM_SNAPSHOT_STUBS: Record<string, string> = {
  kubeadm: 'case "$*" in "config images list"*) echo registry.k8s.io/etcd:3.5.21-0 ;; esac',
  ctr: `case "$*" in *"images pull"*) exit 0 ;; esac
work=""
for a in "$@"; do case "$a" in type=bind,src=*,dst=/work,*) work="\${a#type=bind,src=}"; work="\${work%%,dst=*}" ;; esac; done
case "$*" in *"etcdctl "*"snapshot save /work/snapshot.db"*) echo etcd > "$work/snapshot.db" ;; *) exit 1 ;; esac`,
  aws: 'case "$1 $2" in "s3api list-objects-v2") echo None ;; esac',
};

function markReady(root: string, ready: boolean): void {
  fs.mkdirSync(path.join(root, 'var/lib/cdk-k8s-platform'), { recursive: true });
  if (ready) fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), '2026-12-01T00:00:00Z\n');
}
