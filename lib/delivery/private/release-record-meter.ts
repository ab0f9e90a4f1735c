import { availableParallelism } from 'os';
import { Worker } from 'worker_threads';
import { gzipSync, constants as zlib } from 'zlib';

/**
 * Bytes of the Secret data Helm stores for a release whose JSON is `json`: base64 of gzip at Helm's level
 * (helm.sh/helm pkg/storage/driver/util.go `encodeRelease`: gzip.BestCompression, base64 StdEncoding). zlib's
 * best level (9) is that level; Go's compressor is not zlib, so the figures differ by a few bytes per thousand,
 * within the budget's 48 KiB margin.
 */
export function recordBytesOf(json: Uint8Array): number {
  return base64Length(gzipSync(json, { level: zlib.Z_BEST_COMPRESSION }).length);
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** A release record's size: measured already, or being measured on the meter's thread. */
export interface RecordSize {
  /** Whether {@link value} returns without waiting. */
  known(): boolean;
  /** The size in bytes (waits for the meter's thread if it is still compressing). */
  value(): number;
}

/** The meter's thread: compresses each release JSON it is sent and writes the gzip length into the job's cell. */
const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
const { gzipSync, constants } = require('zlib');
parentPort.on('message', ({ json, cell }) => {
  const size = new Int32Array(cell);
  Atomics.store(size, 0, gzipSync(json, { level: constants.Z_BEST_COMPRESSION }).length);
  Atomics.notify(size, 0);
});
`;

/**
 * Release JSON measured on the main thread before the meter starts its thread (a thread costs tens of
 * milliseconds to start): a delivery's first release is always measured there.
 */
const INLINE_BYTES = 4 * 1024 * 1024;
/** How long {@link RecordSize.value} waits for the thread before measuring on the main thread instead. */
const WAIT_MS = 30_000;

/**
 * Measures the release records of one delivery. The compression at Helm's level is a seventh of a 10,000-service
 * synth (16 ms per chart of 100 web services), so once a delivery has more than a few megabytes of release JSON the
 * meter compresses on a second thread while the main thread renders the next chart. The figures are those of
 * {@link recordBytesOf} either way (the same zlib call). One thread per meter, without a reference that keeps
 * the process alive; {@link close} ends it. On a machine with one core, or if the thread cannot start or does
 * not answer, the meter measures on the main thread.
 */
export class ReleaseRecordMeter {
  private worker?: Worker;
  private inline = 0;
  private threadFailed = availableParallelism() < 2;
  private closedThread = false;

  /**
   * Measures the record of the release whose JSON `jsonOf` returns: called once, or again if the thread fails.
   * Each call must return a new buffer the caller does not keep: one sent to the thread is moved there.
   */
  public measure(jsonOf: () => Buffer): RecordSize {
    const json = jsonOf();
    if (this.inline < INLINE_BYTES || !this.startThread()) {
      this.inline += json.length;
      const bytes = recordBytesOf(json);
      return { known: () => true, value: () => bytes };
    }
    const cell = new Int32Array(new SharedArrayBuffer(4));
    // a buffer that owns its memory is moved to the thread, not copied (a late fallback renders the JSON again)
    const owned = json.byteOffset === 0 && json.byteLength === json.buffer.byteLength && json.buffer instanceof ArrayBuffer;
    this.worker!.postMessage({ json, cell: cell.buffer }, owned ? [json.buffer as ArrayBuffer] : []);
    let bytes: number | undefined;
    const known = () => bytes !== undefined || Atomics.load(cell, 0) !== 0;
    return {
      known,
      value: () => {
        if (bytes === undefined) {
          // a thread that did not answer once (or was closed) is not waited for again
          if (!this.threadFailed) Atomics.wait(cell, 0, 0, WAIT_MS);
          const gzipped = Atomics.load(cell, 0);
          if (gzipped === 0) this.stopThread();
          bytes = gzipped !== 0 ? base64Length(gzipped) : recordBytesOf(jsonOf());
        }
        return bytes;
      },
    };
  }

  /** Whether a thread measures (or measured) records. */
  public get threaded(): boolean {
    return this.worker !== undefined || this.closedThread;
  }

  /** Ends the thread, if one was started; a size read later is measured on the main thread if the thread had not answered. */
  public close(): void {
    this.stopThread();
  }

  /** No more jobs for the thread (closed, or it did not answer): what it has not measured is measured here. */
  private stopThread(): void {
    this.threadFailed = true;
    if (this.worker === undefined) return;
    void this.worker.terminate();
    this.worker = undefined;
    this.closedThread = true;
  }

  private startThread(): boolean {
    if (this.threadFailed) return false;
    if (this.worker !== undefined) return true;
    try {
      // no flag, loader or --require of the parent (tsx, ts-node, NODE_OPTIONS): the thread needs zlib only
      this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], env: { ...process.env, NODE_OPTIONS: '' } });
      // an error of the thread (it ran out of memory) must not end the process; the sizes it did not write are
      // measured here (the event arrives once the synchronous synthesis yields, so a wait may still time out first)
      this.worker.on('error', () => this.stopThread());
      this.worker.unref();
      return true;
    } catch {
      this.threadFailed = true;
      return false;
    }
  }
}
