import { ComposeDiagnostic } from './compose-diagnostic';
import { NetworkRules } from '../workloads/network-rules';
import { PlatformChart } from '../workloads/platform-chart';
import { StatefulService } from '../workloads/stateful-service';
import { WebService } from '../workloads/web-service';
import { Worker } from '../workloads/worker';
import { buildPlan } from './private/build';
import { generateCode } from './private/generate';
import { planCompose } from './private/plan-compose';

/** Options of {@link composeToWorkloads} and {@link composeToTypeScript}. */
export interface ComposeImportOptions {
  /**
   * Variables for the Compose interpolation (`${VAR}`, `${VAR:-default}`...) and for `environment` entries
   * without a value. The library never reads `process.env` itself; pass it (and the `.env` file) explicitly
   * as the command does.
   * @default - none: every variable without a default is an error
   */
  readonly env?: Record<string, string>;
  /**
   * Treat every unsupported key (a warning) as an error.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * The Compose file's text, instead of reading `composeFile` (which then only names it in diagnostics and
   * locates the files it refers to, such as `env_file` and configs).
   * @default - read from `composeFile`
   */
  readonly content?: string;
}

/** What {@link composeToWorkloads} built. */
export interface ComposeWorkloads {
  /** The workloads, by Compose service name. */
  readonly workloads: Record<string, WebService | Worker | StatefulService>;
  /**
   * The rules of who may call whom, when the file's networks restrict it.
   * @default - none: every service may call every other (one network)
   */
  readonly networkRules?: NetworkRules;
  /** Everything reported: info (adapted) and warnings (not mapped), each with file, line, column and key. */
  readonly diagnostics: ComposeDiagnostic[];
}

/** The TypeScript of a Compose file (see {@link composeToTypeScript}). */
export interface ComposeTypeScript {
  /** The source of a module exporting `composeServices(chart)`. */
  readonly code: string;
  /** Everything reported, as for {@link composeToWorkloads}. */
  readonly diagnostics: ComposeDiagnostic[];
}

/**
 * Builds the workloads of a docker-compose file in `chart`: a service with ports becomes a WebService, one with
 * named volumes a StatefulService, one without ports a Worker (docs/compose.md has the whole mapping). Every
 * key of the Compose Specification is mapped or reported; secret-looking variables become SecretRef
 * placeholders and their values are never copied. Throws a ValidationError naming file:line and key when the
 * file cannot be imported (not YAML, fails the schema, an unset variable, an untagged image), and under
 * `strict` when a key is not supported.
 */
export function composeToWorkloads(chart: PlatformChart, composeFile: string, options: ComposeImportOptions = {}): ComposeWorkloads {
  const plan = planCompose(composeFile, options);
  const { workloads, networkRules } = buildPlan(chart, plan);
  return { workloads: Object.fromEntries(workloads), networkRules, diagnostics: [...plan.diagnostics] };
}

/**
 * The TypeScript a person would write for a Compose file, using the public API: the code
 * `npx cdk-k8s-platform import-compose` writes. It builds exactly what {@link composeToWorkloads} builds.
 */
export function composeToTypeScript(composeFile: string, options: ComposeImportOptions = {}): ComposeTypeScript {
  const plan = planCompose(composeFile, options);
  const name = composeFile.split(/[\\/]/).pop()!;
  return { code: generateCode(plan, name), diagnostics: [...plan.diagnostics] };
}
