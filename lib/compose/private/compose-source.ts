import { Document, isMap, isScalar, isSeq, LineCounter, Node, parseDocument, visit } from 'yaml';
import { ValidationError } from '../../errors';
import { ComposeDiagnostic, DiagnosticSeverity, formatDiagnostic } from '../compose-diagnostic';

/** A path of keys and indexes into the Compose document. */
export type KeyPath = ReadonlyArray<string | number>;

/** `services.web.ports[0]`. */
export function keyString(path: KeyPath): string {
  return path.map((p, i) => typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`).join('');
}

/** A line and column (1-based). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed YAML file that keeps the position of every key and value. */
export class ComposeSource {
  /** Parses `text`; a file that is not YAML (or holds more than one document) is a ValidationError. */
  public static parse(file: string, text: string): ComposeSource {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
    const source = new ComposeSource(file, doc, lineCounter);
    const errors = doc.errors.map(e => source.diagnostic(DiagnosticSeverity.ERROR, [], `is not valid YAML: ${e.message.split('\n')[0]}`, e.pos[0]));
    if (errors.length > 0) throw importError(file, errors);
    if (!isMap(doc.contents)) {
      throw importError(file, [source.diagnostic(DiagnosticSeverity.ERROR, [], 'is not a Compose file: its top level must be a mapping with a `services:` key.')]);
    }
    return source;
  }

  private constructor(
    /** The file name, as given. */
    public readonly file: string,
    /** The YAML document (values are interpolated in place). */
    public readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The document as plain data. */
  public toJs(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 });
  }

  /** Where `path` is written: the key of its last segment when it has one, else its value. */
  public at(path: KeyPath): Position {
    let node: unknown = this.doc.contents;
    let offset = 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(p => (isScalar(p.key) ? p.key.value : p.key) === segment);
        if (!pair) break;
        offset = (pair.key as Node | undefined)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        offset = (node as Node).range?.[0] ?? offset;
      } else {
        break;
      }
    }
    return this.position(offset);
  }

  /** A diagnostic about `path` (or about a byte offset of the file). */
  public diagnostic(severity: DiagnosticSeverity, path: KeyPath, message: string, offset?: number): ComposeDiagnostic {
    const { line, column } = offset !== undefined ? this.position(offset) : path.length ? this.at(path) : { line: 0, column: 0 };
    return { severity, file: this.file, line, column, key: keyString(path), message };
  }

  /** Replaces every string value (never a key) by `replace(value, path, offset)`. */
  public mapStrings(replace: (value: string, path: KeyPath, offset: number) => string): void {
    visit(this.doc, {
      Scalar: (key, node, ancestors) => {
        if (key === 'key' || typeof node.value !== 'string') return;
        node.value = replace(node.value, pathOf(ancestors, node), node.range?.[0] ?? 0);
      },
    });
  }

  private position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

/** The key path of `node` from the visitor's ancestors (document, maps, pairs, sequences). */
function pathOf(ancestors: readonly unknown[], node: unknown): Array<string | number> {
  const path: Array<string | number> = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) {path.push(parent.items.indexOf(child as never));} else if (isMap(parent)) {
      const pair = child as { key?: unknown };
      path.push(String(isScalar(pair.key) ? pair.key.value : pair.key));
    }
  }
  return path;
}

/** The ValidationError that stops an import: every finding, one a line, `prop` the file. */
export function importError(file: string, findings: readonly ComposeDiagnostic[]): ValidationError {
  const lines = findings.map(d => `  ${formatDiagnostic(d)}`).join('\n');
  const count = findings.length === 1 ? 'a problem' : `${findings.length} problems`;
  return new ValidationError(`Compose file ${file} has ${count}; fix ${findings.length === 1 ? 'it' : 'them'} and import again:\n${lines}`,
    { prop: file, value: findings.map(d => d.key) });
}
