import * as fs from 'fs';
import * as path from 'path';
import { ValidationError } from '../../errors';
import { ComposeDiagnostic, DiagnosticSeverity } from '../compose-diagnostic';
import { ComposeSource, importError } from './compose-source';
import { Findings } from './findings';
import { interpolate, InterpolationIssue } from './interpolate';
import { mapProject } from './map-project';
import { ComposePlan } from './plan';
import { checkSchema } from './schema-check';

/** What the planner needs besides the file. */
export interface PlanOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly strict?: boolean;
  readonly content?: string;
}

function read(file: string, content: string | undefined): string {
  if (content !== undefined) return content;
  if (!fs.existsSync(file)) {
    throw new ValidationError(`Compose file ${file} does not exist: give the path of a docker-compose.yml (relative to ${process.cwd()}).`, { prop: file, value: file });
  }
  return fs.readFileSync(file, 'utf8');
}

/**
 * A Compose file → the plan both the builder and the code generator consume: parse (keeping positions),
 * interpolate, check the schema, map. Errors (and, under `strict`, warnings) throw one ValidationError listing all.
 */
export function planCompose(file: string, options: PlanOptions = {}): ComposePlan {
  const source = ComposeSource.parse(file, read(file, options.content));
  const findings = new Findings(source);
  const env = options.env ?? {};
  source.mapStrings((value, keyPath) => {
    const result = interpolate(value, env);
    if (!(result instanceof InterpolationIssue)) return result;
    findings.error(keyPath, result.message);
    return value;
  });
  if (findings.hasErrors) throw importError(file, findings.list.filter(d => d.severity === DiagnosticSeverity.ERROR));
  const data = source.toJs() as Record<string, unknown>;
  const schemaErrors = checkSchema(source, data);
  if (schemaErrors.length) throw importError(file, schemaErrors);
  if (!data.services || typeof data.services !== 'object' || Object.keys(data.services).length === 0) {
    throw importError(file, [source.diagnostic(DiagnosticSeverity.ERROR, ['services'], 'lists no services: a Compose file to import needs at least one.')]);
  }
  const plan = mapProject(source, findings, { findings, dir: path.dirname(path.resolve(file)), env }, data);
  const order = (d: ComposeDiagnostic) => [d.file === file ? 0 : 1, d.line, d.column] as const;
  (plan.diagnostics as ComposeDiagnostic[]).sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || a.file.localeCompare(b.file) || x[1] - y[1] || x[2] - y[2];
  });
  const fatal = plan.diagnostics.filter(d => d.severity === DiagnosticSeverity.ERROR || (options.strict && d.severity === DiagnosticSeverity.WARNING));
  if (fatal.length) throw importError(file, fatal);
  return plan;
}
