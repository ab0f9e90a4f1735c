import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { ComposeDiagnostic, DiagnosticSeverity } from '../compose-diagnostic';
import { ComposeSource, KeyPath } from './compose-source';
import schema from '../schema/compose-spec.json';

let validator: ValidateFunction | undefined;

/** The compiled schema (compiled once: about 100 ms). */
function validate(): ValidateFunction {
  // the schema names the https URL of draft-07, which ajv knows as http: its keywords are draft-07's
  const { $schema: _draft07, ...body } = schema;
  validator ??= new Ajv({ strict: false, validateSchema: false, allErrors: true }).compile(body);
  return validator;
}

/** The Compose Specification's JSON schema checked against the (interpolated) file. */
export function checkSchema(source: ComposeSource, data: unknown): ComposeDiagnostic[] {
  const check = validate();
  if (check(data)) return [];
  const seen = new Set<string>();
  const all = check.errors ?? [];
  const specific = all.filter(e => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  // a oneOf whose branches all failed at its own level leaves only the oneOf error: report that one
  return (specific.length ? specific : all.slice(0, 1)).flatMap(e => {
    const path = pathOf(e);
    const key = `${path.join('/')} ${e.message}`;
    if (seen.has(key) || covered(e, all)) return [];
    seen.add(key);
    return [source.diagnostic(DiagnosticSeverity.ERROR, path, `fails the Compose Specification schema: ${describe(e)}.`)];
  }).slice(0, 20);
}

/** The key path of an error; an unknown key is named itself. */
function pathOf(e: ErrorObject): KeyPath {
  const path: Array<string | number> = e.instancePath.split('/').slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(s => /^\d+$/.test(s) ? Number(s) : s);
  if (e.keyword === 'additionalProperties') path.push(String(e.params.additionalProperty));
  return path;
}

/** A `type` error of a value whose other alternatives (a oneOf) also failed deeper is noise. */
function covered(e: ErrorObject, all: readonly ErrorObject[]): boolean {
  return e.keyword === 'type' && all.some(o => o !== e && o.instancePath.startsWith(`${e.instancePath}/`));
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties': return 'this key is not part of the specification (a typo? extensions start with "x-")';
    case 'type': return `must be ${String(e.params.type).replace(',', ' or ')}`;
    case 'enum': return `must be one of ${(e.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`;
    case 'required': return `needs "${String(e.params.missingProperty)}"`;
    case 'pattern': return `must match ${String(e.params.pattern)}`;
    case 'oneOf': return 'matches none of the forms the specification allows here';
    default: return e.message ?? e.keyword;
  }
}
