import { Data } from "effect"
import type { Finding } from "./finding.ts"

/** The WAL cannot take appends in its current state; `reason` says what to do about it. */
export class WalNotReady extends Data.TaggedError("WalNotReady")<{
  readonly state: string
  readonly reason: string
}> {
  override get message(): string {
    return `the log is ${this.state}: ${this.reason}`
  }
}

/**
 * A write or fdatasync failed. After a failed fsync the kernel may have dropped the dirty pages and cleared the
 * error ("fsyncgate", PostgreSQL 2018), so a retry could report success for data that is gone: the WAL refuses
 * every later append and the host must crash and recover from the file.
 */
export class WalFailed extends Data.TaggedError("WalFailed")<{
  readonly operation: "write" | "datasync"
  readonly cause: unknown
}> {}

/** The append queue is full: backpressure rather than unbounded memory. */
export class WalOverloaded extends Data.TaggedError("WalOverloaded")<{
  readonly pendingRecords: number
  readonly pendingRecordsMax: number
}> {}

/** An append that cannot ever be written: too many bytes for one batch, or an oversized payload. */
export class WalAppendRejected extends Data.TaggedError("WalAppendRejected")<{
  readonly reason: string
}> {
  override get message(): string {
    return this.reason
  }
}

/** The file is larger than the configured bound, so it is not read into memory. */
export class WalFileTooLarge extends Data.TaggedError("WalFileTooLarge")<{
  readonly path: string
  readonly sizeBytes: number
  readonly fileBytesMax: number
}> {}

/** `discardDamagedSuffix` was called when recovery found no corruption. */
export class WalNothingToDiscard extends Data.TaggedError("WalNothingToDiscard")<{
  readonly finding: Finding
}> {}

/** Every quarantine name for a damaged file is taken: an operator must look at the copies already kept. */
export class WalQuarantineExhausted extends Data.TaggedError("WalQuarantineExhausted")<{
  readonly fileName: string
  readonly copies: number
}> {
  override get message(): string {
    return `${this.copies} quarantine copies of ${this.fileName} already exist`
  }
}

/** A read or write of the WAL file moved fewer bytes than asked after every retry: the file or the disk misbehaves. */
export class WalShortIo extends Data.TaggedError("WalShortIo")<{
  readonly path: string
  readonly operation: "read" | "write"
  readonly position: number
  readonly doneBytes: number
  readonly wantedBytes: number
}> {
  override get message(): string {
    return `${this.path}: ${this.operation} at ${this.position} moved ${this.doneBytes} of ${this.wantedBytes} bytes`
  }
}

/** Everything the storage layer refuses or fails with, as one closed union of tagged errors. */
export type WalStorageError =
  | WalNotReady
  | WalFailed
  | WalOverloaded
  | WalAppendRejected
  | WalFileTooLarge
  | WalNothingToDiscard
  | WalQuarantineExhausted
  | WalShortIo

/** Whether a rejection came from the storage layer already typed (rather than from a file operation's errno). */
export const isWalStorageError = (error: unknown): error is WalStorageError =>
  error instanceof WalNotReady ||
  error instanceof WalFailed ||
  error instanceof WalOverloaded ||
  error instanceof WalAppendRejected ||
  error instanceof WalFileTooLarge ||
  error instanceof WalNothingToDiscard ||
  error instanceof WalQuarantineExhausted ||
  error instanceof WalShortIo
