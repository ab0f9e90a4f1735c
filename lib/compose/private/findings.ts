import { ComposeDiagnostic, DiagnosticSeverity } from '../compose-diagnostic';
import { ComposeSource, KeyPath } from './compose-source';

/** The diagnostics of one import, located in the Compose file (or in a file it names). */
export class Findings {
  public readonly list: ComposeDiagnostic[] = [];

  constructor(public readonly source: ComposeSource) {}

  /** Mapped, with an adaptation worth knowing. */
  public info(path: KeyPath, message: string): void {
    this.list.push(this.source.diagnostic(DiagnosticSeverity.INFO, path, message));
  }

  /** Not mapped (an error under `strict`). */
  public warn(path: KeyPath, message: string): void {
    this.list.push(this.source.diagnostic(DiagnosticSeverity.WARNING, path, message));
  }

  /** Cannot be imported. */
  public error(path: KeyPath, message: string): void {
    this.list.push(this.source.diagnostic(DiagnosticSeverity.ERROR, path, message));
  }

  /** A finding in another file (an env_file or a config file), at a line of it. */
  public inFile(severity: DiagnosticSeverity, file: string, line: number, key: string, message: string): void {
    this.list.push({ severity, file, line, column: line > 0 ? 1 : 0, key, message });
  }

  public get hasErrors(): boolean {
    return this.list.some(d => d.severity === DiagnosticSeverity.ERROR);
  }
}
