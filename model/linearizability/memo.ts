/**
 * The memo of (linearized set, state) pairs already explored. It allocates nothing per entry: the sets live as
 * compact keys (bitset.ts) in one growing word pool and the entries chain through an open hash table, because a
 * search can visit millions of configurations and a typed array per entry made garbage collection the
 * bottleneck. `bytes` is what the memo has allocated (capacity, not use: the arrays grow by doubling), and it never
 * grows past `maxBytes`: when the next doubling would, the memo stops recording and says it is `full`, and the
 * search stops with "unknown" (a search without its memo is correct but may take exponential time).
 */
import type { Bitset } from "./bitset.ts"

const initialCapacity = 1024
/** What an entry slot costs besides its key words: hash, chain link, offset, a state reference, two head slots. */
const bytesPerEntry = 4 + 4 + 4 + 8 + 2 * 4

export class Memo<State> {
  private pool: Uint32Array
  private poolLength = 0
  private offsets: Int32Array
  private hashes: Uint32Array
  private chain: Int32Array
  private heads: Int32Array
  private readonly states: Array<State> = []
  private readonly key: Uint32Array
  private count = 0
  /** True once an insert found no room within `maxBytes`; nothing is recorded after that. */
  full = false

  constructor(
    linearized: Bitset,
    private readonly statesEqual: (left: State, right: State) => boolean,
    private readonly hashState: ((state: State) => number) | undefined,
    private readonly maxBytes: number = Infinity
  ) {
    this.key = new Uint32Array(linearized.maxKeyLength)
    this.pool = new Uint32Array(initialCapacity * 4)
    this.offsets = new Int32Array(initialCapacity + 1)
    this.hashes = new Uint32Array(initialCapacity)
    this.chain = new Int32Array(initialCapacity)
    this.heads = new Int32Array(initialCapacity * 2).fill(-1)
  }

  get size(): number {
    return this.count
  }

  get bytes(): number {
    return this.pool.length * 4 + this.hashes.length * bytesPerEntry
  }

  /** Records (linearized plus `operation`, state); false when that pair was recorded before. */
  insert(linearized: Bitset, operation: number, state: State): boolean {
    const setHash = linearized.hashWith(operation)
    const hash = this.hashState === undefined ? setHash : (setHash ^ Math.imul(this.hashState(state), 0x27d4eb2f)) >>> 0
    const keyLength = linearized.compactKey(operation, this.key)
    const mask = this.heads.length - 1
    for (let index = this.heads[hash & mask]!; index !== -1; index = this.chain[index]!) {
      if (
        this.hashes[index] === hash &&
        this.sameKey(index, keyLength) &&
        this.statesEqual(this.states[index]!, state)
      ) {
        return false
      }
    }
    if (this.count === this.hashes.length) {
      // Growing keeps the old arrays alive while it copies them: the peak is the old size plus the new one.
      if (this.bytes + this.hashes.length * 2 * bytesPerEntry > this.maxBytes) return this.fill()
      this.grow()
    }
    if (this.poolLength + keyLength > this.pool.length) {
      if (this.bytes + Math.max(this.pool.length * 2, this.poolLength + keyLength) * 4 > this.maxBytes)
        return this.fill()
      this.growPool(keyLength)
    }
    const index = this.count++
    this.hashes[index] = hash
    this.states.push(state)
    this.pool.set(this.key.subarray(0, keyLength), this.poolLength)
    this.poolLength += keyLength
    this.offsets[index + 1] = this.poolLength
    const slot = hash & mask
    this.chain[index] = this.heads[slot]!
    this.heads[slot] = index
    return true
  }

  /** No room: from now on the memo is not consulted, and the search must stop. */
  private fill(): boolean {
    this.full = true
    return true
  }

  private sameKey(index: number, keyLength: number): boolean {
    const start = this.offsets[index]!
    if (this.offsets[index + 1]! - start !== keyLength) return false
    for (let word = 0; word < keyLength; word++) if (this.pool[start + word] !== this.key[word]) return false
    return true
  }

  private growPool(needed: number): void {
    const pool = new Uint32Array(Math.max(this.pool.length * 2, this.poolLength + needed))
    pool.set(this.pool.subarray(0, this.poolLength))
    this.pool = pool
  }

  private grow(): void {
    const capacity = this.hashes.length * 2
    const hashes = new Uint32Array(capacity)
    hashes.set(this.hashes)
    this.hashes = hashes
    const offsets = new Int32Array(capacity + 1)
    offsets.set(this.offsets)
    this.offsets = offsets
    this.chain = new Int32Array(capacity)
    this.heads = new Int32Array(capacity * 2).fill(-1)
    const mask = this.heads.length - 1
    for (let index = 0; index < this.count; index++) {
      const slot = this.hashes[index]! & mask
      this.chain[index] = this.heads[slot]!
      this.heads[slot] = index
    }
  }
}
