/** How serious a {@link ComposeDiagnostic} is. A string enum. */
export enum DiagnosticSeverity {
  /** Mapped, with an adaptation worth knowing (e.g. a size chosen for a volume). Never an error. */
  INFO = 'info',
  /** Not mapped: the key is dropped, with the reason. An error under `strict`. */
  WARNING = 'warning',
  /** The file cannot be imported (not YAML, fails the schema, an unset variable, an untagged image...). */
  ERROR = 'error',
}

/** One finding of the Compose importer, located in the file it is about. */
export interface ComposeDiagnostic {
  /** How serious it is. */
  readonly severity: DiagnosticSeverity;
  /** The file (the Compose file, or an env_file / config file it names), as given. */
  readonly file: string;
  /** 1-based line; 0 when the finding is about the file as a whole. */
  readonly line: number;
  /** 1-based column; 0 when the finding is about the file as a whole. */
  readonly column: number;
  /** Key path, e.g. `services.web.privileged`; empty for the file as a whole. */
  readonly key: string;
  /** Why, and what to change. Never holds the value of a secret. */
  readonly message: string;
}

/** `file:line:column key: message`, the way compilers print a finding. */
export function formatDiagnostic(d: ComposeDiagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where} ${d.severity}${d.key ? ` ${d.key}` : ''}: ${d.message}`;
}
