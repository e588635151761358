/**
 * The node's WAL adapter: Persist outputs become records of src/storage's WriteAheadLog (framing, group commit,
 * fdatasync, torn-tail truncation), and on start the records are replayed into the replica's DurableState.
 *
 * Mid-log corruption: the damaged record and everything after it are never replayed. A `recovering` marker file
 * is written first, then the storage layer quarantines the damaged file and keeps only its valid prefix: the
 * truncated file alone would look clean at the next start, and a replica that forgot what it acknowledged must
 * keep refusing to vote until a leader has caught it up (the marker is removed then).
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Context, Data, Effect, Layer } from "effect"
import type { DurableState } from "../protocol/index.ts"
import { assert, AssertionFailure } from "../assert.ts"
import {
  describeFinding,
  isCorruption,
  isWalStorageError,
  WriteAheadLog,
  type WalStorageError
} from "../storage/index.ts"
import { encodePersist, replayWalRecords, type WalRecord } from "../storage/walRecord.ts"
import { rewriteTrustingPayloads } from "./walTrustingPayloads.ts"

/**
 * A file operation of the adapter or the storage layer that is not already a typed storage error: opening the
 * file, the `recovering` marker, a directory sync. `code` is the errno name (ENOSPC, EACCES, EIO…) when there is one.
 */
export class WalIoFailed extends Data.TaggedError("WalIoFailed")<{
  readonly operation: "recover" | "append" | "markRecovered"
  readonly code: string | undefined
  readonly detail: string
}> {
  override get message(): string {
    return `WAL ${this.operation} failed${this.code === undefined ? "" : ` (${this.code})`}: ${this.detail}`
  }
}

/**
 * A record that is intact and correctly chained, yet does not decode as a WalRecord: a writer bug or a format change,
 * not a disk fault. Recovery refuses to guess rather than silently drop records that were acknowledged.
 */
export class WalRecordUnreadable extends Data.TaggedError("WalRecordUnreadable")<{
  /** 1-based position of the record in the file. */
  readonly position: number
  readonly reason: string
}> {
  override get message(): string {
    return `WAL record ${this.position} is intact but unreadable: ${this.reason}`
  }
}

/** What the node's WAL fails with: the storage layer's own tagged errors, kept as they are, and the adapter's. */
export type WalError = WalStorageError | WalIoFailed | WalRecordUnreadable

export interface WalRecovery {
  readonly durable: DurableState
  /** What the decoder found where it stopped, as one line (Clean, TornTail, or a corruption). */
  readonly finding: string
  readonly corruptionDetected: boolean
  /** Set when an earlier start found corruption and the replica has not caught up since. */
  readonly recoveringFromEarlierStart: boolean
  readonly recordCount: number
  readonly truncatedTailBytes: number
  readonly discardedBytes: number
  readonly quarantineFile: string | undefined
  /** Records replayed although they failed their checksum: always 0 unless a test image's bug set names applyCorruptRecords. */
  readonly corruptRecordsTrusted: number
}

export interface WalStats {
  readonly records: number
  readonly syncs: number
  readonly bytes: number
  readonly largestBatchRecords: number
}

export interface WalService {
  readonly recover: Effect.Effect<WalRecovery, WalError>
  /** Durable once the returned effect succeeds (after fdatasync); many records share one sync. */
  readonly append: (records: ReadonlyArray<WalRecord>) => Effect.Effect<void, WalError>
  /** The replica caught up after corruption: forget the marker. */
  readonly markRecovered: Effect.Effect<void, WalError>
  readonly stats: () => WalStats
  readonly close: Effect.Effect<void>
}

export class Wal extends Context.Tag("faultline/node/Wal")<Wal, WalService>() {}

const recoveringMarkerName = "recovering"
/** Keeps each append call well under the storage layer's 8 MiB batch bound. */
const appendBytesTarget = 4 * 1024 * 1024

const asWalError = (operation: WalIoFailed["operation"], cause: unknown): WalError => {
  if (isWalStorageError(cause) || cause instanceof WalRecordUnreadable) return cause
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  return new WalIoFailed({
    operation,
    code: typeof code === "string" ? code : undefined,
    detail: cause instanceof Error ? cause.message : String(cause)
  })
}

/** A failed assertion stays a defect (a bug report); everything else becomes a typed WalError. */
const attempt = <A>(operation: WalIoFailed["operation"], run: () => Promise<A>): Effect.Effect<A, WalError> =>
  Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
    Effect.catchAll((cause) =>
      cause instanceof AssertionFailure ? Effect.die(cause) : Effect.fail(asWalError(operation, cause))
    )
  )

const markerExists = async (directory: string): Promise<boolean> =>
  fs.access(path.join(directory, recoveringMarkerName)).then(
    () => true,
    () => false
  )

const writeMarker = async (directory: string, text: string): Promise<void> => {
  const handle = await fs.open(path.join(directory, recoveringMarkerName), "w")
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  const directoryHandle = await fs.open(directory, "r")
  await directoryHandle.sync().finally(() => directoryHandle.close())
}

const recoverLog = async (
  directory: string,
  log: WriteAheadLog,
  corruptRecordsTrusted: number
): Promise<WalRecovery> => {
  const recovered = await log.recover()
  const replay = replayWalRecords(recovered.records.map((record) => record.payload))
  if (replay.badRecordPosition !== undefined) {
    // Intact, correctly chained, yet unreadable: a writer bug or a format change, not a disk fault. Refuse to
    // guess rather than silently drop records that were acknowledged.
    throw new WalRecordUnreadable({ position: replay.badRecordPosition + 1, reason: String(replay.badRecordReason) })
  }
  const corruptionDetected = isCorruption(recovered.finding)
  const recoveringFromEarlierStart = await markerExists(directory)
  let discard: { quarantineFileName: string; discardedBytes: number } | undefined
  if (corruptionDetected) {
    await writeMarker(directory, describeFinding(recovered.finding))
    discard = await log.discardDamagedSuffix()
  }
  return {
    durable: {
      hardState: replay.hardState,
      log: replay.log,
      damaged: corruptionDetected || recoveringFromEarlierStart
    },
    finding: describeFinding(recovered.finding),
    corruptionDetected,
    recoveringFromEarlierStart,
    recordCount: recovered.records.length,
    truncatedTailBytes: recovered.truncatedBytes,
    discardedBytes: discard?.discardedBytes ?? 0,
    quarantineFile: discard?.quarantineFileName,
    corruptRecordsTrusted
  }
}

/** Splits the payloads of a batch into append calls under the storage layer's batch bound. */
const appendGroups = (records: ReadonlyArray<WalRecord>): Array<Array<Uint8Array>> => {
  const groups: Array<Array<Uint8Array>> = []
  let current: Array<Uint8Array> = []
  let currentBytes = 0
  for (const payload of records.flatMap(encodePersist)) {
    if (current.length > 0 && currentBytes + payload.length > appendBytesTarget) {
      groups.push(current)
      current = []
      currentBytes = 0
    }
    current.push(payload)
    currentBytes += payload.length + 64
  }
  if (current.length > 0) groups.push(current)
  return groups
}

const makeLiveWal = (directory: string, options: WalLiveOptions): WalService => {
  let log: WriteAheadLog | undefined
  const opened = (): WriteAheadLog => {
    assert(log !== undefined, "the node appends to its WAL only after recovering it")
    return log
  }
  return {
    recover: attempt("recover", async () => {
      // The test-only bug rewrites the file before the strict decoder reads it (src/node/walTrustingPayloads.ts).
      const corruptRecordsTrusted =
        options.applyCorruptRecords === true ? ((await rewriteTrustingPayloads(directory)) ?? 0) : 0
      log = await WriteAheadLog.open({ directory })
      return recoverLog(directory, log, corruptRecordsTrusted)
    }),
    append: (records) =>
      attempt("append", async () => {
        const wal = opened()
        // Every group is queued before the first sync completes, so the storage layer writes them together.
        await Promise.all(appendGroups(records).map((group) => wal.append(group)))
      }),
    markRecovered: attempt("markRecovered", async () => {
      await fs.rm(path.join(directory, recoveringMarkerName), { force: true })
      const directoryHandle = await fs.open(directory, "r")
      await directoryHandle.sync().finally(() => directoryHandle.close())
    }),
    stats: () => {
      const statistics = log?.statistics()
      return {
        records: statistics?.records ?? 0,
        syncs: statistics?.syncs ?? 0,
        bytes: statistics?.bytes ?? 0,
        largestBatchRecords: statistics?.largestBatchRecords ?? 0
      }
    },
    close: Effect.promise(async () => {
      await log?.close().catch(() => undefined)
    })
  }
}

export interface WalLiveOptions {
  /** The `applyCorruptRecords` bug: set only from a test image's compile-time bug set, never from an option. */
  readonly applyCorruptRecords?: boolean
}

export const WalLive = (directory: string, options: WalLiveOptions = {}): Layer.Layer<Wal> =>
  Layer.sync(Wal, () => makeLiveWal(directory, options))
