/**
 * A client step that names a replica (ClientStep.replica) is sent to that replica, as a client of one node's HTTP
 * API sends it: a follower that knows the leader redirects it and the client follows; a replica that knows no
 * leader is asked again; and a planted followerReads, whose followers answer reads from their own state, is
 * caught by a read aimed at a follower cut off from the leader.
 */
import { describe, expect, it } from "vitest"
import type { BugName } from "../protocol/bugs.ts"
import { defaultProfile, scheduleVersion, type Schedule, type Step } from "../schedule/index.ts"
import { runSchedule, type RunResult } from "./run.ts"
import type { TraceEvent } from "./trace.ts"

const scheduleOf = (steps: ReadonlyArray<Step>): Schedule => ({
  version: scheduleVersion,
  replicas: 3,
  seed: 5,
  profile: defaultProfile,
  limits: { simulatedMs: 60_000, events: 1_000_000 },
  steps
})

const run = (steps: ReadonlyArray<Step>, bugs: ReadonlyArray<BugName> = []): RunResult =>
  runSchedule(scheduleOf(steps), { bugs: new Set(bugs), traceLinesKept: 100_000 })

type Reply = Extract<TraceEvent, { readonly _tag: "Reply" }>

const repliesTo = (result: RunResult, client: number): ReadonlyArray<Reply> =>
  result.events.filter((event): event is Reply => event._tag === "Reply" && event.client === client)

/** The replica that leads at the end of a quiet run of this schedule's seed. */
const leaderOf = (result: RunResult): number => {
  const leader = result.replicas.find((replica) => replica.state?.role === "leader")
  if (leader === undefined) throw new Error("the quiet run has a leader")
  return leader.node
}

/** A put, then a read of the same key from another client, aimed at a follower cut off from the leader. */
const staleFollowerRead = (leader: number, follower: number): ReadonlyArray<Step> => [
  { _tag: "Client", at: 2_000, client: 0, op: { _tag: "Put", key: "k0", value: "v0" } },
  { _tag: "Isolate", at: 2_500, node: follower },
  { _tag: "Client", at: 2_600, client: 0, op: { _tag: "Put", key: "k0", value: "v1" } },
  { _tag: "Client", at: 3_000, client: 1, op: { _tag: "Read", key: "k0" }, replica: follower },
  { _tag: "Heal", at: 3_500 },
  { _tag: "Client", at: 4_000, client: 2, op: { _tag: "Read", key: "k0" }, replica: leader }
]

describe("client steps aimed at a replica", () => {
  const quiet = run([{ _tag: "Client", at: 2_000, client: 0, op: { _tag: "Put", key: "k0", value: "v0" } }])
  const leader = leaderOf(quiet)
  const follower = (leader + 1) % 3

  it("sends a read to the follower it names, which redirects it to the leader", () => {
    // Arrange
    const steps: ReadonlyArray<Step> = [
      { _tag: "Client", at: 2_000, client: 0, op: { _tag: "Put", key: "k0", value: "v0" } },
      { _tag: "Client", at: 2_500, client: 1, op: { _tag: "Read", key: "k0" }, replica: follower }
    ]
    // Act
    const result = run(steps)
    // Assert: the first answer comes from the follower (a redirect naming the leader), the read from the leader.
    const replies = repliesTo(result, 1)
    expect(replies.map((reply) => [reply.from, reply.result._tag])).toEqual([
      [follower, "NotLeader"],
      [leader, "Read"]
    ])
    expect(replies[0]?.result).toMatchObject({ leaderHint: leader })
    expect(result.violations).toEqual([])
  })

  it("sends an unaimed read where the client's own routing sends it (no reply from the follower first)", () => {
    // Arrange: client 1 guesses round-robin from replica 1; aim nothing.
    const steps: ReadonlyArray<Step> = [
      { _tag: "Client", at: 2_000, client: 0, op: { _tag: "Put", key: "k0", value: "v0" } },
      { _tag: "Client", at: 2_500, client: leader, op: { _tag: "Read", key: "k0" } }
    ]
    // Act
    const result = run(steps)
    // Assert: client `leader` starts round-robin at replica `leader`, which answers at once.
    expect(repliesTo(result, leader).map((reply) => reply.from)).toEqual([leader])
  })

  it("asks the named replica again while it knows no leader, and follows it once it does", () => {
    // Arrange: a read before the first election (timeouts of 1–2 s), aimed at the follower-to-be.
    const steps: ReadonlyArray<Step> = [{ _tag: "Client", at: 10, client: 0, op: { _tag: "Read", key: "k0" } }]
    const aimed: ReadonlyArray<Step> = [{ ...steps[0], replica: follower } as Step]
    // Act
    const result = run(aimed)
    // Assert: every answer before the redirect came from the named replica, with no leader to name.
    const replies = repliesTo(result, 0)
    const redirect = replies.findIndex((reply) => reply.result._tag === "NotLeader" && reply.result.leaderHint !== null)
    const beforeRedirect = replies.slice(0, redirect === -1 ? replies.length - 1 : redirect)
    expect(beforeRedirect.length).toBeGreaterThan(1)
    expect(new Set(beforeRedirect.map((reply) => reply.from))).toEqual(new Set([follower]))
    expect(beforeRedirect.every((reply) => reply.result._tag === "NotLeader")).toBe(true)
    expect(replies.at(-1)?.result._tag).toBe("Read")
  })

  it("a correct follower cut off from the leader redirects the aimed read: the history is linearizable", () => {
    // Act
    const result = run(staleFollowerRead(leader, follower))
    // Assert
    expect(result.violations).toEqual([])
    expect(repliesTo(result, 1)[0]).toMatchObject({ from: follower, result: { _tag: "NotLeader" } })
  })

  it("runs an aimed schedule to the same trace hash every time, and not to the unaimed schedule's", () => {
    // Arrange
    const steps = staleFollowerRead(leader, follower)
    const unaimed = steps.map((step): Step => {
      if (step._tag !== "Client") return step
      const { replica: _replica, ...rest } = step
      return rest
    })
    // Act
    const first = run(steps)
    const second = run(steps)
    // Assert
    expect(second.traceHash).toBe(first.traceHash)
    expect(run(unaimed).traceHash).not.toBe(first.traceHash)
  })

  it("catches a planted followerReads: the cut-off follower answers the aimed read with a stale value", () => {
    // Act
    const result = run(staleFollowerRead(leader, follower), ["followerReads"])
    // Assert
    expect(repliesTo(result, 1)[0]).toMatchObject({ from: follower, result: { _tag: "Read" } })
    expect(result.violations.map((violation) => violation.invariant)).toContain("linearizability")
  })
})
