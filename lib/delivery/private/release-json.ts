import { escapeHelmTemplate } from '../helm-chart-directory';

/**
 * Where {@link releaseJson} writes. A meter passes buffers it reuses from one release to the next: on a
 * machine where first touching memory is slow (about 6 ms per MB on the 2-core benchmark VM), fresh buffers
 * for each release cost five times the writing itself.
 */
export interface ReleaseJsonBuffers {
  /** A buffer of at least `bytes` bytes that the writer may overwrite; its content is not kept. */
  scratch(bytes: number): Buffer;
  /** The buffer the JSON is written into, of at least `bytes` bytes. */
  output(bytes: number): Buffer;
}

/** Buffers allocated for one release. */
export const FRESH_BUFFERS: ReleaseJsonBuffers = {
  scratch: bytes => Buffer.allocUnsafe(bytes),
  output: bytes => Buffer.allocUnsafe(bytes),
};

/** What a release record holds as chart files: the file's name and content. */
export interface ReleaseChart {
  readonly chartName: string;
  readonly chartVersion: string;
  /** Every file of the chart: relative path → content. */
  readonly files: ReadonlyMap<string, string>;
}

/** The fields of a release record besides the chart and the manifest, at their largest usual length. */
const RELEASE_INFO = '"info":{"first_deployed":"2006-01-02T15:04:05.999999999Z","last_deployed":"2006-01-02T15:04:05.999999999Z",'
  + '"deleted":"","description":"Upgrade complete","status":"deployed"}';
const MANIFEST_OPEN = ']},"manifest":"';
const RECORD_CLOSE = '","version":1}';
const TEMPLATE_CLOSE = '"}';

/**
 * Releases whose files have this many bytes or more are encoded and escaped by the loops below, straight into
 * the output: once optimized they are 3-6x faster than Node's `toString('base64')` and `JSON.stringify` with
 * their intermediate strings, but the first few hundred kilobytes run before V8 has optimized them, several
 * times slower. A small delivery's one release (10 web services: 68 KB, 2 ms against 8 ms) takes Node's own
 * functions.
 */
const LOOP_BYTES = 128 * 1024;

/** One chart file in the record: where its UTF-8 bytes are in the scratch buffer, and what it adds to the manifest. */
interface FilePlan {
  readonly open: string;
  readonly start: number;
  readonly end: number;
  /** The manifest's `# Source` line of a template, escaped (undefined for a file outside templates/). */
  readonly source?: string;
  /** The template's manifest text as escaped JSON, in a small release or when it cannot be escaped from its bytes (restored braces, U+FFFD, lone surrogates). */
  readonly escaped?: Buffer;
  /** Bytes of the template in the manifest. */
  readonly manifestBytes: number;
}

/**
 * The release as Helm serializes it (the parts that matter for its size), as JSON: exactly
 * `JSON.stringify({ name, info, chart: { metadata, templates: [{ name, data: base64 }] }, manifest, version })`.
 * Each file is encoded to UTF-8 once, into `buffers.scratch`: its bytes are written as base64 and, escaped, into
 * the manifest, straight into `buffers.output` (base64 needs no JSON escaping). Returns a view of the output.
 */
export function releaseJson(chart: ReleaseChart, buffers: ReleaseJsonBuffers = FRESH_BUFFERS): Buffer {
  const files = [...chart.files];
  let encodedBytes = 0;
  for (const [, data] of files) encodedBytes += Buffer.byteLength(data);
  const encoded = buffers.scratch(encodedBytes);
  const loops = encodedBytes >= LOOP_BYTES;
  let at = 0;
  const plans = files.map(([name, data], i) => {
    const start = at;
    at += encoded.write(data, at);
    return planFile(chart.chartName, name, data, i, encoded, start, at, loops);
  });
  const open = `{"name":${JSON.stringify(chart.chartName)},${RELEASE_INFO},"chart":{"metadata":${JSON.stringify({ name: chart.chartName, version: chart.chartVersion })},"templates":[`;
  let total = Buffer.byteLength(open) + MANIFEST_OPEN.length + RECORD_CLOSE.length;
  for (const p of plans) {
    total += Buffer.byteLength(p.open) + base64Length(p.end - p.start) + TEMPLATE_CLOSE.length;
    if (p.source !== undefined) total += Buffer.byteLength(p.source) + p.manifestBytes;
  }
  const out = buffers.output(total);
  let o = out.write(open, 0);
  for (const p of plans) {
    o += out.write(p.open, o);
    o = loops ? base64Into(encoded, p.start, p.end, out, o) : o + out.write(encoded.toString('base64', p.start, p.end), o, 'latin1');
    o += out.write(TEMPLATE_CLOSE, o);
  }
  o += out.write(MANIFEST_OPEN, o);
  for (const p of plans) {
    if (p.source === undefined) continue;
    o += out.write(p.source, o);
    o = p.escaped !== undefined ? o + p.escaped.copy(out, o) : escapeInto(encoded, p.start, p.end, out, o);
  }
  o += out.write(RECORD_CLOSE, o);
  return out.subarray(0, o);
}

function planFile(chartName: string, name: string, data: string, index: number, encoded: Buffer, start: number, end: number, loops: boolean): FilePlan {
  const open = `${index === 0 ? '' : ','}{"name":${JSON.stringify(name)},"data":"`;
  if (!name.startsWith('templates/')) return { open, start, end, manifestBytes: 0 };
  // the manifest is one JSON string: the JSON of each piece without its quotes (ASCII headers split no character)
  const source = JSON.stringify(`---\n# Source: ${chartName}/${name}\n`).slice(1, -1);
  const plain = unescape(data);
  if (!loops || plain !== data || encoded.subarray(start, end).includes(REPLACEMENT_CHARACTER)) {
    const escaped = jsonChars(plain);
    return { open, start, end, source, escaped, manifestBytes: escaped.length };
  }
  return { open, start, end, source, manifestBytes: end - start + escapeExtra(encoded, start, end) };
}

const ESCAPED_BRACES = escapeHelmTemplate('{{');

function unescape(text: string): string {
  return text.includes(ESCAPED_BRACES) ? text.split(ESCAPED_BRACES).join('{{') : text;
}

/** Bytes an ASCII byte gains when escaped in a JSON string: 0 (as it is), 1 (`\n`) or 5 (`\u001b`). */
const JSON_ESCAPE_EXTRA = new Uint8Array(128).map((_, b) => {
  if (b === 0x22 || b === 0x5c || b === 0x08 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d) return 1;
  return b < 0x20 ? 5 : 0;
});
/** The letter after the backslash of a short escape (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`, `\r`), by byte. */
const SHORT_ESCAPES = new Uint8Array(128);
[[0x22, 0x22], [0x5c, 0x5c], [0x08, 0x62], [0x09, 0x74], [0x0a, 0x6e], [0x0c, 0x66], [0x0d, 0x72]].forEach(([b, letter]) => { SHORT_ESCAPES[b] = letter; });
const HEX = Buffer.from('0123456789abcdef');
/** What `Buffer.from` writes for a lone surrogate (and for U+FFFD itself). */
const REPLACEMENT_CHARACTER = Buffer.from([0xef, 0xbf, 0xbd]);

/**
 * The UTF-8 bytes of `text` as a JSON string, without the quotes: exactly `JSON.stringify(text)` minus its
 * quotes. Given `bytes` (`Buffer.from(text)`), the escaping is done on them, without a second encoding of the
 * text; text with U+FFFD or a lone surrogate (which the UTF-8 bytes cannot tell apart, while JSON.stringify
 * escapes the latter) takes the string path.
 */
export function jsonChars(text: string, bytes?: Buffer): Buffer {
  if (bytes === undefined || bytes.includes(REPLACEMENT_CHARACTER)) {
    const json = Buffer.from(JSON.stringify(text));
    return json.subarray(1, json.length - 1);
  }
  const extra = escapeExtra(bytes, 0, bytes.length);
  if (extra === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + extra);
  escapeInto(bytes, 0, bytes.length, out, 0);
  return out;
}

/** Bytes that escaping `src[start..end)` for a JSON string adds. */
function escapeExtra(src: Uint8Array, start: number, end: number): number {
  let extra = 0;
  for (let i = start; i < end; i++) {
    const b = src[i];
    if (b < 128) extra += JSON_ESCAPE_EXTRA[b];
  }
  return extra;
}

/** Writes `src[start..end)` escaped for a JSON string (UTF-8 bytes, as JSON.stringify escapes) at `out[o]`; returns the end. */
function escapeInto(src: Uint8Array, start: number, end: number, out: Uint8Array, o: number): number {
  for (let i = start; i < end; i++) {
    const b = src[i];
    if (b >= 128 || JSON_ESCAPE_EXTRA[b] === 0) {
      out[o++] = b;
    } else if (JSON_ESCAPE_EXTRA[b] === 1) {
      out[o++] = 0x5c;
      out[o++] = SHORT_ESCAPES[b];
    } else {
      // \u00XX, lower-case hex as JSON.stringify writes it
      out[o++] = 0x5c;
      out[o++] = 0x75;
      out[o++] = 0x30;
      out[o++] = 0x30;
      out[o++] = HEX[b >>> 4]; // eslint-disable-line no-bitwise
      out[o++] = HEX[b & 15]; // eslint-disable-line no-bitwise
    }
  }
  return o;
}

const BASE64_DIGITS = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const PAD = 0x3d; // '='

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Standard base64 (with padding) of `src`, as bytes: `Buffer.from(src.toString('base64'))` without the string. */
export function base64(src: Buffer): Buffer {
  const out = Buffer.allocUnsafe(base64Length(src.length));
  base64Into(src, 0, src.length, out, 0);
  return out;
}

/* eslint-disable no-bitwise */ // base64 is bit arithmetic: 3 bytes → 4 digits of 6 bits
/** Writes the standard base64 (with padding) of `src[start..end)` at `out[o]`; returns the end. */
function base64Into(src: Uint8Array, start: number, end: number, out: Uint8Array, o: number): number {
  const whole = end - ((end - start) % 3);
  for (let i = start; i < whole; i += 3) {
    const x = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
    out[o++] = BASE64_DIGITS[x >>> 18];
    out[o++] = BASE64_DIGITS[(x >>> 12) & 63];
    out[o++] = BASE64_DIGITS[(x >>> 6) & 63];
    out[o++] = BASE64_DIGITS[x & 63];
  }
  if (whole < end) {
    const x = (src[whole] << 16) | (whole + 1 < end ? src[whole + 1] << 8 : 0);
    out[o++] = BASE64_DIGITS[x >>> 18];
    out[o++] = BASE64_DIGITS[(x >>> 12) & 63];
    out[o++] = whole + 1 < end ? BASE64_DIGITS[(x >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return o;
}
/* eslint-enable no-bitwise */
