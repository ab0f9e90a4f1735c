import { availableParallelism } from 'os';
import { Worker } from 'worker_threads';
import { gzipSync, constants as zlib } from 'zlib';
import type { ReleaseJsonBuffers } from './release-json';

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

/** A size measured already. */
function known(bytes: number): RecordSize {
  return { known: () => true, value: () => bytes };
}

/** A release record's size: measured already, or being measured on the meter's thread. */
export interface RecordSize {
  /** Whether {@link value} returns without waiting. */
  known(): boolean;
  /** The size in bytes (waits for the meter's thread if it is still compressing). */
  value(): number;
}

/** The meter's thread: compresses the release JSON at the start of each job's memory and writes the gzip length into the job's cell. */
const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
const { gzipSync, constants } = require('zlib');
parentPort.on('message', ({ memory, length, cell }) => {
  const size = new Int32Array(cell);
  Atomics.store(size, 0, gzipSync(new Uint8Array(memory, 0, length), { level: constants.Z_BEST_COMPRESSION }).length);
  Atomics.notify(size, 0);
});
`;

/**
 * Release JSON measured on the main thread before the meter starts its thread (a thread costs tens of
 * milliseconds to start): a delivery's first release is always measured there.
 */
const INLINE_BYTES = 4 * 1024 * 1024;
/** How long the meter waits for the thread (for a size, or for shared memory to write into) before measuring on the main thread instead. */
const WAIT_MS = 30_000;
/** Shared memory blocks the JSON of the thread's jobs is written into: one being compressed while the next is written. */
const SLOTS = 2;

/** Shared memory the thread reads a job's JSON from; busy until the job's cell holds its size. */
interface Slot {
  memory: SharedArrayBuffer;
  cell?: Int32Array;
}

/** Buffers a meter keeps for the JSON it measures on the main thread. */
class MainBuffers implements ReleaseJsonBuffers {
  private scratchBuffer = Buffer.alloc(0);
  private outputBuffer = Buffer.alloc(0);

  public scratch(bytes: number): Buffer {
    if (this.scratchBuffer.length < bytes) this.scratchBuffer = Buffer.allocUnsafe(grown(this.scratchBuffer.length, bytes));
    return this.scratchBuffer;
  }

  public output(bytes: number): Buffer {
    if (this.outputBuffer.length < bytes) this.outputBuffer = Buffer.allocUnsafe(grown(this.outputBuffer.length, bytes));
    return this.outputBuffer;
  }
}

/** A new size for a buffer of `size` bytes that must hold `bytes`: at least double, so a delivery grows each buffer a few times. */
function grown(size: number, bytes: number): number {
  return Math.max(bytes, 2 * size);
}

/**
 * Measures the release records of one delivery. The compression at Helm's level is a seventh of a 10,000-service
 * synth (16 ms per chart of 100 web services), so once a delivery has more than a few megabytes of release JSON the
 * meter compresses on a second thread while the main thread renders the next chart. The figures are those of
 * {@link recordBytesOf} either way (the same zlib call). One thread per meter, without a reference that keeps
 * the process alive; {@link close} ends it. On a machine with one core, or if the thread cannot start or does
 * not answer, the meter measures on the main thread.
 *
 * The JSON is written into buffers the meter reuses (and, for the thread, shared memory it reuses): first
 * touches of fresh memory cost more than writing the JSON on the benchmark's VM.
 */
export class ReleaseRecordMeter {
  private worker?: Worker;
  private inline = 0;
  private threadFailed = availableParallelism() < 2;
  private closedThread = false;
  private readonly main = new MainBuffers();
  private readonly slots: Slot[] = [];

  /**
   * Measures the record of the release whose JSON `write` writes into the buffers it is given and returns:
   * called once, or again (with the main thread's buffers) if the thread fails.
   */
  public measure(write: (buffers: ReleaseJsonBuffers) => Buffer): RecordSize {
    if (this.inline < INLINE_BYTES || !this.startThread()) {
      const json = write(this.main);
      this.inline += json.length;
      return known(recordBytesOf(json));
    }
    let slot: Slot | undefined;
    const json = write({
      scratch: bytes => this.main.scratch(bytes),
      output: bytes => {
        slot = this.freeSlot(bytes);
        return slot === undefined ? this.main.output(bytes) : Buffer.from(slot.memory, 0, bytes);
      },
    });
    // the thread did not free a slot in time: measured here
    if (slot === undefined) return known(recordBytesOf(json));
    const cell = new Int32Array(new SharedArrayBuffer(4));
    slot.cell = cell;
    this.worker!.postMessage({ memory: slot.memory, length: json.length, cell: cell.buffer });
    let bytes: number | undefined;
    return {
      known: () => bytes !== undefined || Atomics.load(cell, 0) !== 0,
      value: () => {
        if (bytes === undefined) {
          const gzipped = this.answer(cell);
          bytes = gzipped !== 0 ? base64Length(gzipped) : recordBytesOf(write(this.main));
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

  /** The gzip length the thread wrote into `cell`, waiting for it; 0 if it did not answer (the thread is then stopped). */
  private answer(cell: Int32Array): number {
    // a thread that did not answer once (or was closed) is not waited for again
    if (!this.threadFailed) Atomics.wait(cell, 0, 0, WAIT_MS);
    const gzipped = Atomics.load(cell, 0);
    if (gzipped === 0) this.stopThread();
    return gzipped;
  }

  /**
   * Shared memory of at least `bytes` bytes whose job is done: a free slot, a new one while there are fewer than
   * {@link SLOTS}, else the oldest once the thread has measured it (undefined if it does not answer).
   */
  private freeSlot(bytes: number): Slot | undefined {
    const isFree = (slot: Slot) => slot.cell === undefined || Atomics.load(slot.cell, 0) !== 0;
    let slot = this.slots.find(isFree) ?? (this.slots.length < SLOTS ? undefined : this.slots[0]);
    if (slot === undefined) {
      slot = { memory: new SharedArrayBuffer(bytes) };
      this.slots.push(slot);
    } else if (!isFree(slot) && this.answer(slot.cell!) === 0) {
      return undefined;
    }
    // the slot is used last now: the next wait is for the oldest job
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.slots.push(slot);
    if (slot.memory.byteLength < bytes) slot.memory = new SharedArrayBuffer(grown(slot.memory.byteLength, bytes));
    slot.cell = undefined;
    return slot;
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
