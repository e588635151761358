/**
 * The memo of (linearized set, state) pairs already explored. It allocates nothing per entry: the sets live
 * in one growing word pool and the entries chain through an open hash table, because a search can visit
 * millions of configurations and a typed array per entry made garbage collection the bottleneck.
 */
import type { Bitset } from "./bitset.ts"

const initialCapacity = 1024

export class Memo<State> {
  private readonly wordCount: number
  private words: Uint32Array
  private hashes: Uint32Array
  private chain: Int32Array
  private heads: Int32Array
  private readonly states: Array<State> = []
  private count = 0

  constructor(
    setSize: number,
    private readonly statesEqual: (left: State, right: State) => boolean,
    private readonly hashState: ((state: State) => number) | undefined
  ) {
    this.wordCount = Math.max(1, Math.ceil(setSize / 32))
    this.words = new Uint32Array(initialCapacity * this.wordCount)
    this.hashes = new Uint32Array(initialCapacity)
    this.chain = new Int32Array(initialCapacity)
    this.heads = new Int32Array(initialCapacity * 2).fill(-1)
  }

  get size(): number {
    return this.count
  }

  /** Records (linearized plus `operation`, state); false when that pair was recorded before. */
  insert(linearized: Bitset, operation: number, state: State): boolean {
    const setHash = linearized.hashWith(operation)
    const hash = this.hashState === undefined ? setHash : (setHash ^ Math.imul(this.hashState(state), 0x27d4eb2f)) >>> 0
    const mask = this.heads.length - 1
    for (let index = this.heads[hash & mask]!; index !== -1; index = this.chain[index]!) {
      if (
        this.hashes[index] === hash &&
        this.statesEqual(this.states[index]!, state) &&
        this.sameSet(index, linearized, operation)
      ) {
        return false
      }
    }
    if (this.count === this.hashes.length) this.grow()
    const index = this.count++
    this.hashes[index] = hash
    this.states.push(state)
    const offset = index * this.wordCount
    for (let word = 0; word < this.wordCount; word++) this.words[offset + word] = linearized.words[word] ?? 0
    this.words[offset + (operation >>> 5)] = (this.words[offset + (operation >>> 5)]! | (1 << (operation & 31))) >>> 0
    const slot = hash & (this.heads.length - 1)
    this.chain[index] = this.heads[slot]!
    this.heads[slot] = index
    return true
  }

  private sameSet(index: number, linearized: Bitset, operation: number): boolean {
    const offset = index * this.wordCount
    const target = operation >>> 5
    for (let word = 0; word < this.wordCount; word++) {
      const mine = word === target ? (linearized.words[word]! | (1 << (operation & 31))) >>> 0 : linearized.words[word]!
      if (this.words[offset + word] !== mine) return false
    }
    return true
  }

  private grow(): void {
    const capacity = this.hashes.length * 2
    const words = new Uint32Array(capacity * this.wordCount)
    words.set(this.words)
    this.words = words
    const hashes = new Uint32Array(capacity)
    hashes.set(this.hashes)
    this.hashes = hashes
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
