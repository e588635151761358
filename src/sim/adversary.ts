/**
 * The adversary: forged and malformed peer messages that an honest replica must reject and count. Each attack
 * breaks a rule that src/protocol/validate.ts checks before a message may touch any state, or does not decode
 * at all, so every one is refused whatever the receiver's state: the invariants must stay green.
 *
 * (An attack that is valid in shape and content — a forged vote response or acknowledgement of the right
 * term — is a Byzantine peer, which Raft does not tolerate; those are deliberately not generated.)
 */
import type { SimRandom } from "../schedule/random.ts"

export const attackKinds = [
  "inflatedCommit",
  "inconsistentBatch",
  "outOfOrder",
  "oversizedBatch",
  "invalidRange",
  "wrongTerm",
  "unknownSender",
  "junk"
] as const
export type AttackKind = (typeof attackKinds)[number]

export interface Forgery {
  readonly kind: AttackKind
  /** The sender it claims to be. */
  readonly from: number
  readonly message: unknown
}

const noOp = (index: number, term: number): unknown => ({ index, term, payload: { _tag: "NoOp" } })

const append = (term: number, fields: Record<string, unknown>): unknown => ({
  _tag: "AppendEntries",
  term,
  prevLogIndex: 0,
  prevLogTerm: 0,
  entries: [],
  leaderCommit: 0,
  readContext: 0,
  ...fields
})

const junk = (random: SimRandom): unknown =>
  random.pick<unknown>([
    "\u0000\u00ff garbage",
    42,
    null,
    { _tag: "AppendEntries", term: -1 },
    { _tag: "InstallSnapshot", term: 3 },
    { _tag: "RequestVote", term: 2.5, lastLogIndex: 0, lastLogTerm: 0, preVote: false },
    append(3, {
      entries: [{ index: 1, term: 3, payload: { _tag: "Command", session: { clientId: "", sequence: 0 } } }]
    })
  ])

/** A forged message of `kind` to a cluster of `replicas`, claiming to come from another member. */
export const forge = (
  kind: AttackKind,
  random: SimRandom,
  to: number,
  replicas: number,
  maxEntriesPerMessage: number
): Forgery => {
  const others = Array.from({ length: replicas }, (_, node) => node).filter((node) => node !== to)
  const from = others.length > 0 ? random.pick(others) : 1000 + to
  const term = random.integer(1, 1_000_000)
  switch (kind) {
    case "inflatedCommit":
      return {
        kind,
        from,
        message: append(term, { entries: [noOp(1, term)], leaderCommit: random.integer(2, 1_000_000) })
      }
    case "inconsistentBatch":
      // An entry of a later term than the leader claiming it: no honest leader holds one.
      return { kind, from, message: append(term, { entries: [noOp(1, term), noOp(2, term + 1)] }) }
    case "outOfOrder":
      return { kind, from, message: append(term, { entries: [noOp(1, term), noOp(3, term)] }) }
    case "oversizedBatch": {
      const entries = Array.from({ length: maxEntriesPerMessage + 1 }, (_, position) => noOp(position + 1, term))
      return { kind, from, message: append(term, { entries }) }
    }
    case "invalidRange":
      return { kind, from, message: append(term, { prevLogIndex: 0, prevLogTerm: Math.max(1, term - 1) }) }
    case "wrongTerm":
      return random.chance(0.5)
        ? { kind, from, message: append(0, {}) }
        : { kind, from, message: { _tag: "RequestVote", term, lastLogIndex: 5, lastLogTerm: term + 1, preVote: false } }
    case "unknownSender":
      return { kind, from: 900 + random.integer(0, 99), message: append(term, {}) }
    case "junk":
      return { kind, from, message: junk(random) }
  }
}
