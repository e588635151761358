/**
 * checkReplicaState fires: states a correct replica reaches pass, and each clause, handed a state broken in just
 * its way, throws an AssertionFailure naming that clause.
 */
import { Map as PersistentMap } from "immutable"
import { describe, expect, it } from "vitest"
import { AssertionFailure } from "../assert.ts"
import { checkReplicaState, pendingIoMax } from "./checkState.ts"
import type { Entry } from "./entry.ts"
import * as Log from "./log.ts"
import type { LeaderState, Progress, ReplicaState } from "./state.ts"
import { Interaction } from "./testing/interaction.ts"

/** A 3-replica cluster whose node 1 leads term 1 with four entries committed, and one more proposed, unpersisted. */
const cluster = (): Interaction => {
  const interaction = new Interaction(3)
  interaction.campaign(1)
  interaction.stabilize()
  for (let sequence = 1; sequence <= 3; sequence += 1) {
    interaction.request(1, {
      _tag: "Command",
      session: { clientId: "c", sequence },
      command: { _tag: "Put", key: "k", value: `v${sequence}` }
    })
    interaction.stabilize()
  }
  interaction.tick(1, 100)
  interaction.stabilize()
  interaction.request(1, {
    _tag: "Command",
    session: { clientId: "c", sequence: 4 },
    command: { _tag: "Put", key: "k", value: "v4" }
  })
  return interaction
}

const leaderOf = (interaction: Interaction) => interaction.replica(1)
const followerOf = (interaction: Interaction) => interaction.replica(2)

const leaderStateOf = (state: ReplicaState): LeaderState => {
  if (state.leaderState === null) throw new Error("the fixture's node 1 leads")
  return state.leaderState
}

const withProgress = (state: ReplicaState, change: Partial<Progress>): ReplicaState => {
  const leaderState = leaderStateOf(state)
  const [first, ...rest] = leaderState.progress
  return { ...state, leaderState: { ...leaderState, progress: [{ ...(first as Progress), ...change }, ...rest] } }
}

const entry = (index: number, term: number): Entry => ({ index, term, payload: { _tag: "NoOp" } })

const failureOf = (run: () => void): string => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AssertionFailure)
    return (error as AssertionFailure).message
  }
  return "no assertion failed"
}

describe("checkReplicaState", () => {
  it("passes every state of a correct cluster (leader, followers, after a crash)", () => {
    // Arrange
    const interaction = cluster()
    interaction.crash(3)
    // Act / Assert
    for (const replica of interaction.replicas.values()) {
      expect(() => checkReplicaState(replica.config, replica.state)).not.toThrow()
    }
    expect(leaderOf(interaction).state.pendingIo.length).toBeGreaterThan(0)
    expect(Log.lastIndex(leaderOf(interaction).state.log)).toBe(5)
  })

  const leaderCases: ReadonlyArray<readonly [clause: string, broken: (state: ReplicaState) => ReplicaState]> = [
    ["log contiguous", (state) => ({ ...state, log: Log.fromEntries([entry(1, 1), entry(3, 1)]), commitIndex: 1 })],
    ["log terms never decrease", (state) => ({ ...state, log: Log.fromEntries([entry(1, 1), entry(2, 0)]) })],
    ["no entry of a future term", (state) => ({ ...state, term: 0, votedFor: null })],
    ["lastApplied ≤ commitIndex", (state) => ({ ...state, lastApplied: state.commitIndex + 1 })],
    ["commitIndex ≤ lastIndex", (state) => ({ ...state, commitIndex: 9, lastApplied: 9 })],
    ["durableIndex ≤ lastIndex", (state) => ({ ...state, durableIndex: 6 })],
    [
      "pending I/O bounded",
      (state) => ({ ...state, pendingIo: Array.from({ length: pendingIoMax + 1 }, () => state.pendingIo[0]!) })
    ],
    ["pending I/O ordered", (state) => ({ ...state, pendingIo: [...state.pendingIo, ...state.pendingIo] })],
    ["pending I/O within the log", (state) => ({ ...state, pendingIo: [{ ioId: 1, lastIndexAfter: 7, release: [] }] })],
    ["known nodes", (state) => ({ ...state, votedFor: 9 })],
    ["leader state present exactly while leading", (state) => ({ ...state, leaderState: null })],
    ["a replica names itself leader exactly while leading", (state) => ({ ...state, leader: 2 })],
    ["a candidate or leader voted for itself", (state) => ({ ...state, votedFor: 2 })],
    ["votes counted only while campaigning", (state) => ({ ...state, votesGranted: [1, 2] })],
    ["a recovering replica only follows", (state) => ({ ...state, recovering: true })],
    [
      "one progress record per follower",
      (state) => ({ ...state, leaderState: { ...leaderStateOf(state), progress: [] } })
    ],
    ["matchIndex < nextIndex ≤ lastIndex + 1", (state) => withProgress(state, { matchIndex: 5, nextIndex: 5 })],
    ["matchIndex < nextIndex ≤ lastIndex + 1", (state) => withProgress(state, { nextIndex: 7 })],
    [
      "in-flight window bounded",
      (state) =>
        withProgress(state, {
          mode: "probe",
          inflight: [
            { lastIndex: 5, sentAtMs: 0 },
            { lastIndex: 5, sentAtMs: 0 }
          ]
        })
    ],
    [
      "in-flight batches ordered",
      (state) => withProgress(state, { mode: "replicate", inflight: [{ lastIndex: 9, sentAtMs: 0 }] })
    ],
    [
      "the leader's term starts with its own entry",
      (state) => ({ ...state, leaderState: { ...leaderStateOf(state), termStartIndex: 7 } })
    ],
    [
      "proposals ordered and not yet applied",
      (state) => ({ ...state, leaderState: { ...leaderStateOf(state), proposals: [{ index: 1, requestId: 1 }] } })
    ],
    [
      "pending reads bounded and numbered",
      (state) => ({
        ...state,
        leaderState: {
          ...leaderStateOf(state),
          reads: [{ requestId: 1, query: { _tag: "Read", key: "k" }, context: 99, readIndex: null }]
        }
      })
    ],
    [
      "session tables bounded",
      (state) => ({ ...state, evictedSessions: PersistentMap(Array.from({ length: 1025 }, (_, n) => [`c${n}`, n])) })
    ],
    ["a clock reading", (state) => ({ ...state, nowMs: Number.NaN })],
    ["a term", (state) => ({ ...state, term: -1 })]
  ]

  for (const [clause, broken] of leaderCases) {
    it(`fires on a leader's state broken in one way: ${clause}`, () => {
      // Arrange
      const leader = leaderOf(cluster())
      const state = broken(leader.state)
      // Act
      const message = failureOf(() => checkReplicaState(leader.config, state))
      // Assert
      expect(message).toContain(`checkReplicaState: ${clause}:`)
    })
  }

  it("fires on a follower's state broken in the role clauses", () => {
    // Arrange
    const follower = followerOf(cluster())
    const state = follower.state
    // Act / Assert
    expect(
      failureOf(() =>
        checkReplicaState(follower.config, {
          ...state,
          term: 0,
          log: Log.emptyLog,
          commitIndex: 0,
          lastApplied: 0,
          durableIndex: 0,
          pendingIo: [],
          votedFor: 1
        })
      )
    ).toContain("no vote before term 1")
    expect(failureOf(() => checkReplicaState(follower.config, { ...state, role: "candidate" }))).toContain(
      "a candidate or leader voted for itself"
    )
    expect(failureOf(() => checkReplicaState(follower.config, { ...state, role: "precandidate" }))).toContain(
      "votes counted only while campaigning"
    )
    expect(
      failureOf(() => checkReplicaState(follower.config, { ...state, role: "precandidate", votesGranted: [2, 2] }))
    ).toContain("each vote counted once")
    expect(
      failureOf(() => checkReplicaState(follower.config, { ...state, role: "precandidate", votesGranted: [2, 9] }))
    ).toContain("each vote counted once")
  })

  it("checks only the entries a step added when given the state before it, and the whole log otherwise", () => {
    // Arrange: two logs over one backing array each, extended in place by one entry (as Log.append does).
    const follower = followerOf(cluster())
    const empty = { commitIndex: 0, lastApplied: 0, durableIndex: 0, pendingIo: [] }
    const extended = (entries: Array<Entry>, added: Entry) => {
      const before = { ...follower.state, ...empty, log: Log.fromEntries(entries) }
      const backing = before.log.backing as Array<Entry>
      backing.push(added)
      return { before, after: { ...before, log: { ...before.log, length: backing.length } } }
    }
    const badPrefix = extended([entry(1, 1), entry(3, 1)], entry(3, 1))
    const badAddition = extended([entry(1, 1), entry(2, 1)], entry(9, 1))
    // Act / Assert: the prefix was the previous check's business; the step's own entries are always checked.
    expect(() => checkReplicaState(follower.config, badPrefix.after, badPrefix.before)).not.toThrow()
    expect(failureOf(() => checkReplicaState(follower.config, badPrefix.after))).toContain("log contiguous")
    expect(failureOf(() => checkReplicaState(follower.config, badAddition.after, badAddition.before))).toContain(
      "log contiguous"
    )
  })
})
