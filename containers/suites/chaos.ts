/**
 * The two chaos tests of shared/seeds/003, against real nodes: no acknowledged write is lost when the leader is
 * SIGKILLed between two batches (durability), and writes sent to every survivor during the election are
 * accepted by at most one node, after which every node converges on the same data (safety: no split brain).
 */
import { describe, expect, it } from "vitest"
import type { Outcome } from "../fixture/clusterClient.ts"
import { runScenario } from "../fixture/scenario.ts"
import { durabilityVerdict } from "../fixture/verdicts.ts"
import { expectOk, others, readValue, sleep } from "./helpers.ts"

const timeoutMs = 150_000

export const registerChaosTests = (): void => {
  describe("chaos (shared/seeds/003)", () => {
    it(
      "leader failover during writes: all 100 acknowledged writes survive a SIGKILLed leader",
      () =>
        runScenario("chaos_leader_failover_during_writes", async ({ cluster, client, note, verdict, log }) => {
          const writer = client()
          const acknowledged = new Map<string, string>()
          const old = await cluster.waitForLeader()
          for (let index = 0; index < 50; index++) {
            const key = `failover-${index}`
            const outcome = await writer.put(key, `value-${index}`)
            if (outcome._tag === "Ok") acknowledged.set(key, `value-${index}`)
          }
          log(`acknowledged ${acknowledged.size} writes before the crash of leader n${old.id}`)
          expect(acknowledged.size).toBe(50)
          await cluster.crash(old.id)
          const next = await cluster.waitForLeader({ among: others(cluster, old.id) })
          log(`new leader n${next.id} in term ${next.term}`)
          for (let index = 50; index < 100; index++) {
            const key = `failover-${index}`
            const outcome = await writer.put(key, `value-${index}`)
            if (outcome._tag === "Ok") acknowledged.set(key, `value-${index}`)
          }
          expect(acknowledged.size).toBe(100)
          const reader = client()
          const readBack = new Map<string, string | null>()
          for (const key of acknowledged.keys()) readBack.set(key, await readValue(reader, key))
          const durability = durabilityVerdict(acknowledged, readBack)
          verdict(durability)
          note("leaders", { old, next })
          log(durability.message)
          expect(durability.ok).toBe(true)
        }),
      timeoutMs
    )

    it(
      "writes during an election: at most one survivor accepts, and all nodes converge",
      () =>
        runScenario("chaos_writes_during_election", async ({ cluster, client, note, verdict, log }) => {
          const old = await cluster.waitForLeader()
          const survivors = others(cluster, old.id)
          await cluster.crash(old.id)
          // One client per survivor that talks to that node only and never follows a redirect.
          const direct = survivors.map((id) => ({
            id,
            client: client({ only: [id], attemptsMax: 1, attemptTimeoutMs: 2_000 })
          }))
          const accepted = new Map<string, string>()
          const acceptors = new Set<number>()
          const outcomes: Array<{ node: number; key: string; outcome: Outcome["_tag"] }> = []
          // Keep writing through the election: until two seconds after the first acceptance, fifteen at most.
          const giveUpAt = Date.now() + 15_000
          let stopAt = giveUpAt
          for (let round = 0; Date.now() < stopAt; round++) {
            await Promise.all(
              direct.map(async ({ id, client: nodeClient }) => {
                const key = `election-${round}-n${id}`
                const outcome = await nodeClient.put(key, `from-n${id}`)
                outcomes.push({ node: id, key, outcome: outcome._tag })
                if (outcome._tag === "Ok") {
                  accepted.set(key, `from-n${id}`)
                  acceptors.add(id)
                  stopAt = Math.min(stopAt, Date.now() + 2_000)
                }
              })
            )
            await sleep(50)
          }
          log(
            `${accepted.size} of ${outcomes.length} writes accepted, by ${[...acceptors].map((id) => `n${id}`).join(", ") || "no node"}`
          )
          note("election", { old, acceptors: [...acceptors], outcomes })
          expect(acceptors.size).toBeLessThanOrEqual(1)
          // Liveness: the survivors do elect a leader, which then accepts (otherwise the check above is vacuous).
          expect(acceptors.size).toBe(1)
          await cluster.restart(old.id)
          await cluster.waitForLeader()
          await cluster.waitForConvergence()
          const reader = client()
          const readBack = new Map<string, string | null>()
          for (const key of accepted.keys()) readBack.set(key, await readValue(reader, key))
          const durability = durabilityVerdict(accepted, readBack)
          verdict(durability)
          expect(durability.ok).toBe(true)
          expectOk(await reader.put("after-election", "v1"), "put after the election")
        }),
      timeoutMs
    )
  })
}
