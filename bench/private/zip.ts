/**
 * A zip reader for stored and deflated entries (no ZIP64), through the central directory: the benchmark reads
 * zipped assets with it, the tests read helm out of the kubectl layer's zip.
 */
import * as fs from 'fs';
import { inflateRawSync } from 'zlib';

interface ZipEntry {
  readonly name: string;
  /** The entry's content, inflated. */
  read(): Buffer;
}

/** The entries of `file`, each read only when asked. */
function* zipEntries(file: string): Generator<ZipEntry> {
  const zip = fs.readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: corrupt central directory`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    yield {
      name,
      read: () => {
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const data = zip.subarray(start, start + size);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`${file}: ${name} uses compression method ${method} (only stored and deflated are read)`);
      },
    };
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
}

/** The files of a zip archive (directories left out). */
export function readZip(file: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of zipEntries(file)) if (!entry.name.endsWith('/')) out.set(entry.name, entry.read());
  return out;
}

/** One entry of a zip archive, or throws. */
export function readZipEntry(file: string, name: string): Buffer {
  for (const entry of zipEntries(file)) if (entry.name === name) return entry.read();
  throw new Error(`${file}: no entry ${name}`);
}
