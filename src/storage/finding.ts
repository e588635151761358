/**
 * What the decoder found where it stopped. Every way a log can end is one of these, so the host can act on it
 * without parsing messages: `Clean` and `TornTail` are the normal ends of a log (after a crash the last write may
 * be partial, and it was never acknowledged if the host waits for fsync before acking); every other finding is
 * corruption, which the host must report and must not count as its own: damage with valid-looking data after it,
 * or a last record that is all there but does not verify (`DamagedTail`).
 */

/** The whole buffer decoded into records. */
export interface Clean {
  readonly _tag: "Clean"
}

/** What was wrong with the last record when the damage is a torn tail. */
export type TornTailCause = "Truncated" | "BadMagic" | "BadLength" | "ChecksumMismatch"

/**
 * The last record is incomplete and nothing verifiable follows it: the shape a crash during the last write leaves
 * (a write reaches the medium as a prefix of its bytes). Safe to truncate at `offset`: a record not wholly on disk
 * was never synced, so it was never acknowledged. `sequence` is known when the record's header was intact.
 * `cause` is Truncated from the real decoder; the other causes appear only under the bug zoo's
 * `damagedTailAsTorn`, which takes a damaged last record for a torn one.
 */
export interface TornTail {
  readonly _tag: "TornTail"
  readonly offset: number
  readonly cause: TornTailCause
  readonly sequence: number | undefined
}

/**
 * The last record is all there — its whole header, and its whole payload as the header gives its length — but it
 * does not verify: a bad magic byte, an impossible length, a checksum that fails. A crash cannot leave that (it
 * leaves a prefix, a TornTail); a flipped bit in a synced record can. That record may have been acknowledged — it
 * may hold a vote — so it is corruption, not a torn write: the host reports it and the replica recovers knowing it
 * lost something (issue 13: a damaged last record was cut off as a torn tail and a vote silently forgotten).
 */
export interface DamagedTail {
  readonly _tag: "DamagedTail"
  readonly offset: number
  readonly cause: Exclude<TornTailCause, "Truncated">
  readonly sequence: number | undefined
}

/** Fields shared by damage found in the middle of the log. */
interface MidLogDamage {
  readonly offset: number
  /** Where the decoder found the next verifiable header: the proof that this is not a torn tail. */
  readonly nextHeaderOffset: number
}

/** A record's header or payload checksum fails. `sequence` is known when only the payload is damaged. */
export interface ChecksumMismatch extends MidLogDamage {
  readonly _tag: "ChecksumMismatch"
  readonly part: "Header" | "Payload"
  readonly sequence: number | undefined
}

/** An intact record whose chain does not follow its predecessor: a misdirected or stale write. */
export interface ChainBroken {
  readonly _tag: "ChainBroken"
  readonly offset: number
  readonly sequence: number
}

/** A header claims a payload longer than the configured bound. */
export interface BadLength extends MidLogDamage {
  readonly _tag: "BadLength"
  readonly payloadLength: number
}

/** The byte where a record should start is not the record magic. */
export interface BadMagic extends MidLogDamage {
  readonly _tag: "BadMagic"
  readonly byte: number
}

/** An intact record that links correctly but skips or repeats a sequence number: a writer bug, not a disk fault. */
export interface SequenceGap {
  readonly _tag: "SequenceGap"
  readonly offset: number
  readonly expected: number
  readonly found: number
}

export type Corruption = ChecksumMismatch | ChainBroken | BadLength | BadMagic | SequenceGap | DamagedTail
export type Finding = Clean | TornTail | Corruption

export const isCorruption = (finding: Finding): finding is Corruption =>
  finding._tag !== "Clean" && finding._tag !== "TornTail"

/** One line for logs, e.g. `ChecksumMismatch(Payload) at offset 4096, sequence 17, next header at 4240`. */
export const describeFinding = (finding: Finding): string => {
  switch (finding._tag) {
    case "Clean":
      return "Clean"
    case "TornTail":
      return `TornTail(${finding.cause}) at offset ${finding.offset}, sequence ${finding.sequence ?? "unknown"}`
    case "DamagedTail":
      return `DamagedTail(${finding.cause}) at offset ${finding.offset}, sequence ${finding.sequence ?? "unknown"}`
    case "ChecksumMismatch":
      return `ChecksumMismatch(${finding.part}) at offset ${finding.offset}, sequence ${finding.sequence ?? "unknown"}, next header at ${finding.nextHeaderOffset}`
    case "ChainBroken":
      return `ChainBroken at offset ${finding.offset}, sequence ${finding.sequence}`
    case "BadLength":
      return `BadLength ${finding.payloadLength} at offset ${finding.offset}, next header at ${finding.nextHeaderOffset}`
    case "BadMagic":
      return `BadMagic 0x${finding.byte.toString(16)} at offset ${finding.offset}, next header at ${finding.nextHeaderOffset}`
    case "SequenceGap":
      return `SequenceGap at offset ${finding.offset}: expected ${finding.expected}, found ${finding.found}`
  }
}
