import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runWithStubs, StubRun } from '../../self-managed/support/stub-run';

/** A Node of the model: its name (an instance id), role and Ready condition. */
export interface ModelNode {
  readonly name: string;
  readonly role: 'server' | 'agent';
  readonly ready: 'True' | 'False' | 'Unknown';
}

/** An instance of one of the cluster's Auto Scaling groups. */
export interface ModelInstance {
  readonly id: string;
  readonly state: string;
  readonly group: 'server' | 'agent';
}

/** An object in the snapshot bucket and, for a snapshot, the Nodes its datastore holds. */
export interface ModelSnapshot {
  readonly lastModified: string;
  readonly key: string;
  readonly nodes?: ModelNode[];
}

/** The state of a live k3s cluster and its AWS surroundings. */
export interface ModelState {
  nodes: ModelNode[];
  /** The embedded-etcd members (server names). */
  members: string[];
  instances: ModelInstance[];
  /** Instances that run (a Node of an instance that does not run turns Unknown after one more read). */
  running: string[];
  snapshots?: ModelSnapshot[];
}

/**
 * A live k3s cluster kept in files, shared by the stubs of every run against it:
 * - `k3s kubectl get nodes` lists the Nodes as `name ready` (what the scripts' jsonpath prints), only for
 *   the selector of this cluster's label; a Node whose instance does not run reads as it was once, then
 *   Unknown (the node lifecycle controller's grace period);
 * - `k3s kubectl delete node` removes the Node and, unless forced (no finalizer), its etcd member;
 * - `systemctl start k3s` joins: the instance's Node (Ready) and member appear;
 * - `k3s server --cluster-reset --cluster-reset-restore-path=X` restores snapshot X's Nodes, one member;
 * - `aws autoscaling describe-auto-scaling-groups --filters` lists the cluster's instances (tag filter checked).
 * Calls that fail a given number of times first: write the count to `fail-<name>` in the model dir.
 */
export class NodeModel {
  public readonly dir: string;

  constructor(public readonly cluster: string, state: ModelState) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k3s-model-'));
    this.set(state);
  }

  /** Replaces parts of the state. */
  public set(state: Partial<ModelState>): void {
    const write = (f: string, lines: string[]) => fs.writeFileSync(path.join(this.dir, f), lines.map(l => `${l}\n`).join(''));
    if (state.nodes) write('nodes', state.nodes.map(n => `${n.name} ${n.role} ${n.ready}`));
    if (state.members) write('members', state.members);
    if (state.instances) write('asg', state.instances.map(i => `${i.id}\t${i.state}\t${i.group}`));
    if (state.running) write('running', state.running);
    if (state.snapshots) {
      write('snapshots', state.snapshots.map(s => `${s.lastModified}\t${s.key}`));
      fs.mkdirSync(path.join(this.dir, 'content'), { recursive: true });
      for (const s of state.snapshots.filter(x => x.nodes)) {
        fs.writeFileSync(path.join(this.dir, 'content', path.basename(s.key)), s.nodes!.map(n => `${n.name} ${n.role} ${n.ready}\n`).join(''));
      }
    }
  }

  /** Makes the next `times` calls named `name` (download, list-snapshots, readyz) fail. */
  public failNext(name: string, times: number): void {
    fs.writeFileSync(path.join(this.dir, `fail-${name}`), String(times));
  }

  public nodes(): ModelNode[] {
    return this.lines('nodes').map(l => {
      const [name, role, ready] = l.split(' ');
      return { name, role: role as ModelNode['role'], ready: ready as ModelNode['ready'] };
    });
  }
  public nodeNames(): string[] { return this.nodes().map(n => n.name).sort(); }
  public members(): string[] { return this.lines('members').sort(); }
  /** The etcd snapshots taken with `k3s etcd-snapshot save` (their --name). */
  public snapshotsTaken(): string[] { return this.lines('saved'); }
  /** The bootstrap results signalled to CloudFormation. */
  public signals(): string[] { return this.lines('signals'); }

  /** Runs a script (user data or an installed command) as instance `instanceId` against the model. */
  public run(script: string, instanceId: string, env: Record<string, string> = {}): StubRun {
    return runWithStubs(script, { env: { MODEL: this.dir, MODEL_CLUSTER: this.cluster, INSTANCE_ID: instanceId, ...env }, stubs: MODEL_STUBS });
  }

  private lines(f: string): string[] {
    const p = path.join(this.dir, f);
    return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').split('\n').filter(l => l !== '') : [];
  }
}

/**
 * `failing NAME`: true (and one failure used up) while the model's fail-NAME count is above 0. Reads the count
 * with the `read` builtin: a retry loop calls it once per attempt, and a `cat` per attempt is a process each.
 */
const FAILING = `failing() {
  local f="$MODEL/fail-$1" n=""
  [ -f "$f" ] || return 1
  read -r n < "$f" || [ -n "$n" ] || return 1
  [ "$n" -gt 0 ] || return 1
  echo $((n - 1)) > "$f"
}`;

const MODEL_STUBS: Record<string, string> = {
  curl: `${FAILING}
for a in "$@"; do
  case "$a" in
    */api/token) echo imds-session; exit 0 ;;
    */meta-data/instance-id) echo "$INSTANCE_ID"; exit 0 ;;
    */ping) exit "\${PING_STATUS:-0}" ;;
    */install.sh) if failing download; then echo "curl: (22) 503" >&2; exit 22; fi ;;
  esac
done
for a in "$@"; do
  case "$a" in
    "$CDK_K8S_ROOT"/*install-k3s.sh) printf '#!/bin/sh\\necho "installer version=$INSTALL_K3S_VERSION exec=$INSTALL_K3S_EXEC" >> "$CALLS"\\n' > "$a" ;;
  esac
done`,
  aws: `${FAILING}
case "$1 $2" in
  "secretsmanager get-secret-value")
    case "$*" in
      *ServerToken*) echo "server-token-value" ;;
      *AgentToken*) echo "agent-token-value" ;;
    esac ;;
  "s3api list-objects-v2")
    if failing list-snapshots; then echo "An error occurred (SlowDown)" >&2; exit 254; fi
    if [ -s "$MODEL/snapshots" ]; then cat "$MODEL/snapshots"; else echo None; fi ;;
  "autoscaling describe-auto-scaling-instances") echo server-group ;;
  "autoscaling describe-auto-scaling-groups")
    case "$*" in
      *"--filters Name=tag:platform.cdk-k8s.io/cluster,Values=$MODEL_CLUSTER Name=tag:aws:cloudformation:stack-name,Values=teststack --query AutoScalingGroups[].Instances[].[InstanceId,LifecycleState] "*)
        awk -F '\\t' -v OFS='\\t' '{ print $1, $2 }' "$MODEL/asg" ;;
      *--filters*) ;;
      *) awk -F '\\t' '$3 == "server" && ($2 == "InService" || $2 ~ /^Pending/) { print $1 }' "$MODEL/asg" | paste -sd '\\t' ;;
    esac ;;
  "cloudformation signal-resource") for a in "$@"; do case "$a" in SUCCESS|FAILURE) echo "$a" >> "$MODEL/signals" ;; esac; done ;;
esac`,
  k3s: `${FAILING}
running() { grep -qx "$1" "$MODEL/running"; }
case "$*" in
  "kubectl get --raw=/readyz") if failing readyz; then exit 1; fi; echo ok ;;
  "server --cluster-reset --cluster-reset-restore-path="*)
    cp "$MODEL/content/\${3#--cluster-reset-restore-path=}" "$MODEL/nodes" || exit 1
    echo "$INSTANCE_ID" > "$MODEL/members" ;;
  "etcd-snapshot save --name "*) echo "$4" >> "$MODEL/saved" ;;
  "kubectl get nodes -l platform.cdk-k8s.io/cluster=$MODEL_CLUSTER -o "*)
    : > "$MODEL/nodes.next"
    while read -r name role ready; do
      echo "$name $ready"
      if ! running "$name" && [ "$ready" = True ]; then ready=Unknown; fi
      echo "$name $role $ready" >> "$MODEL/nodes.next"
    done < "$MODEL/nodes"
    mv "$MODEL/nodes.next" "$MODEL/nodes" ;;
  "kubectl get node "*) if grep -q "^$4 " "$MODEL/nodes"; then echo "node/$4"; fi ;;
  "kubectl delete node "*)
    if ! grep -q "^$4 " "$MODEL/nodes"; then case "$*" in *--ignore-not-found*) exit 0 ;; *) echo "NotFound" >&2; exit 1 ;; esac; fi
    grep -v "^$4 " "$MODEL/nodes" > "$MODEL/nodes.next" || true; mv "$MODEL/nodes.next" "$MODEL/nodes"
    case "$*" in
      *--force*|*--grace-period=0*) ;;
      *) grep -vx "$4" "$MODEL/members" > "$MODEL/members.next" || true; mv "$MODEL/members.next" "$MODEL/members" ;;
    esac ;;
esac`,
  systemctl: `case "$*" in
  "start k3s")
    grep -q "^$INSTANCE_ID " "$MODEL/nodes" || echo "$INSTANCE_ID server True" >> "$MODEL/nodes"
    grep -qx "$INSTANCE_ID" "$MODEL/members" || echo "$INSTANCE_ID" >> "$MODEL/members" ;;
esac`,
};
