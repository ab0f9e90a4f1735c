import { randomBytes } from 'crypto';
import { availableParallelism } from 'os';
import * as fc from 'fast-check';
import { ReleaseJsonBuffers } from '../../lib/delivery/private/release-json';
import { recordBytesOf, ReleaseRecordMeter } from '../../lib/delivery/private/release-record-meter';

const TWO_CORES = availableParallelism() >= 2;

/** A release-like JSON: repeated YAML with some noise, `kib` KiB long. */
function json(kib: number, seed: number): Buffer {
  const line = `{"kind":"Deployment","metadata":{"name":"web-${seed}"},"noise":"${randomBytes(24).toString('hex')}"}\n`;
  return Buffer.from(line.repeat(Math.ceil((kib * 1024) / line.length)));
}

/** Writes `b` as a release JSON writer does: through the scratch buffer into the output buffer it is given. */
function writer(b: Buffer, memories?: Set<ArrayBufferLike>): (buffers: ReleaseJsonBuffers) => Buffer {
  return buffers => {
    const scratch = buffers.scratch(b.length);
    b.copy(scratch);
    const out = buffers.output(b.length);
    memories?.add(out.buffer);
    scratch.copy(out, 0, 0, b.length);
    return out.subarray(0, b.length);
  };
}

describe('ReleaseRecordMeter: the release records of a delivery, on a second thread past a few megabytes', () => {
  test('property: every size is what recordBytesOf gives, on the main thread and on the meter\'s thread', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1800 }), { minLength: 4, maxLength: 9 }), (sizes) => {
      const buffers = sizes.map((kib, i) => json(kib, i));
      const meter = new ReleaseRecordMeter();
      try {
        // the meter reuses its buffers: a job's shared memory is written again only once the thread measured it
        const measured = buffers.map(b => meter.measure(writer(b)));
        // the thread starts once 4 MiB were measured on the main thread (never on a machine of one core)
        const beforeLast = buffers.slice(0, -1).reduce((n, b) => n + b.length, 0);
        expect(meter.threaded).toBe(beforeLast >= 4 * 1024 * 1024 && TWO_CORES);
        // the thread answers in order: once the last size is read, every earlier one is known without waiting
        measured[measured.length - 1].value();
        expect(measured.map(m => m.known())).toEqual(measured.map(() => true));
        expect(measured.map(m => m.value())).toEqual(buffers.map(recordBytesOf));
        // and again, read in reverse
        const again = buffers.map(b => meter.measure(writer(b))).reverse().map(m => m.value()).reverse();
        expect(again).toEqual(buffers.map(recordBytesOf));
      } finally {
        meter.close();
      }
    }), { seed: 15, numRuns: 12 });
  });

  test('a size read after close() is measured on the main thread, without waiting for the thread', () => {
    const meter = new ReleaseRecordMeter();
    const first = json(4200, 1);
    meter.measure(writer(first));
    const second = json(600, 2);
    const size = meter.measure(writer(second));
    expect(meter.threaded).toBe(TWO_CORES);
    meter.close();
    const started = Date.now();
    expect(size.value()).toBe(recordBytesOf(second));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('the JSON is written into memory the meter reuses: one buffer on the main thread, two shared blocks for the thread', () => {
    const meter = new ReleaseRecordMeter();
    const memories = new Set<ArrayBufferLike>();
    try {
      const sizes = [1500, 1400, 1300, 1200, 1100, 1000, 900, 800].map((kib, i) => meter.measure(writer(json(kib, i), memories)));
      sizes.forEach(size => size.value());
    } finally {
      meter.close();
    }
    // the first three (4.2 MB) on the main thread, the others on the thread (main-thread buffers on one core)
    const shared = [...memories].filter(m => m instanceof SharedArrayBuffer);
    expect({ main: memories.size - shared.length, shared: shared.length }).toEqual(TWO_CORES ? { main: 1, shared: 2 } : { main: 1, shared: 0 });
  });

  test('the size is base64 of gzip at zlib\'s best level (Helm\'s gzip.BestCompression)', () => {
    const b = json(64, 3);
    const { gzipSync, constants } = jest.requireActual<typeof import('zlib')>('zlib');
    expect(recordBytesOf(b)).toBe(Math.ceil(gzipSync(b, { level: constants.Z_BEST_COMPRESSION }).length / 3) * 4);
    expect(recordBytesOf(b) % 4).toBe(0);
  });
});
