import * as fs from 'fs';
import * as path from 'path';
import { DiagnosticSeverity } from '../compose-diagnostic';
import { KeyPath } from './compose-source';
import { Findings } from './findings';
import { parseDotEnv } from './interpolate';
import { Call, PlanValue } from './plan';
import { isSecretLooking } from './secret-values';

/** Where the importer reads files named by the Compose file, and the variables it may use. */
export interface FileContext {
  readonly findings: Findings;
  /** Directory of the Compose file. */
  readonly dir: string;
  /** Variables for interpolation and for `environment` entries without a value. */
  readonly env: Readonly<Record<string, string>>;
}

/** `env` and `secretEnv` of a workload. */
export interface EnvProps {
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, PlanValue>;
}

/** One variable and where it was written. */
interface Variable {
  readonly name: string;
  readonly value: string | undefined;
  readonly report: (severity: DiagnosticSeverity, message: string) => void;
}

/** `env_file` (first) and `environment` (winning) of a service; secret-looking variables become SecretRefs of `<id>-env`. */
export function mapEnv(ctx: FileContext, at: KeyPath, spec: Record<string, unknown>, id: string, secretFiles: readonly string[] = []): EnvProps {
  const vars = new Map<string, Variable>();
  for (const v of [...envFiles(ctx, at, spec.env_file), ...environment(ctx.findings, at, spec.environment)]) vars.set(v.name, v);
  const env: Record<string, string> = {};
  const secretEnv: Record<string, PlanValue> = {};
  const secretName = `${id}-env`;
  for (const v of vars.values()) {
    const value = v.value ?? ctx.env[v.name];
    const file = secretFile(v.name, value, secretFiles);
    if (file) {
      secretEnv[file.name] = new Call('SecretRef.fromSecret', [`${id}-secrets`, file.key]);
      v.report(DiagnosticSeverity.INFO, `names the secret file ${value}: it becomes ${file.name} from key ${file.key} of the Secret ${id}-secrets (images that read ${v.name} read ${file.name} too).`);
    } else if (isSecretLooking(v.name, value)) {
      secretEnv[v.name] = new Call('SecretRef.fromSecret', [secretName, v.name]);
      v.report(DiagnosticSeverity.INFO, `looks like a secret: it reads key ${v.name} of the Secret ${secretName}, which you create (the value is not copied).`);
    } else if (value === undefined) {
      v.report(DiagnosticSeverity.WARNING, `${v.name} takes its value from the environment, where it is not set: it is left out. Give it a value or pass it in \`env\`.`);
    } else {
      env[v.name] = value;
    }
  }
  return { env, secretEnv };
}

/**
 * `X_FILE=/run/secrets/key` (the convention of the postgres, mysql, mariadb... images) names a mounted secret: it
 * becomes `X` from that key, because the library keeps secret-looking names out of plain env.
 */
function secretFile(name: string, value: string | undefined, keys: readonly string[]): { name: string; key: string } | undefined {
  const key = value?.startsWith('/run/secrets/') ? value.slice('/run/secrets/'.length) : undefined;
  if (!name.endsWith('_FILE') || key === undefined || !keys.includes(key)) return undefined;
  return { name: name.slice(0, -'_FILE'.length), key };
}

function environment(f: Findings, at: KeyPath, value: unknown): Variable[] {
  const where = (key: string | number) => (severity: DiagnosticSeverity, message: string) =>
    f.list.push(f.source.diagnostic(severity, [...at, 'environment', key], message));
  if (Array.isArray(value)) {
    return value.map((entry: unknown, i) => {
      const text = String(entry);
      const eq = text.indexOf('=');
      return eq < 0 ? { name: text, value: undefined, report: where(i) } : { name: text.slice(0, eq), value: text.slice(eq + 1), report: where(i) };
    });
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([name, v]) => ({ name, value: v === null || v === undefined ? undefined : String(v), report: where(name) }));
  }
  return [];
}

function envFiles(ctx: FileContext, at: KeyPath, value: unknown): Variable[] {
  const entries = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return entries.flatMap((entry: unknown, i): Variable[] => {
    const spec = typeof entry === 'string' ? { path: entry, required: true } : entry as { path: string; required?: boolean };
    const keyPath = Array.isArray(value) ? [...at, 'env_file', i] : [...at, 'env_file'];
    const file = path.resolve(ctx.dir, spec.path);
    if (!fs.existsSync(file)) {
      if (spec.required === false) return [];
      ctx.findings.error(keyPath, `names ${spec.path}, which does not exist (next to the Compose file): create it, or mark it \`required: false\`.`);
      return [];
    }
    const parsed = parseDotEnv(fs.readFileSync(file, 'utf8'));
    const shown = path.join(path.dirname(ctx.findings.source.file), spec.path);
    for (const line of parsed.invalid) {
      ctx.findings.inFile(DiagnosticSeverity.WARNING, shown, line, '', 'is not a KEY=value line: it is ignored.');
    }
    return Object.entries(parsed.values).map(([name, v]) => ({
      name,
      value: v,
      report: (severity: DiagnosticSeverity, message: string) => ctx.findings.inFile(severity, shown, parsed.lines[name], name, message),
    }));
  });
}
