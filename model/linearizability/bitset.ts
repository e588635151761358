/**
 * The set of operations linearized so far, with a hash kept up to date in O(1) per change: each operation owns
 * a fixed pseudo-random 32-bit word, and the hash is the XOR of the words of its members. (Porcupine's hash,
 * popcount XOR the words, collides for every set of the same size that differs in a single word.)
 *
 * The search numbers the operations with a known outcome first, in call order, and the unknown-outcome ones
 * after them (searchPartition.ts). A linearized set is then: every word below a frontier full, a few words
 * around the frontier (the operations concurrent with the oldest one still open), zeros, and the words of the
 * unknown-outcome operations. `compactKey` writes only that middle and the unknown words, so a memo entry of a
 * 5,000-operation history takes a handful of words instead of 157.
 */
export class Bitset {
  readonly words: Uint32Array
  hash = 0
  /** Words below this index are full. */
  private frontier = 0
  /** The highest word holding a member that is not an unknown-outcome operation (at least `frontier`). */
  private top = 0
  /** `frontier` and `top` before each `push`, restored by `pop` (the search adds and removes members LIFO). */
  private readonly history: Array<number> = []
  private readonly firstUnknownWord: number

  /** `definite` operations come first (indexes 0 to definite - 1), then the unknown-outcome ones. */
  constructor(
    readonly size: number,
    readonly definite: number = size
  ) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)))
    this.firstUnknownWord = definite >>> 5
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5]! >>> (index & 31)) & 1) === 1
  }

  /** Adds a member; members must be removed with `pop` in the reverse order. */
  push(index: number): void {
    this.history.push(this.frontier, this.top)
    this.words[index >>> 5] = this.words[index >>> 5]! | (1 << (index & 31))
    this.hash = (this.hash ^ memberHash(index)) >>> 0
    this.frontier = this.frontierWith(index)
    this.top = this.topWith(index)
  }

  pop(index: number): void {
    this.words[index >>> 5] = this.words[index >>> 5]! & ~(1 << (index & 31))
    this.hash = (this.hash ^ memberHash(index)) >>> 0
    this.top = this.history.pop()!
    this.frontier = this.history.pop()!
  }

  hashWith(index: number): number {
    return (this.hash ^ memberHash(index)) >>> 0
  }

  /**
   * Writes the set plus `index` into `key` as [frontier, top, words frontier..top, the unknown-outcome words
   * above top]; returns the length. Two sets are equal exactly when their keys are.
   */
  compactKey(index: number, key: Uint32Array): number {
    const frontier = this.frontierWith(index)
    const top = this.topWith(index)
    const word = index >>> 5
    const bit = 1 << (index & 31)
    let length = 0
    key[length++] = frontier
    key[length++] = top
    for (let at = frontier; at <= top; at++) key[length++] = at === word ? this.words[at]! | bit : this.words[at]!
    for (let at = Math.max(top + 1, this.firstUnknownWord); at < this.words.length; at++) {
      key[length++] = at === word ? this.words[at]! | bit : this.words[at]!
    }
    return length
  }

  /** The longest a compact key can be. */
  get maxKeyLength(): number {
    return this.words.length + 2
  }

  private frontierWith(index: number): number {
    let frontier = this.frontier
    const word = index >>> 5
    const bit = 1 << (index & 31)
    while (
      frontier < this.words.length &&
      ((frontier === word ? this.words[frontier]! | bit : this.words[frontier]!) | 0) === -1
    ) {
      frontier++
    }
    return Math.min(frontier, this.words.length - 1)
  }

  private topWith(index: number): number {
    const top = index < this.definite ? Math.max(this.top, index >>> 5) : this.top
    return Math.max(top, this.frontierWith(index))
  }
}

/** A fixed mixing function (the murmur3 finalizer), so that hashes are deterministic across runs. */
export const memberHash = (index: number): number => {
  let value = (index + 0x9e3779b9) | 0
  value = Math.imul(value ^ (value >>> 16), 0x85ebca6b)
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35)
  return (value ^ (value >>> 16)) >>> 0
}
