import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The result of running a bootstrap script under stubbed commands. */
export interface StubRun {
  /** The script's exit status. */
  readonly status: number;
  /** stdout + stderr. */
  readonly output: string;
  /** Every stubbed command call, `name arg1 arg2 ...`, in order. */
  readonly calls: string[];
  /** The temporary root the script wrote under (CDK_K8S_ROOT). */
  readonly root: string;
  /** Reads a file the script wrote (path relative to the node's /). */
  file(p: string): string;
  /** The permission bits of a file the script wrote (e.g. 0o600). */
  mode(p: string): number;
  /** True when the script wrote the file. */
  exists(p: string): boolean;
}

// `${0##*/}` is the stub's name, as basename would print it, without a process per call.
const LOG = 'printf \'%s\\n\' "${0##*/} $*" >> "$CALLS"';

/** Default stubs: every external command a bootstrap script may call on a node. Bodies see "$@". */
const DEFAULT_STUBS: Record<string, string> = {
  curl: `for a in "$@"; do
  case "$a" in
    */api/token) echo imds-session; exit 0 ;;
    */meta-data/instance-id) echo "$INSTANCE_ID"; exit 0 ;;
    */ping) exit "\${PING_STATUS:-0}" ;;
  esac
done
for a in "$@"; do
  case "$a" in
    "$CDK_K8S_ROOT"/*install-k3s.sh) printf '#!/bin/sh\\necho "installer version=$INSTALL_K3S_VERSION exec=$INSTALL_K3S_EXEC skip_start=$INSTALL_K3S_SKIP_START selinux_rpm=\${INSTALL_K3S_SKIP_SELINUX_RPM:-}" >> "$CALLS"\\n' > "$a" ;;
    "$CDK_K8S_ROOT"/*) echo stub > "$a" ;;
  esac
done`,
  aws: `case "$1 $2" in
  "secretsmanager get-secret-value")
    case "$*" in
      *ServerToken*) echo "server-token-value" ;;
      *AgentToken*) echo "agent-token-value" ;;
      *BootstrapToken*) echo "abcdef0123456789abcdef" ;;
    esac ;;
  "s3api list-objects-v2") printf '%b\\n' "\${SNAPSHOTS:-None}" ;;
  "autoscaling describe-auto-scaling-instances") echo server-group ;;
  "autoscaling describe-auto-scaling-groups") printf '%b\\n' "$GROUP_INSTANCES" ;;
  "ssm get-parameter") echo "sha256:0123abcd" ;;
  "s3 cp") src="\${*: -2:1}"; cp "$FIXTURES/\${src##*/}" "\${*: -1}" ;;
esac`,
  k3s: `case "$*" in
  *"get nodes"*) printf '%b\\n' "\${NODES:-}" ;;
  *"api-resources"*) printf '%b\\n' "\${API_RESOURCES:-}" ;;
  *"get "*"--all-namespaces"*) r="$3"; v="LIVE_\${r//[.-]/_}"; printf '%b' "\${!v:-}" ;;
esac`,
  kubectl: `case "$*" in
  *"api-resources"*) printf '%b\\n' "\${API_RESOURCES:-}" ;;
  *"get "*"--all-namespaces"*) r="$4"; v="LIVE_\${r//[.-]/_}"; printf '%b' "\${!v:-}" ;;
esac`,
  openssl: 'cat >/dev/null 2>&1 || true; echo "(stdin)= 0123abcd"',
  tar: 'mkdir -p "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/linux-arm64"; echo helm > "$CDK_K8S_ROOT/var/lib/cdk-k8s-platform/linux-arm64/helm"',
  containerd: 'echo "SystemdCgroup = false"',
  gpg: 'while [ $# -gt 0 ]; do [ "$1" = -o ] && echo key > "$2"; shift; done',
};
const NOOP_STUBS = ['systemctl', 'sleep', 'snap', 'dnf', 'apt-get', 'apt-mark', 'modprobe', 'sysctl', 'swapoff', 'kubeadm', 'helm', 'sha256sum'];

/**
 * Runs `script` with bash in a temporary root: stubs first on PATH (each logs its call), every node path
 * under CDK_K8S_ROOT. `stubs` overrides or adds stub bodies; `env` adds environment variables.
 */
/** Options of {@link runWithStubs}. */
export interface StubRunOptions {
  env?: Record<string, string>;
  stubs?: Record<string, string>;
  fixtures?: Record<string, string>;
  setup?: (root: string) => void;
}

export function runWithStubs(script: string, options: StubRunOptions = {}): StubRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-stub-'));
  const root = path.join(dir, 'root');
  const bin = path.join(dir, 'bin');
  const fixtures = path.join(dir, 'fixtures');
  const calls = path.join(dir, 'calls');
  for (const d of [root, bin, fixtures, path.join(root, 'usr/local/bin')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(calls, '');
  const stubs: Record<string, string> = { ...Object.fromEntries(NOOP_STUBS.map(n => [n, ':'])), ...DEFAULT_STUBS, ...options.stubs };
  for (const [name, body] of Object.entries(stubs)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${LOG}\n${body}\n`, { mode: 0o755 });
  }
  // The no-op stubs (body `:`) also as shell functions, read by every bash (BASH_ENV): the same call log line and
  // status without a process (a retry loop sleeps once per attempt). `env`, `exec` or `xargs` still find the file.
  const noops = Object.keys(stubs).filter(n => stubs[n] === ':');
  const bashEnv = path.join(dir, 'bash-env');
  fs.writeFileSync(bashEnv, noops.map(n => `${n}() { printf '%s\\n' "${n} $*" >> "$CALLS"; }\n`).join(''));
  for (const [name, text] of Object.entries(options.fixtures ?? {})) fs.writeFileSync(path.join(fixtures, name), text);
  options.setup?.(root);
  const file = path.join(dir, 'script.sh');
  fs.writeFileSync(file, script);
  const r = spawnSync('bash', [file], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      BASH_ENV: bashEnv,
      HOME: dir,
      CDK_K8S_ROOT: root,
      CALLS: calls,
      FIXTURES: fixtures,
      INSTANCE_ID: 'i-0new',
      RETRY_DELAY: '0',
      READY_ATTEMPTS: '2',
      ...options.env,
    },
  });
  const at = (p: string) => path.join(root, p);
  return {
    status: r.status ?? -1,
    output: `${r.stdout}${r.stderr}`,
    calls: fs.readFileSync(calls, 'utf8').split('\n').filter(l => l !== ''),
    root,
    file: p => fs.readFileSync(at(p), 'utf8'),
    mode: p => fs.statSync(at(p)).mode & 0o777,
    exists: p => fs.existsSync(at(p)),
  };
}

/** Index of the first call that starts with `prefix` (-1 when none). */
export function callIndex(calls: string[], prefix: string): number {
  return calls.findIndex(c => c.startsWith(prefix));
}
