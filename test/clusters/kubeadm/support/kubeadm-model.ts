import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { KubeadmCluster, KubeadmClusterProps } from '../../../../lib/clusters/kubeadm';
import { helmControllerManifest } from '../../../../lib/clusters/kubeadm/helm-controller';
import { networkPolicyEngineManifest } from '../../../../lib/clusters/kubeadm/network-policy-engine';
import { PlatformNetwork } from '../../../../lib/network';
import { StubRun, runWithStubs } from '../../self-managed/support/stub-run';
import { userDataOf } from '../../self-managed/support/user-data';

/** The day-2 tool as shipped (the S3 asset). */
export const DAY2_TOOL = path.join(__dirname, '../../../../lib/clusters/kubeadm/scripts/kubeadm-day2.sh');
/** The bootstrap token value CloudFormation generated (22 characters) and its kubeadm form. */
export const FIRST_TOKEN_RAW = 'abcdef0123456789abcdef';
export const FIRST_TOKEN = 'abcdef.0123456789abcdef';

/** User data of a kubeadm cluster's control plane and workers. */
export function kubeadmUserData(props: Partial<KubeadmClusterProps> = {}): { controlPlane: string; worker: string; template: Template } {
  const stack = new Stack(new App(), 'kubeadm');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme', ...props });
  const template = Template.fromStack(stack);
  return { controlPlane: userDataOf(template, 'Server'), worker: userDataOf(template, 'Agent'), template };
}

/**
 * Stateful stubs for a live kubeadm cluster, kept in files under one directory that outlives each node:
 * - `s3/<key>`: the state bucket (PKI backup, etcd snapshots); asset URLs (`*.sh`, `*.json`) resolve to the real files;
 * - `secret`: the bootstrap-token secret; `ca-hash`: the SSM parameter; `signals`: CloudFormation signals;
 * - `api/nodes/<name>` (content: role) and `api/tokens/<id>` (`secret|description`): what etcd holds. A snapshot is
 *   a tarball of `api/`; a node loss wipes `api/` (etcd died with the node); `kubeadm init` on a restored data dir
 *   brings the snapshot back; `api/helm-controller`: the Helm controller was applied, so its CRDs are established
 *   (unless the model file `helm-controller-down` says its pod never starts);
 * - `/etc/kubernetes/pki` under the node's root: `kubeadm init` makes a new CA only when none is there.
 */
export class KubeadmModel {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeadm-model-'));
  private readonly policy = path.join(this.dir, 'network-policy.json');
  private readonly helmController = path.join(this.dir, 'helm-controller.json');

  constructor() {
    for (const d of ['s3', 'api/nodes', 'api/tokens']) fs.mkdirSync(path.join(this.dir, d), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'secret'), FIRST_TOKEN_RAW);
    fs.writeFileSync(this.policy, networkPolicyEngineManifest());
    fs.writeFileSync(this.helmController, helmControllerManifest());
  }

  /**
   * A model of the same cluster at this moment (its bucket, secret, CA hash, signals and API, copied), to go on
   * with on its own: tests that start from the same cluster boot it once and each takes a copy.
   */
  public copy(): KubeadmModel {
    const other = new KubeadmModel();
    fs.rmSync(other.dir, { recursive: true, force: true });
    fs.cpSync(this.dir, other.dir, { recursive: true });
    return other;
  }

  /** Boots a node from its user data. */
  public boot(script: string, instanceId: string, env: Record<string, string> = {}): StubRun {
    return runWithStubs(script, { env: this.env(instanceId, env), stubs: MODEL_STUBS });
  }

  /**
   * Runs the installed day-2 tool of a control plane (as its systemd timer or the lifecycle hook would), on a
   * node that finished its bootstrap (`/var/lib/cdk-k8s-platform/ready`).
   */
  public tool(args: string, instanceId: string, env: Record<string, string> = {}, values: Record<string, string> = {}): StubRun {
    const settings: Record<string, string> = {
      CLUSTER_NAME: 'acme',
      REGION: 'eu-west-1',
      KUBERNETES_VERSION: '1.33.1',
      STATE_BUCKET: 'state-bucket',
      BOOTSTRAP_TOKEN_SECRET_ARN: 'arn:BootstrapToken',
      SNAPSHOT_CALENDAR: 'hourly',
      SNAPSHOT_RETENTION: '48',
      INSTANCE_ID: instanceId,
      NODE_IP: '10.0.1.10',
      STACK_NAME: 'teststack',
      ...values,
    };
    return runWithStubs(`#!/bin/bash\nexec bash "$CDK_K8S_ROOT/usr/local/sbin/cdk-k8s-platform-kubeadm" ${args}\n`, {
      env: this.env(instanceId, env),
      stubs: MODEL_STUBS,
      setup: root => {
        fs.mkdirSync(path.join(root, 'usr/local/sbin'), { recursive: true });
        fs.mkdirSync(path.join(root, 'etc/cdk-k8s-platform'), { recursive: true });
        fs.mkdirSync(path.join(root, 'var/lib/cdk-k8s-platform'), { recursive: true });
        fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), '2026-01-01T00:00:00Z\n');
        fs.copyFileSync(DAY2_TOOL, path.join(root, 'usr/local/sbin/cdk-k8s-platform-kubeadm'));
        fs.writeFileSync(path.join(root, 'etc/cdk-k8s-platform/kubeadm.env'),
          Object.entries(settings).map(([k, v]) => `${k}='${v}'\n`).join(''));
      },
    });
  }

  /** The control plane and its etcd are gone (the instance terminated). */
  public loseControlPlane(): void {
    fs.rmSync(path.join(this.dir, 'api'), { recursive: true, force: true });
    for (const d of ['api/nodes', 'api/tokens']) fs.mkdirSync(path.join(this.dir, d), { recursive: true });
  }

  /** Keys of the state bucket, sorted. */
  public objects(prefix = ''): string[] {
    const root = path.join(this.dir, 's3');
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
      .flatMap(e => e.isDirectory() ? walk(path.join(d, e.name)) : [path.relative(root, path.join(d, e.name))]);
    return walk(root).filter(k => k.startsWith(prefix)).sort();
  }

  /** Puts an object into the state bucket. */
  public putObject(key: string, content: Buffer | string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, 's3', key)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 's3', key), content);
  }

  /** Reads an object of the state bucket. */
  public object(key: string): Buffer {
    return fs.readFileSync(path.join(this.dir, 's3', key));
  }

  /** Node name → role, as the API lists them. */
  public nodes(): Record<string, string> {
    const d = path.join(this.dir, 'api/nodes');
    return Object.fromEntries(fs.readdirSync(d).sort().map(n => [n, fs.readFileSync(path.join(d, n), 'utf8').trim()]));
  }

  /** Bootstrap token id → `secret|description`, as the API holds them. */
  public tokens(): Record<string, string> {
    const d = path.join(this.dir, 'api/tokens');
    return Object.fromEntries(fs.readdirSync(d).sort().map(n => [n, fs.readFileSync(path.join(d, n), 'utf8').trim()]));
  }

  /** Adds a Node or a token to the live API. */
  public addToApi(kind: 'nodes' | 'tokens', name: string, content: string): void {
    fs.writeFileSync(path.join(this.dir, 'api', kind, name), content);
  }

  /** Writes a model file (`secret`, `ca-hash`, `put-secret-fails`, `etcd-down`). */
  public write(name: string, content: string): void {
    fs.writeFileSync(path.join(this.dir, name), content);
  }

  /** A model file (`secret`, `ca-hash`, `signals`, `drains`), '' when absent. */
  public read(name: string): string {
    const f = path.join(this.dir, name);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
  }

  private env(instanceId: string, env: Record<string, string>): Record<string, string> {
    return { MODEL: this.dir, INSTANCE_ID: instanceId, TOOL_SRC: DAY2_TOOL, POLICY_SRC: this.policy, HELM_SRC: this.helmController, ...env };
  }
}

/** `arg FLAG "$@"`: the argument after FLAG (bash). */
export const ARG = 'arg() { local f="$1" prev=""; shift; for a in "$@"; do [ "$prev" = "$f" ] && { echo "$a"; return; }; prev="$a"; done; }';

/** curl on a node: IMDSv2 (token, instance id, IP) and downloads into the node's root. */
export const CURL_STUB = `for a in "$@"; do
  case "$a" in
    */api/token) echo imds-session; exit 0 ;;
    */meta-data/instance-id) echo "$INSTANCE_ID"; exit 0 ;;
    */meta-data/local-ipv4) echo 10.0.1.10; exit 0 ;;
  esac
done
for a in "$@"; do case "$a" in "$CDK_K8S_ROOT"/*) echo stub > "$a" ;; esac; done`;

const MODEL_STUBS: Record<string, string> = {
  curl: CURL_STUB,
  aws: `m="$MODEL"
value() { local prev=""; for a in "$@"; do [ "$prev" = "$FLAG" ] && { echo "$a"; return; }; prev="$a"; done; }
case "$1 $2" in
  "secretsmanager get-secret-value")
    case "$*" in
      *BootstrapToken*)
        if [ -n "\${STALE_FIRST:-}" ] && [ ! -f "$m/stale-served" ]; then touch "$m/stale-served"; echo "$STALE_FIRST"; exit 0; fi
        cat "$m/secret"; echo ;;
      *) echo other-secret ;;
    esac ;;
  "secretsmanager put-secret-value")
    [ -f "$m/put-secret-fails" ] && { echo "AccessDenied" >&2; exit 254; }
    f=$(FLAG=--secret-string value "$@"); f="\${f#file://}"
    case "$*" in *BootstrapToken*) cp "$f" "$m/secret" ;; *) cp "$f" "$m/kubeconfig" ;; esac ;;
  "ssm put-parameter") FLAG=--value value "$@" > "$m/ca-hash" ;;
  "ssm get-parameter") if [ -s "$m/ca-hash" ]; then cat "$m/ca-hash"; else echo pending; fi ;;
  "s3api list-objects-v2")
    p=$(FLAG=--prefix value "$@")
    k=$(cd "$m/s3" && find . -type f | sed 's#^[.]/##' | grep "^$p" | sort | tr '\\n' '\\t' | sed 's/\\t$//')
    echo "\${k:-None}" ;;
  "s3 cp")
    src="\${*: -2:1}"; dst="\${*: -1}"
    if [[ "$src" == s3://* ]]; then
      k="\${src#s3://*/}"
      if [ -f "$m/s3/$k" ]; then cp "$m/s3/$k" "$dst"
      elif [[ "$k" == *.sh ]]; then cp "$TOOL_SRC" "$dst"
      elif [[ "$k" == *.json && "$dst" == *helm-controller.json ]]; then cp "$HELM_SRC" "$dst"
      elif [[ "$k" == *.json ]]; then cp "$POLICY_SRC" "$dst"
      else echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key \\"$k\\" does not exist" >&2; exit 1; fi
    else
      k="\${dst#s3://*/}"; mkdir -p "$(dirname "$m/s3/$k")"; cp "$src" "$m/s3/$k"
    fi ;;
  "s3 rm") k="\${*: -1}"; rm "$m/s3/\${k#s3://*/}" ;;
  "cloudformation signal-resource") FLAG=--status value "$@" >> "$m/signals" ;;
esac`,
  kubeadm: `${ARG}
api="$MODEL/api"; r="$CDK_K8S_ROOT"
case "$1" in
  init)
    cfg=$(arg --config "$@")
    if [ -d "$r/var/lib/etcd" ] && [[ "$*" != *--ignore-preflight-errors=DirAvailable--var-lib-etcd* ]]; then
      echo "[preflight] /var/lib/etcd is not empty" >&2; exit 1
    fi
    mkdir -p "$r/etc/kubernetes/pki/etcd"
    if [ ! -f "$r/etc/kubernetes/pki/ca.crt" ]; then
      for f in ca.crt ca.key sa.key sa.pub front-proxy-ca.crt front-proxy-ca.key etcd/ca.crt etcd/ca.key; do
        echo "$f of the cluster created on $INSTANCE_ID" > "$r/etc/kubernetes/pki/$f"
      done
    fi
    for f in apiserver.crt apiserver.key etcd/healthcheck-client.crt etcd/healthcheck-client.key; do echo leaf > "$r/etc/kubernetes/pki/$f"; done
    printf 'server: https://api:6443\\n' > "$r/etc/kubernetes/admin.conf"
    if [ -f "$r/var/lib/etcd/member/snap/db" ]; then
      rm -rf "$api"; mkdir -p "$api"; tar -xzf "$r/var/lib/etcd/member/snap/db" -C "$api"
    else
      rm -rf "$api"; mkdir -p "$api/nodes" "$api/tokens" "$r/var/lib/etcd/member"
    fi
    name=$(sed -n 's/^  name: "\\(.*\\)"$/\\1/p' "$cfg")
    echo control-plane > "$api/nodes/$name"
    token=$(sed -n 's/^  - token: "\\(.*\\)"$/\\1/p' "$cfg")
    desc=$(sed -n 's/^    description: "\\(.*\\)"$/\\1/p' "$cfg")
    echo "\${token#*.}|$desc" > "$api/tokens/\${token%%.*}"
    echo "Your Kubernetes control-plane has initialized successfully!"
    echo "kubeadm join api:6443 --token $token --discovery-token-ca-cert-hash sha256:0123" ;;
  token)
    case "$2" in
      generate) n=$(( $(cat "$MODEL/generated" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$MODEL/generated"; printf 'rot%03d.%016d\\n' "$n" "$n" ;;
      create)
        cfg=$(arg --config "$@")
        t=$(sed -n 's/^  - token: "\\(.*\\)"$/\\1/p' "$cfg"); desc=$(sed -n 's/^    description: "\\(.*\\)"$/\\1/p' "$cfg")
        echo "\${t#*.}|$desc" > "$api/tokens/\${t%%.*}" ;;
      delete) [ -f "$api/tokens/$3" ] || exit 1; rm "$api/tokens/$3" ;;
    esac ;;
  config) printf 'registry.k8s.io/kube-apiserver:v1.33.1\\nregistry.k8s.io/etcd:3.5.21-0\\nregistry.k8s.io/pause:3.10\\n' ;;
  join)
    cfg=$(arg --config "$@")
    token=$(sed -n 's/^    token: "\\(.*\\)"$/\\1/p' "$cfg")
    if [ "$(cut -d'|' -f1 "$api/tokens/\${token%%.*}" 2>/dev/null)" != "\${token#*.}" ]; then
      echo "error execution phase preflight: couldn't validate the identity of the API Server: token id \\"\${token%%.*}\\" is invalid" >&2; exit 1
    fi
    name=$(sed -n 's/^  name: "\\(.*\\)"$/\\1/p' "$cfg")
    echo worker > "$api/nodes/$name"
    echo "This node has joined the cluster" ;;
esac`,
  kubectl: `${ARG}
api="$MODEL/api"
case "$*" in
  *" apply "*"-f "*helm-controller.json)
    if grep -q '"kind": "Deployment"' "\${*: -1}" && grep -q '"name": "helm-controller"' "\${*: -1}"; then : > "$api/helm-controller"; fi ;;
  *" wait --for condition=established "*crd/helmcharts.helm.cattle.io*)
    if [ ! -f "$api/helm-controller" ] || [ -f "$MODEL/helm-controller-down" ]; then
      echo 'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "helmcharts.helm.cattle.io" not found' >&2; exit 1
    fi ;;
  *"get --raw /readyz"*) echo ok ;;
  *"get nodes -l node-role.kubernetes.io/control-plane"*)
    for f in "$api"/nodes/*; do if [ -f "$f" ] && [ "$(cat "$f")" = control-plane ]; then basename "$f"; fi; done ;;
  *"get secrets --field-selector type=bootstrap.kubernetes.io/token"*)
    for f in "$api"/tokens/*; do
      [ -f "$f" ] || continue
      printf 'bootstrap-token-%s %s\\n' "$(basename "$f")" "$(cut -d'|' -f2 "$f" | tr -d '\\n' | base64 -w0)"
    done ;;
  *" delete node "*) n=$(arg node "$@"); rm -f "$api/nodes/$n" ;;
  *" get node "*) [ -f "$api/nodes/$(arg node "$@")" ] ;;
  *" cordon "*|*" drain "*) echo "$*" >> "$MODEL/drains" ;;
esac`,
  ctr: `case "$*" in *"images pull"*) exit 0 ;; esac
[ -f "$MODEL/etcd-down" ] && { echo "etcdctl: context deadline exceeded" >&2; exit 1; }
work=""
for a in "$@"; do case "$a" in type=bind,src=*,dst=/work,*) work="\${a#type=bind,src=}"; work="\${work%%,dst=*}" ;; esac; done
case "$*" in
  *"etcdctl "*"snapshot save /work/snapshot.db"*) tar -czf "$work/snapshot.db" -C "$MODEL/api" . ;;
  *"etcdutl snapshot restore /work/snapshot.db --data-dir /work/data"*) mkdir -p "$work/data/member/snap"; cp "$work/snapshot.db" "$work/data/member/snap/db" ;;
  *) echo "unexpected ctr call" >&2; exit 1 ;;
esac`,
  openssl: `case "$1" in
  x509) cat "$4" ;;
  pkey) cat ;;
  dgst) echo "(stdin)= $(/usr/bin/sha256sum | cut -c1-16)" ;;
esac`,
  sha256sum: 'if [ "${1:-}" = -c ]; then cat >/dev/null; else exec /usr/bin/sha256sum "$@"; fi',
  tar: `case "$*" in
  *helm.tgz*) mkdir -p "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/linux-arm64"; echo helm > "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/linux-arm64/helm" ;;
  *) exec /usr/bin/tar "$@" ;;
esac`,
};
