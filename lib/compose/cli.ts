#!/usr/bin/env node
// `npx cdk-k8s-platform import-compose docker-compose.yml [--out file.ts] [--strict]`: writes the TypeScript of a
// Compose file. Like docker compose, it interpolates from the environment and the `.env` file next to the file.
import * as fs from 'fs';
import * as path from 'path';
import { ValidationError } from '../errors';
import { DiagnosticSeverity, formatDiagnostic } from './compose-diagnostic';
import { composeToTypeScript } from './compose-to-workloads';
import { parseDotEnv } from './private/interpolate';

const USAGE = `Usage: cdk-k8s-platform import-compose <docker-compose.yml> [--out <file.ts>] [--strict]

Writes TypeScript that builds the Compose file's services as cdk-k8s-platform workloads (to stdout, or to
--out). Unsupported keys are reported as warnings on stderr, or as errors with --strict. Variables come from
the environment and the .env file next to the Compose file. See docs/compose.md.`;

interface Args { readonly file: string; readonly out?: string; readonly strict: boolean }

function parseArgs(argv: readonly string[]): Args | string {
  const [command, ...rest] = argv;
  if (command !== 'import-compose') return command === undefined || command === '--help' || command === '-h' ? '' : `unknown command "${command}".`;
  let file: string | undefined;
  let out: string | undefined;
  let strict = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--strict') strict = true;
    else if (rest[i] === '--out' || rest[i] === '-o') out = rest[++i];
    else if (rest[i].startsWith('--out=')) out = rest[i].slice('--out='.length);
    else if (rest[i].startsWith('-')) return `unknown option "${rest[i]}".`;
    else if (file === undefined) file = rest[i];
    else return `one Compose file at a time ("${rest[i]}" is a second one).`;
  }
  if (file === undefined) return 'name the Compose file, e.g. import-compose docker-compose.yml.';
  if (out === '') return '--out needs a file name.';
  return { file, out, strict };
}

/** The environment as docker compose sees it: the .env file next to the Compose file, overridden by the process's. */
function environment(file: string, processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const dotEnv = path.join(path.dirname(file), '.env');
  const fromFile = fs.existsSync(dotEnv) ? parseDotEnv(fs.readFileSync(dotEnv, 'utf8')).values : {};
  const fromProcess = Object.fromEntries(Object.entries(processEnv).filter((e): e is [string, string] => e[1] !== undefined));
  return { ...fromFile, ...fromProcess };
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }, processEnv: NodeJS.ProcessEnv): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`${args ? `cdk-k8s-platform: ${args}\n\n` : ''}${USAGE}\n`);
    return args ? 2 : 0;
  }
  try {
    const { code, diagnostics } = composeToTypeScript(args.file, { env: environment(args.file, processEnv), strict: args.strict });
    for (const d of diagnostics.filter(x => x.severity !== DiagnosticSeverity.INFO)) io.stderr(`${formatDiagnostic(d)}\n`);
    if (args.out) {
      fs.writeFileSync(args.out, code);
      io.stderr(`wrote ${args.out}\n`);
    } else {
      io.stdout(code);
    }
    return 0;
  } catch (e) {
    if (!ValidationError.isValidationError(e)) throw e;
    io.stderr(`${e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), { stdout: s => process.stdout.write(s), stderr: s => process.stderr.write(s) }, process.env);
}
