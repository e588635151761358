/**
 * The simulator's disk: one file as an in-memory byte array, with the failure semantics of a real disk under a
 * page cache. Fully deterministic: no clock, no randomness, no global state; every choice (how a crash tears a
 * write, which bit flips) is passed in by the simulator, which draws it from its seeded PRNG.
 *
 * - Writes and truncations are buffered (the page cache) until `sync()`; reads see them at once.
 * - `crash(choice)` keeps the synced image plus a prefix of the unsynced operations, in issue order, and may keep
 *   only the first bytes of the next write (a torn write). Everything after is lost.
 * - Faults on the medium: `flipBit`, `misdirectWrite`, `latentReadError`; and a latency the simulator reads to
 *   decide when an operation completes (the simulator owns time; the disk only reports what it was configured with).
 */
import { Data, Either } from "effect"

export interface DiskLatency {
  readonly readMs: number
  readonly writeMs: number
  readonly syncMs: number
}

export interface MemoryDiskConfig {
  readonly capacityBytes: number
  readonly latency?: DiskLatency
}

/** How a crash treats the unsynced operations. Values are clamped, so any integers from a PRNG are valid. */
export interface CrashChoice {
  /** How many unsynced operations, oldest first, reached the medium whole. */
  readonly operationsPersisted: number
  /** How many leading bytes of the next unsynced write reached the medium (0: none, a torn write otherwise). */
  readonly tornWriteBytes: number
}

export interface ByteRange {
  readonly offset: number
  readonly length: number
}

export class LatentReadError extends Data.TaggedError("LatentReadError")<{
  readonly requested: ByteRange
  readonly unreadable: ByteRange
}> {}

export class DiskFull extends Data.TaggedError("DiskFull")<{
  readonly capacityBytes: number
  readonly requestedEndBytes: number
}> {}

type Operation =
  | { readonly _tag: "Write"; readonly offset: number; readonly bytes: Uint8Array }
  | { readonly _tag: "Truncate"; readonly sizeBytes: number }

const noLatency: DiskLatency = Object.freeze({ readMs: 0, writeMs: 0, syncMs: 0 })
const capacityBytesCeiling = 1 << 30
const unreadableRangesMax = 1024

/** A byte image that grows up to a capacity: what the medium holds, or what readers see through the cache. */
class Image {
  bytes = new Uint8Array(0)
  sizeBytes = 0

  apply(operation: Operation): void {
    if (operation._tag === "Truncate") {
      this.bytes.fill(0, Math.min(operation.sizeBytes, this.sizeBytes), this.sizeBytes)
      this.sizeBytes = operation.sizeBytes
      this.reserve(this.sizeBytes)
      return
    }
    const end = operation.offset + operation.bytes.length
    this.reserve(end)
    this.bytes.set(operation.bytes, operation.offset)
    this.sizeBytes = Math.max(this.sizeBytes, end)
  }

  private reserve(sizeBytes: number): void {
    if (sizeBytes <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(sizeBytes, this.bytes.length * 2, 4096))
    grown.set(this.bytes.subarray(0, this.sizeBytes))
    this.bytes = grown
  }

  copy(): Image {
    const image = new Image()
    image.apply({ _tag: "Write", offset: 0, bytes: this.bytes.subarray(0, this.sizeBytes) })
    return image
  }
}

export class MemoryDisk {
  private medium = new Image()
  private cache = new Image()
  private unsynced: Array<Operation> = []
  private readonly unreadable: Array<ByteRange> = []
  private latencyValue: DiskLatency

  constructor(private readonly config: MemoryDiskConfig) {
    const { capacityBytes } = config
    if (!Number.isInteger(capacityBytes) || capacityBytes < 0 || capacityBytes > capacityBytesCeiling) {
      throw new RangeError(`capacityBytes should be an integer in [0, ${capacityBytesCeiling}], got ${capacityBytes}`)
    }
    this.latencyValue = validateLatency(config.latency ?? noLatency)
  }

  /** The size readers see, including unsynced writes. */
  sizeBytes(): number {
    return this.cache.sizeBytes
  }

  /** The size that would survive a crash now. */
  durableSizeBytes(): number {
    return this.medium.sizeBytes
  }

  unsyncedOperations(): number {
    return this.unsynced.length
  }

  write(offset: number, bytes: Uint8Array): Either.Either<void, DiskFull> {
    assertRange({ offset, length: bytes.length })
    const requestedEndBytes = offset + bytes.length
    if (requestedEndBytes > this.config.capacityBytes) {
      return Either.left(new DiskFull({ capacityBytes: this.config.capacityBytes, requestedEndBytes }))
    }
    this.perform({ _tag: "Write", offset, bytes: bytes.slice() })
    return Either.right(undefined)
  }

  truncate(sizeBytes: number): void {
    assertRange({ offset: sizeBytes, length: 0 })
    this.perform({ _tag: "Truncate", sizeBytes })
  }

  private perform(operation: Operation): void {
    this.cache.apply(operation)
    this.unsynced.push(operation)
  }

  read(offset: number, length: number): Either.Either<Uint8Array, LatentReadError> {
    assertRange({ offset, length })
    const requested = { offset, length }
    const unreadable = this.unreadable.find((range) => overlaps(range, requested))
    if (unreadable !== undefined) return Either.left(new LatentReadError({ requested, unreadable }))
    const end = Math.min(offset + length, this.cache.sizeBytes)
    return Either.right(this.cache.bytes.slice(Math.min(offset, end), end))
  }

  readAll(): Either.Either<Uint8Array, LatentReadError> {
    return this.read(0, this.cache.sizeBytes)
  }

  /** Every buffered operation reaches the medium. */
  sync(): void {
    for (const operation of this.unsynced) this.medium.apply(operation)
    this.unsynced = []
  }

  /** Loses what was not synced, except the prefix `choice` keeps; the cache restarts from the medium. */
  crash(choice: CrashChoice): void {
    const persisted = clamp(choice.operationsPersisted, 0, this.unsynced.length)
    for (const operation of this.unsynced.slice(0, persisted)) this.medium.apply(operation)
    const torn = this.unsynced[persisted]
    if (torn?._tag === "Write") {
      const tornBytes = clamp(choice.tornWriteBytes, 0, torn.bytes.length)
      if (tornBytes > 0)
        this.medium.apply({ _tag: "Write", offset: torn.offset, bytes: torn.bytes.subarray(0, tornBytes) })
    }
    this.unsynced = []
    this.cache = this.medium.copy()
  }

  /** Bit rot: flips one bit on the medium (and in what readers see). */
  flipBit(offset: number, bit: number): void {
    if (!Number.isInteger(bit) || bit < 0 || bit > 7) throw new RangeError(`bit should be in [0, 7], got ${bit}`)
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.medium.sizeBytes) {
      throw new RangeError(`offset ${offset} is outside the ${this.medium.sizeBytes} durable bytes`)
    }
    for (const image of [this.medium, this.cache]) {
      if (offset < image.sizeBytes) image.bytes[offset]! ^= 1 << bit
    }
  }

  /**
   * A write that landed at the wrong place: the `length` bytes at `sourceOffset` also appear at `targetOffset`,
   * overwriting whatever was there, and (when `sourceLost`) the intended place never received them and reads as
   * zeros. Applied to the medium and the cache alike, as a fault on synced data.
   */
  misdirectWrite(sourceOffset: number, targetOffset: number, length: number, sourceLost: boolean): void {
    assertRange({ offset: sourceOffset, length })
    assertRange({ offset: targetOffset, length })
    if (sourceOffset + length > this.medium.sizeBytes || targetOffset + length > this.config.capacityBytes) {
      throw new RangeError(`misdirected range is outside the disk`)
    }
    for (const image of [this.medium, this.cache]) {
      const moved = image.bytes.slice(sourceOffset, sourceOffset + length)
      if (sourceLost) image.apply({ _tag: "Write", offset: sourceOffset, bytes: new Uint8Array(length) })
      image.apply({ _tag: "Write", offset: targetOffset, bytes: moved })
    }
  }

  /** From now on, reads touching `range` fail with LatentReadError (a sector the drive cannot read back). */
  latentReadError(range: ByteRange): void {
    assertRange(range)
    if (this.unreadable.length >= unreadableRangesMax)
      throw new RangeError(`at most ${unreadableRangesMax} unreadable ranges`)
    this.unreadable.push(range)
  }

  /** The drive was replaced or the sectors remapped: reads succeed again. */
  clearLatentReadErrors(): void {
    this.unreadable.length = 0
  }

  /** What each operation costs in simulated time; the simulator schedules completions with it. */
  latency(): DiskLatency {
    return this.latencyValue
  }

  setLatency(latency: DiskLatency): void {
    this.latencyValue = validateLatency(latency)
  }
}

const clamp = (value: number, low: number, high: number): number =>
  Number.isFinite(value) ? Math.min(high, Math.max(low, Math.trunc(value))) : low

const overlaps = (left: ByteRange, right: ByteRange): boolean =>
  left.offset < right.offset + right.length && right.offset < left.offset + left.length

const assertRange = (range: ByteRange): void => {
  if (
    !Number.isSafeInteger(range.offset) ||
    range.offset < 0 ||
    !Number.isSafeInteger(range.length) ||
    range.length < 0
  ) {
    throw new RangeError(`offset and length should be non-negative integers, got ${range.offset} and ${range.length}`)
  }
}

const validateLatency = (latency: DiskLatency): DiskLatency => {
  for (const [name, value] of Object.entries(latency)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name} should be a non-negative number, got ${value}`)
  }
  return latency
}
