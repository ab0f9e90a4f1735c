import { randomBytes } from 'crypto';
import { availableParallelism } from 'os';
import * as fc from 'fast-check';
import { recordBytesOf, ReleaseRecordMeter } from '../../lib/delivery/private/release-record-meter';

const TWO_CORES = availableParallelism() >= 2;

/** A release-like JSON: repeated YAML with some noise, `kib` KiB long. */
function json(kib: number, seed: number): Buffer {
  const line = `{"kind":"Deployment","metadata":{"name":"web-${seed}"},"noise":"${randomBytes(24).toString('hex')}"}\n`;
  return Buffer.from(line.repeat(Math.ceil((kib * 1024) / line.length)));
}

describe('ReleaseRecordMeter: the release records of a delivery, on a second thread past a few megabytes', () => {
  test('property: every size is what recordBytesOf gives, on the main thread and on the meter\'s thread', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1800 }), { minLength: 4, maxLength: 9 }), (sizes) => {
      const buffers = sizes.map((kib, i) => json(kib, i));
      const meter = new ReleaseRecordMeter();
      try {
        // a fresh buffer each call, as a delivery renders its JSON again: one sent to the thread is moved there
        const measured = buffers.map(b => meter.measure(() => Buffer.from(b)));
        // the thread starts once 4 MiB were measured on the main thread (never on a machine of one core)
        const beforeLast = buffers.slice(0, -1).reduce((n, b) => n + b.length, 0);
        expect(meter.threaded).toBe(beforeLast >= 4 * 1024 * 1024 && TWO_CORES);
        // the thread answers in order: once the last size is read, every earlier one is known without waiting
        measured[measured.length - 1].value();
        expect(measured.map(m => m.known())).toEqual(measured.map(() => true));
        expect(measured.map(m => m.value())).toEqual(buffers.map(recordBytesOf));
      } finally {
        meter.close();
      }
    }), { seed: 15, numRuns: 12 });
  });

  test('a size read after close() is measured on the main thread, without waiting for the thread', () => {
    const meter = new ReleaseRecordMeter();
    const first = json(4200, 1);
    meter.measure(() => Buffer.from(first));
    const second = json(600, 2);
    const size = meter.measure(() => Buffer.from(second));
    expect(meter.threaded).toBe(TWO_CORES);
    meter.close();
    const started = Date.now();
    expect(size.value()).toBe(recordBytesOf(second));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('the size is base64 of gzip at zlib\'s best level (Helm\'s gzip.BestCompression)', () => {
    const b = json(64, 3);
    const { gzipSync, constants } = jest.requireActual<typeof import('zlib')>('zlib');
    expect(recordBytesOf(b)).toBe(Math.ceil(gzipSync(b, { level: constants.Z_BEST_COMPRESSION }).length / 3) * 4);
    expect(recordBytesOf(b) % 4).toBe(0);
  });
});
