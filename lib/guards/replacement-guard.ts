import * as path from 'path';
import { Annotations, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { show, ValidationError } from '../errors';
import { collectProtected, compare, readLock, renderLock, writeLock, LockedStacks } from './private/lock-file';
import { isMember, mustBeOneOf } from '../workloads/private/fixed-set';

/** Context key with opt-ins (comma-separated, or a JSON list): `cdk synth -c cdk-k8s-platform:allowReplacement=NodeGroup`. */
export const ALLOW_REPLACEMENT_CONTEXT = 'cdk-k8s-platform:allowReplacement';
/** Context key that selects the mode (`update` or `verify`): `cdk synth -c cdk-k8s-platform:replacementGuard=verify`. */
export const REPLACEMENT_GUARD_MODE_CONTEXT = 'cdk-k8s-platform:replacementGuard';

/**
 * A replacement the user accepts, by name. Each one lets synthesis go on although the change replaces
 * the resources it names; the lock file then records the new state.
 */
export class AllowReplacement {
  /** The VPC and its subnets (everything in them moves to new network interfaces). */
  public static readonly NETWORK = new AllowReplacement('Network');
  /** The EKS cluster: a new, empty control plane; every Kubernetes object is lost. */
  public static readonly CLUSTER = new AllowReplacement('Cluster');
  /** EKS managed node groups: new nodes; pods are rescheduled, node-local data is lost. */
  public static readonly NODE_GROUP = new AllowReplacement('NodeGroup');
  /**
   * Self-managed servers and agents (k3s, kubeadm): a new launch template (release, instance type, image,
   * boot script) rolls the nodes one at a time, each drained first (servers snapshot etcd first); a new
   * group name or instance replaces them.
   */
  public static readonly SERVER = new AllowReplacement('Server');
  /**
   * A cluster token secret (k3s server and agent tokens, kubeadm bootstrap token) that would get a new value:
   * every node that restarts or joins is locked out. Only for a cluster you rebuild.
   */
  public static readonly TOKEN = new AllowReplacement('Token');
  /**
   * The volume backup vault under a new name, or gone: the old vault stays in the account (retained) with its
   * recovery points, which never move; a new name starts an empty vault. A new key under the same name cannot
   * deploy at all.
   */
  public static readonly BACKUP_VAULT = new AllowReplacement('BackupVault');
  /**
   * A Kubernetes version change that skips a minor version or goes back (an EKS cluster or node group, a k3s
   * or kubeadm node group), which no cluster can do in place. Only for a cluster you rebuild.
   */
  public static readonly VERSION_SKIP = new AllowReplacement('VersionSkip');
  /**
   * A workload delivery's Helm release that a chart moves out of, or that goes away: Helm deletes the objects
   * that leave a release (and refuses those another release holds), helm uninstall deletes every object.
   */
  public static readonly RELEASE = new AllowReplacement('Release');
  /**
   * A StatefulSet of a workload release whose claim templates (or another field the API server keeps
   * immutable) change: Helm cannot upgrade it. Opt in once its claims are grown and the StatefulSet is deleted
   * alone (`kubectl delete statefulset --cascade=orphan`, docs/operations.md): Helm then creates it again.
   */
  public static readonly STATEFUL_SET = new AllowReplacement('StatefulSet');

  /** One resource by logical ID (as in the error message) or by construct path (and everything below it). */
  public static resource(logicalIdOrPath: string): AllowReplacement {
    if (typeof logicalIdOrPath !== 'string' || logicalIdOrPath.trim() === '') {
      throw new ValidationError(`AllowReplacement.resource(logicalIdOrPath) is ${JSON.stringify(logicalIdOrPath)}: give the logical ID or construct path named in the ReplacementGuard error.`,
        { prop: 'logicalIdOrPath', value: logicalIdOrPath });
    }
    return new AllowReplacement(logicalIdOrPath.trim());
  }

  private constructor(
    /** The category name, logical ID or construct path. */
    public readonly name: string,
  ) {}
}

/** What the guard does with the lock file. A string enum; the value is update or verify. */
export enum ReplacementGuardMode {
  /**
   * Compare with the lock file, then record the new state in it (new protected resources, opted-in
   * replacements). A missing file is written: the first synthesis of a fresh clone succeeds. The default.
   */
  UPDATE = 'update',
  /**
   * Compare only, never write: fail when the file is missing or does not list every protected resource
   * (for CI, so a lock file nobody committed cannot hide a replacement).
   */
  VERIFY = 'verify',
}

/** Props of a {@link ReplacementGuard}. */
export interface ReplacementGuardProps {
  /**
   * The lock file (relative paths are resolved from the working directory, which is the CDK app's
   * directory for `cdk synth`). Commit it.
   * @default 'platform.lock.json'
   */
  readonly lockFile?: string;
  /**
   * Replacements you accept for this synthesis. Also read from the context key
   * `cdk-k8s-platform:allowReplacement` (names such as `Cluster,NodeGroup`, logical IDs or construct paths).
   * @default - none: every replacement of a protected resource fails synthesis
   */
  readonly allowReplacement?: AllowReplacement[];
  /**
   * Update or only verify the lock file. The context key `cdk-k8s-platform:replacementGuard` (`update` or
   * `verify`) overrides it.
   * @default ReplacementGuardMode.UPDATE
   */
  readonly mode?: ReplacementGuardMode;
}

/**
 * Fails synthesis when a change would replace the VPC or its subnets, the EKS cluster, an EKS node group,
 * or a self-managed server, roll self-managed nodes, or give a cluster token a new value: when a property
 * CloudFormation cannot update in place changes, or when a protected resource's logical ID moves or
 * disappears. Unless the change is opted in by name. A self-managed node group's release change that skips
 * a minor version or goes back is refused too (opt-in `VersionSkip`).
 *
 * It remembers the previous state in a lock file (`platform.lock.json`): the logical IDs of the protected
 * resources and their replacement-causing properties. The first synthesis writes it; commit it, and every
 * later synthesis (`cdk synth`, `cdk diff`, `cdk deploy`) compares against it. Only the app's code is
 * needed, no AWS credentials and no previous `cdk.out`.
 *
 * @example
 * const app = new App();
 * new EksPlatformStack(app, 'acme-eks', { platformName: 'acme' });
 * new ReplacementGuard(app, 'ReplacementGuard');
 * // a deliberate replacement, once:  npx cdk synth -c cdk-k8s-platform:allowReplacement=NodeGroup
 */
export class ReplacementGuard extends Construct {
  /** Absolute path of the lock file. */
  public readonly lockFile: string;
  /** The mode in effect (props or context). */
  public readonly mode: ReplacementGuardMode;
  /** The opt-ins in effect (props and context). */
  public readonly allowReplacement: string[];

  constructor(scope: Construct, id: string, props: ReplacementGuardProps = {}) {
    super(scope, id);
    const kind = 'ReplacementGuard';
    const lockFile = props.lockFile ?? 'platform.lock.json';
    if (typeof lockFile !== 'string' || lockFile.trim() === '' || !lockFile.endsWith('.json')) {
      throw new ValidationError(`[${this.node.path}] ${kind}.lockFile is ${JSON.stringify(lockFile)}: must be the path of a .json file such as "platform.lock.json".`,
        { constructPath: this.node.path, prop: 'lockFile', value: lockFile });
    }
    this.lockFile = path.resolve(lockFile);

    const modeContext = this.node.tryGetContext(REPLACEMENT_GUARD_MODE_CONTEXT);
    if (modeContext !== undefined && !isMember(ReplacementGuardMode, modeContext)) {
      throw new ValidationError(`[${this.node.path}] context ${REPLACEMENT_GUARD_MODE_CONTEXT} is ${JSON.stringify(modeContext)}: must be "update" or "verify".`,
        { constructPath: this.node.path, prop: `context ${REPLACEMENT_GUARD_MODE_CONTEXT}`, value: modeContext });
    }
    if (props.mode !== undefined && !isMember(ReplacementGuardMode, props.mode)) {
      throw new ValidationError(`[${this.node.path}] ${kind}.mode is ${show(props.mode)}: ${mustBeOneOf('ReplacementGuardMode', ReplacementGuardMode)}`,
        { constructPath: this.node.path, prop: 'mode', value: props.mode });
    }
    this.mode = modeContext ?? props.mode ?? ReplacementGuardMode.UPDATE;
    this.allowReplacement = [...(props.allowReplacement ?? []).map(a => a.name), ...contextOptIns(this, this.node.tryGetContext(ALLOW_REPLACEMENT_CONTEXT))];

    const root = scope;
    this.node.addValidation({ validate: () => this.check(root) });
  }

  private check(root: IConstruct): string[] {
    const current = collectProtected(root);
    const lock = readLock(this.lockFile);
    const rel = path.relative(process.cwd(), this.lockFile) || this.lockFile;
    const verify = this.mode === ReplacementGuardMode.VERIFY;
    if (!lock) {
      if (verify) return [`ReplacementGuard: ${rel} does not exist (mode verify). Run \`npx cdk synth\` once without -c ${REPLACEMENT_GUARD_MODE_CONTEXT}=verify and commit the file.`];
      writeLock(this.lockFile, renderLock(current));
      this.inform(root, `ReplacementGuard recorded the protected resources in ${rel}: commit it.`);
      return [];
    }
    const violations = compare(lock.stacks, current, new Set(this.allowReplacement));
    if (violations.length > 0) {
      return violations.map(v => `ReplacementGuard: ${v.type} ${v.logicalId} (${v.path}) ${v.message} `
        + `To accept it: allowReplacement: [AllowReplacement.${optInName(v.category)}] or AllowReplacement.resource('${v.logicalId}'), `
        + `or \`cdk synth -c ${ALLOW_REPLACEMENT_CONTEXT}=${v.category}\`; ${rel} then records the new state.`);
    }
    const merged: LockedStacks = { ...lock.stacks, ...current };
    const text = renderLock(merged);
    if (verify) {
      if (text !== renderLock(lock.stacks)) {
        return [`ReplacementGuard: ${rel} is out of date (new or changed protected resources; mode verify). Run \`npx cdk synth\` and commit the file.`];
      }
      return [];
    }
    if (writeLock(this.lockFile, text)) this.inform(root, `ReplacementGuard updated ${rel} (new or opted-in protected resources): commit it.`);
    return [];
  }

  private inform(root: IConstruct, message: string): void {
    for (const c of [root, ...root.node.findAll()]) {
      if (Stack.isStack(c)) Annotations.of(c).addInfo(message);
    }
  }
}

function optInName(category: string): string {
  return ({ Network: 'NETWORK', Cluster: 'CLUSTER', NodeGroup: 'NODE_GROUP', Server: 'SERVER', Token: 'TOKEN', BackupVault: 'BACKUP_VAULT', VersionSkip: 'VERSION_SKIP', Release: 'RELEASE', StatefulSet: 'STATEFUL_SET' } as Record<string, string>)[category] ?? category;
}

function contextOptIns(scope: IConstruct, value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch {
        list = undefined;
      }
    } else {
      list = text.split(',').map(s => s.trim()).filter(s => s !== '');
    }
  }
  if (!Array.isArray(list) || !list.every(x => typeof x === 'string' && x.trim() !== '')) {
    throw new ValidationError(`[${scope.node.path}] context ${ALLOW_REPLACEMENT_CONTEXT} is ${JSON.stringify(value)}: must be names separated by commas (Network, Cluster, NodeGroup, Server, Token, BackupVault, VersionSkip, Release, StatefulSet, logical IDs or construct paths), e.g. "NodeGroup".`,
      { constructPath: scope.node.path, prop: `context ${ALLOW_REPLACEMENT_CONTEXT}`, value });
  }
  return list.map(x => (x as string).trim());
}
