/**
 * The few file operations the WAL needs, over an explicit node:fs/promises FileHandle. They are an interface so a
 * test can hold a sync in flight (to observe group commit deterministically) or make one fail, without timing.
 */
import { constants, open, type FileHandle } from "node:fs/promises"
import { WalShortIo } from "./walErrors.ts"

export interface WalFile {
  readonly path: string
  sizeBytes(): Promise<number>
  /** Reads exactly `length` bytes from `position`. */
  readExactly(position: number, length: number): Promise<Uint8Array>
  /** Writes all of `bytes` at `position`, looping over short writes. */
  writeFully(bytes: Uint8Array, position: number): Promise<void>
  /** fdatasync: returns only once the data and the metadata needed to read it (the size) are durable. */
  datasync(): Promise<void>
  truncate(lengthBytes: number): Promise<void>
  close(): Promise<void>
}

// A short write is legal for write(2); each retry makes progress, so this many is only reached by a broken kernel.
const shortWritesMax = 1024

export const openWalFile = async (path: string): Promise<WalFile> => {
  // O_RDWR | O_CREAT without O_APPEND: the WAL writes at positions it computed itself, so a truncated torn tail is
  // overwritten in place and an append never lands after bytes the decoder rejected.
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644)
  return fileOf(path, handle)
}

const fileOf = (path: string, handle: FileHandle): WalFile => ({
  path,
  sizeBytes: async () => (await handle.stat()).size,
  readExactly: async (position, length) => {
    const bytes = new Uint8Array(length)
    let done = 0
    for (let attempt = 0; done < length && attempt < shortWritesMax; attempt += 1) {
      const { bytesRead } = await handle.read(bytes, done, length - done, position + done)
      if (bytesRead === 0)
        throw new WalShortIo({ path, operation: "read", position, doneBytes: done, wantedBytes: length })
      done += bytesRead
    }
    if (done !== length)
      throw new WalShortIo({ path, operation: "read", position, doneBytes: done, wantedBytes: length })
    return bytes
  },
  writeFully: async (bytes, position) => {
    let done = 0
    for (let attempt = 0; done < bytes.length && attempt < shortWritesMax; attempt += 1) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done)
      done += bytesWritten
    }
    if (done !== bytes.length)
      throw new WalShortIo({ path, operation: "write", position, doneBytes: done, wantedBytes: bytes.length })
  },
  datasync: () => handle.datasync(),
  truncate: (lengthBytes) => handle.truncate(lengthBytes),
  close: () => handle.close()
})
