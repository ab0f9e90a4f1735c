/**
 * Runs the library's node scripts (bash) against a {@link ClusterModel}: `kubectl` and `k3s kubectl` on the
 * script's PATH are small bash stubs that send their arguments to this process over a loopback TCP socket
 * (bash's /dev/tcp) and print the model's answer, so one model serves every call of a long sequence of runs
 * without a process per object. `aws s3 cp` serves delivery files from a directory the test fills.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ClusterModel } from './cluster-model';
import { kubectl } from './fake-kubectl';

/** The bash body shared by the kubectl and k3s stubs: one request, one answer. */
const CLIENT = `exec 3<>"/dev/tcp/127.0.0.1/$KUBE_MODEL_PORT"
printf '%s\\0' "$#" "$PWD" "$@" >&3
IFS= read -r header <&3
IFS= read -r -d '' body <&3 || true
exec 3<&-
printf '%s' "$body"
err=\${header#* }
if [ -n "$err" ]; then printf '%s' "$err" | base64 -d >&2; fi
exit "\${header%% *}"`;

const STUBS: Record<string, string> = {
  kubectl: `printf '%s\\n' "kubectl $*" >> "$CALLS"\n${CLIENT}`,
  k3s: `printf '%s\\n' "k3s $*" >> "$CALLS"
if [ "$1" != kubectl ]; then echo "fake k3s: unsupported: k3s $*" >&2; exit 2; fi
shift
${CLIENT}`,
  aws: `printf '%s\\n' "aws $*" >> "$CALLS"
case "$1 $2" in
  "s3 cp") src="\${*: -2:1}"; cp "$DELIVERY_FILES/\${src##*/}" "\${*: -1}" ;;
  *) echo "fake aws: unsupported: aws $*" >&2; exit 2 ;;
esac`,
  sleep: ':',
};

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
  private readonly bin: string;
  private nodes = 0;

  private constructor(public readonly model: ClusterModel, private readonly server: net.Server, private readonly dir: string) {
    this.bin = path.join(dir, 'bin');
    this.deliveryFiles = path.join(dir, 'deliveries');
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.deliveryFiles);
    for (const [name, body] of Object.entries(STUBS)) fs.writeFileSync(path.join(this.bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
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
    const file = path.join(this.dir, `script-${process.hrtime.bigint()}.sh`);
    const calls = `${file}.calls`;
    fs.writeFileSync(file, script);
    fs.writeFileSync(calls, '');
    const child = spawn('bash', [file], {
      env: {
        PATH: `${this.bin}:/usr/bin:/bin`,
        HOME: this.dir,
        CDK_K8S_ROOT: node.root,
        CALLS: calls,
        DELIVERY_FILES: this.deliveryFiles,
        KUBE_MODEL_PORT: String((this.server.address() as net.AddressInfo).port),
        RETRY_DELAY: '0',
        READY_ATTEMPTS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', d => { output += d; });
    child.stderr.on('data', d => { output += d; });
    const status = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`script timed out:\n${output}`)); }, 60_000);
      child.on('close', code => { clearTimeout(timer); resolve(code ?? -1); });
    });
    const result = { status, output, calls: fs.readFileSync(calls, 'utf8').split('\n').filter(l => l !== '') };
    fs.rmSync(file, { force: true });
    fs.rmSync(calls, { force: true });
    return result;
  }

  /** Stops serving and removes the temporary files. */
  public async close(): Promise<void> {
    await new Promise<void>(resolve => this.server.close(() => resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
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
