/**
 * The set of operations linearized so far, with a hash kept up to date in O(1) per change: each operation owns
 * a fixed pseudo-random 32-bit word, and the hash is the XOR of the words of its members. (Porcupine's hash,
 * popcount XOR the words, collides for every set of the same size that differs in a single word.)
 */
export class Bitset {
  readonly words: Uint32Array
  hash = 0

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32))
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5]! >>> (index & 31)) & 1) === 1
  }

  set(index: number): void {
    this.words[index >>> 5] = this.words[index >>> 5]! | (1 << (index & 31))
    this.hash = (this.hash ^ memberHash(index)) >>> 0
  }

  clear(index: number): void {
    this.words[index >>> 5] = this.words[index >>> 5]! & ~(1 << (index & 31))
    this.hash = (this.hash ^ memberHash(index)) >>> 0
  }

  hashWith(index: number): number {
    return (this.hash ^ memberHash(index)) >>> 0
  }
}

/** A fixed mixing function (the murmur3 finalizer), so that hashes are deterministic across runs. */
export const memberHash = (index: number): number => {
  let value = (index + 0x9e3779b9) | 0
  value = Math.imul(value ^ (value >>> 16), 0x85ebca6b)
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35)
  return (value ^ (value >>> 16)) >>> 0
}
