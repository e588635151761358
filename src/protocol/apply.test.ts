/**
 * A replica far behind on applying (a restart re-applies its whole log once it learns the commit index) applies at
 * most `maxAppliedEntriesPerStep` entries per step and asks for an immediate Tick for the rest, so a node's event
 * loop is never held for the whole log (issue 13, F4).
 */
import { describe, expect, it } from "vitest"
import { makeReplicaConfig } from "./config.ts"
import type { Entry } from "./entry.ts"
import { recover, type ReplicaState } from "./state.ts"
import { stepPure } from "./step.ts"

const put = (index: number): Entry => ({
  index,
  term: 1,
  payload: {
    _tag: "Command",
    session: { clientId: `client-${(index - 1) % 50}`, sequence: Math.floor((index - 1) / 50) + 1 },
    command: { _tag: "Put", key: `key-${index % 7}`, value: `${index}` }
  }
})

describe("applying a long committed log", () => {
  it("applies 10,000 committed entries 1,000 per step, each step asking for an immediate Tick", () => {
    // Arrange
    const config = makeReplicaConfig({ id: 1, voters: [1, 2, 3], maxAppliedEntriesPerStep: 1_000 })
    const log = Array.from({ length: 10_000 }, (_, position) => put(position + 1))
    const recovered = recover(config, { hardState: { term: 1, votedFor: null }, log, damaged: false })
    let state: ReplicaState = { ...recovered, commitIndex: 10_000 }
    const appliedPerStep: Array<number> = []
    const wakes: Array<number | undefined> = []
    // Act
    for (let tick = 0; tick < 20 && state.lastApplied < state.commitIndex; tick += 1) {
      const transition = stepPure(config, state, { _tag: "Tick", nowMs: 5 })
      appliedPerStep.push(transition.outputs.filter((output) => output._tag === "Applied").length)
      const wake = transition.outputs.find((output) => output._tag === "WakeAt")
      wakes.push(wake?._tag === "WakeAt" ? wake.atMs : undefined)
      state = transition.state
    }
    // Assert
    expect(appliedPerStep).toEqual(Array.from({ length: 10 }, () => 1_000))
    expect(wakes.slice(0, 9)).toEqual(Array.from({ length: 9 }, () => 5))
    expect(wakes[9]).toBeGreaterThan(5)
    expect(state.lastApplied).toBe(10_000)
    expect(state.sessions.size).toBe(50)
  })
})
