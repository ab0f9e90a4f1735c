/**
 * Runs the library's node scripts (bash) against a {@link ClusterModel}: `kubectl` and `k3s kubectl` are bash
 * functions exported to the script that send their arguments to this process over a loopback TCP socket
 * (bash's /dev/tcp) and print the model's answer, so one model serves every call of a long sequence of runs.
 * `aws s3 cp` serves delivery files from a directory the test fills.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ClusterModel } from './cluster-model';
import { kubectl } from './fake-kubectl';

/**
 * The stubs, as bash functions exported to the script (`BASH_FUNC_<name>%%`): a function shadows the command
 * of the same name like a stub first on PATH, without a process per call (this VM is slow to fork and exec).
 * `__model` sends one request on its own descriptor (the script's 3-9 are left alone) and returns the answer.
 */
const FUNCTIONS: Record<string, string> = {
  __model: `{ local fd header body
exec {fd}<>"/dev/tcp/127.0.0.1/$KUBE_MODEL_PORT"
printf '%s\\0' "$#" "$PWD" "$@" >&"$fd"
IFS= read -r header <&"$fd"
IFS= read -r -d '' body <&"$fd" || true
exec {fd}<&-
printf '%s' "$body"
if [ -n "\${header#* }" ]; then printf '%s' "\${header#* }" | base64 -d >&2; fi
return "\${header%% *}"; }`,
  kubectl: '{ printf \'%s\\n\' "kubectl $*" >> "$CALLS"; __model "$@"; }',
  k3s: `{ printf '%s\\n' "k3s $*" >> "$CALLS"
if [ "$1" != kubectl ]; then echo "fake k3s: unsupported: k3s $*" >&2; return 2; fi
shift
__model "$@"; }`,
  aws: `{ printf '%s\\n' "aws $*" >> "$CALLS"
case "$1 $2" in
  "s3 cp") local src="\${*: -2:1}"; cp "$DELIVERY_FILES/\${src##*/}" "\${*: -1}" ;;
  *) echo "fake aws: unsupported: aws $*" >&2; return 2 ;;
esac; }`,
  sleep: '{ :; }',
};
const FUNCTION_ENV = Object.fromEntries(Object.entries(FUNCTIONS).map(([name, body]) => [`BASH_FUNC_${name}%%`, `() ${body}`]));

/** A server node's disk: its root directory keeps the script's state between runs. */
export interface ModelNode {
  /** CDK_K8S_ROOT of the scripts. */
  readonly root: string;
}

/** The result of one script run. */
export interface ModelRun {
  readonly status: number;
  readonly output: string;
  /** Every kubectl/k3s/aws call, in order. */
  readonly calls: string[];
}

/** A model cluster served to scripts. Call {@link close} when done. */
export class ModelCluster {
  /** Starts serving `model`. */
  public static async start(model: ClusterModel): Promise<ModelCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-model-'));
    const server = net.createServer(socket => serve(model, socket));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return new ModelCluster(model, server, dir);
  }

  /** Delivery files `aws s3 cp` serves, by the last segment of their URL. */
  public readonly deliveryFiles: string;
  private nodes = 0;

  private constructor(public readonly model: ClusterModel, private readonly server: net.Server, private readonly dir: string) {
    this.deliveryFiles = path.join(dir, 'deliveries');
    fs.mkdirSync(this.deliveryFiles);
  }

  /** A new server node (an empty disk, bootstrap finished); k3s: its auto-deploy directory is watched. */
  public addNode(): ModelNode {
    const root = path.join(this.dir, `node-${++this.nodes}`);
    fs.mkdirSync(path.join(root, 'var/lib/cdk-k8s-platform'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), 'bootstrap complete\n');
    this.model.manifestDirs.push(path.join(root, 'var/lib/rancher/k3s/server/manifests'));
    return { root };
  }

  /** Runs `script` with bash on `node`. */
  public async run(node: ModelNode, script: string, env: Record<string, string> = {}): Promise<ModelRun> {
    const file = path.join(this.dir, `script-${++runs}.sh`);
    const calls = `${file}.calls`;
    const out = `${file}.out`;
    const vars: Record<string, string> = {
      HOME: this.dir,
      CDK_K8S_ROOT: node.root,
      CALLS: calls,
      DELIVERY_FILES: this.deliveryFiles,
      KUBE_MODEL_PORT: String((this.server.address() as net.AddressInfo).port),
      RETRY_DELAY: '0',
      READY_ATTEMPTS: '1',
      ...env,
    };
    fs.writeFileSync(file, script);
    fs.writeFileSync(`${file}.env`, Object.entries(vars).map(([k, v]) => `export ${k}='${v.replace(/'/g, '\'\\\'\'')}'\n`).join(''));
    fs.writeFileSync(calls, '');
    const status = await launcher().run(file, `${file}.env`, out);
    const result = { status, output: fs.readFileSync(out, 'utf8'), calls: fs.readFileSync(calls, 'utf8').split('\n').filter(l => l !== '') };
    for (const f of [file, `${file}.env`, calls, out]) fs.rmSync(f, { force: true });
    return result;
  }

  /** Stops serving and removes the temporary files. */
  public async close(): Promise<void> {
    await new Promise<void>(resolve => this.server.close(() => resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

let runs = 0;

/**
 * One long-lived bash process that starts the scripts: forking this (large) Node process for every script
 * costs more than most syncs. It runs one script at a time, each in a subshell that sources the run's
 * variables, with the stub functions exported once.
 */
class Launcher {
  private readonly child: ChildProcess;
  private queue: Promise<unknown> = Promise.resolve();
  private pending?: (line: string) => void;
  private buffered = '';

  constructor() {
    const loop = `while IFS=$'\\t' read -r file envfile out; do
  ( . "$envfile"; exec bash "$file" ) > "$out" 2>&1 < /dev/null
  printf '%s\\n' "$?"
done`;
    this.child = spawn('bash', ['--norc', '--noprofile', '-c', loop], { env: { ...FUNCTION_ENV, PATH: '/usr/bin:/bin', HOME: os.tmpdir() }, stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      this.buffered += chunk;
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0 && this.pending) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.pending(line);
      }
    });
    this.child.unref();
    (this.child.stdout as unknown as { unref(): void }).unref();
    (this.child.stdin as unknown as { unref(): void }).unref();
    process.once('exit', () => this.child.kill());
  }

  /** Runs one script; resolves with its exit status. */
  public run(file: string, envFile: string, out: string): Promise<number> {
    const next = this.queue.then(() => new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`script ${file} timed out`)), 60_000);
      this.pending = line => { clearTimeout(timer); this.pending = undefined; resolve(Number(line)); };
      this.child.stdin!.write(`${file}\t${envFile}\t${out}\n`);
    }));
    this.queue = next.catch(() => undefined);
    return next;
  }
}

let shared: Launcher | undefined;
function launcher(): Launcher {
  shared = shared ?? new Launcher();
  return shared;
}

function serve(model: ClusterModel, socket: net.Socket): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', chunk => {
    buffer = Buffer.concat([buffer, chunk]);
    const fields = buffer.toString('utf8').split('\0');
    const count = Number(fields[0]);
    if (fields.length < count + 3) return; // "<count>\0<cwd>\0<arg>\0...": wait for the rest
    const [, cwd, ...argv] = fields.slice(0, count + 2);
    const r = kubectl(model, argv, cwd);
    socket.end(`${r.code} ${Buffer.from(r.stderr).toString('base64')}\n${r.stdout}`);
  });
  socket.on('error', () => socket.destroy());
}
