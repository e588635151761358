/**
 * The ledger seed (shared/seeds/004) against real nodes in Docker: the concurrent withdrawals, a replica crash
 * during writes, a partition whose minority refuses writes, and the node killed mid-request with clients
 * retrying under their Idempotency-Keys. Money is counted exactly at the end of each scenario.
 */
import { describe, expect, it } from "vitest"
import type { DockerCluster } from "../fixture/cluster.ts"
import { runScenario } from "../fixture/scenario.ts"
import { others, sleep, statusOf, waitForStatus } from "./helpers.ts"

const scenarioTimeoutMs = 180_000

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One request to one node, no redirects followed (a 307 names the leader by id, not by a reachable address). */
const request = async (cluster: DockerCluster, id: number, method: string, path: string, body?: unknown, key?: string): Promise<Answer> => {
  const headers: Record<string, string> = key === undefined ? {} : { "idempotency-key": key }
  const response = await fetch(`${cluster.node(id).getHttpEndpoint()}${path}`, {
    method,
    headers,
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) }
}

/** Sends until a definite answer (not 307/503, no connection error), following the leader; the same key every time. */
const untilAnswered = async (cluster: DockerCluster, method: string, path: string, body?: unknown, key?: string): Promise<Answer> => {
  let last = "nothing tried"
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const leader = await cluster.waitForLeader({ timeoutMs: 30_000 })
    try {
      const answer = await request(cluster, leader.id, method, path, body, key)
      if (answer.status !== 307 && answer.status !== 503) return answer
      last = `${answer.status} ${JSON.stringify(answer.body)}`
    } catch (error) {
      last = String(error)
    }
    await sleep(200)
  }
  throw new Error(`${method} ${path} was never answered: ${last}`)
}

const balanceOf = async (cluster: DockerCluster, account: string): Promise<number> => {
  const answer = await untilAnswered(cluster, "GET", `/accounts/${account}`)
  expect(answer.status).toBe(200)
  return answer.body.balance as number
}

const openAccount = async (cluster: DockerCluster, account: string, amount: number): Promise<void> => {
  expect((await untilAnswered(cluster, "POST", `/accounts/${account}`, undefined, `open-${account}`)).status).toBe(201)
  expect((await untilAnswered(cluster, "POST", `/accounts/${account}/deposit`, { amount }, `fund-${account}`)).status).toBe(200)
}

export const registerLedgerScenarios = (): void => {
  describe("ledger scenarios (shared/seeds/004)", () => {
    it("ledger_concurrent_withdrawals: 100 concurrent $10 withdrawals against $100 — 10 succeed, 90 get 409, balance 0", () =>
      runScenario("ledger_concurrent_withdrawals", async ({ cluster, note }) => {
        const leader = await cluster.waitForLeader()
        await openAccount(cluster, "alice", 10_000)
        const answers = await Promise.all(Array.from({ length: 100 }, () => request(cluster, leader.id, "POST", "/accounts/alice/withdraw", { amount: 1_000 })))
        const counts = { succeeded: answers.filter((answer) => answer.status === 200).length, conflicts: answers.filter((answer) => answer.status === 409).length }
        note("outcomes", counts)
        expect(counts).toEqual({ succeeded: 10, conflicts: 90 })
        for (const answer of answers.filter((each) => each.status === 409)) expect(answer.body.error).toBe("insufficient funds")
        expect(Math.min(...answers.filter((each) => each.status === 200).map((each) => each.body.balance as number))).toBe(0)
        expect(await balanceOf(cluster, "alice")).toBe(0)
      }), scenarioTimeoutMs)

    it("ledger_crash_during_writes: a follower is killed during withdrawals; the majority goes on and the node catches up", () =>
      runScenario("ledger_crash_during_writes", async ({ cluster, note }) => {
        const leader = await cluster.waitForLeader()
        const victim = others(cluster, leader.id)[0]!
        await openAccount(cluster, "bob", 100_000)
        for (let withdrawal = 0; withdrawal < 30; withdrawal += 1) {
          if (withdrawal === 10) await cluster.crash(victim)
          const answer = await untilAnswered(cluster, "POST", "/accounts/bob/withdraw", { amount: 100 }, `bob-${withdrawal}`)
          expect(answer.status).toBe(200)
        }
        await cluster.restart(victim)
        const leaderCommit = (await statusOf(cluster, (await cluster.waitForLeader()).id)).commitIndex
        const caughtUp = await waitForStatus(cluster, victim, (status) => status.lastApplied >= leaderCommit, `lastApplied ≥ ${leaderCommit}`, 30_000)
        note("victim", { node: victim, lastApplied: caughtUp.lastApplied })
        await cluster.waitForConvergence()
        expect(await balanceOf(cluster, "bob")).toBe(100_000 - 30 * 100)
      }), scenarioTimeoutMs)

    it("ledger_partition: the isolated minority refuses writes (307/503) and applies nothing; the majority goes on", () =>
      runScenario("ledger_partition", async ({ cluster, note }) => {
        const leader = await cluster.waitForLeader()
        const minority = others(cluster, leader.id)[0]!
        await openAccount(cluster, "carol", 10_000)
        await cluster.isolate(minority)
        const appliedAtCut = (await statusOf(cluster, minority)).lastApplied
        const refused = await request(cluster, minority, "POST", "/accounts/carol/withdraw", { amount: 500 }, "carol-minority").catch((error: unknown) => ({ status: 0, body: { error: String(error) } }))
        note("minority answer", refused)
        expect([307, 503]).toContain(refused.status)
        for (let withdrawal = 0; withdrawal < 5; withdrawal += 1) {
          const answer = await untilAnswered(cluster, "POST", "/accounts/carol/withdraw", { amount: 1_000 }, `carol-${withdrawal}`)
          expect(answer.status).toBe(200)
        }
        expect((await statusOf(cluster, minority)).lastApplied).toBe(appliedAtCut)
        await cluster.heal()
        await cluster.waitForConvergence({ timeoutMs: 30_000 })
        // The refused request never ran; five withdrawals of 1000 did.
        expect(await balanceOf(cluster, "carol")).toBe(5_000)
      }), scenarioTimeoutMs)

    it("ledger_api_killed_mid_request: the leader is SIGKILLed under keyed withdrawals; retries never spend twice", () =>
      runScenario("ledger_api_killed_mid_request", async ({ cluster, note }) => {
        const leader = await cluster.waitForLeader()
        await openAccount(cluster, "dave", 100_000)
        const keys = Array.from({ length: 50 }, (_, index) => `dave-${index}`)
        const inFlight = keys.map((key) => request(cluster, leader.id, "POST", "/accounts/dave/withdraw", { amount: 1_000 }, key).catch(() => undefined))
        await sleep(20)
        await cluster.crash(leader.id)
        const first = await Promise.all(inFlight)
        const answeredBeforeKill = first.filter((answer) => answer?.status === 200).length
        const balances = new Map<string, number>()
        for (const key of keys) {
          const answer = await untilAnswered(cluster, "POST", "/accounts/dave/withdraw", { amount: 1_000 }, key)
          expect(answer.status).toBe(200)
          balances.set(key, answer.body.balance as number)
        }
        note("answered before the kill", answeredBeforeKill)
        expect(new Set(balances.values()).size).toBe(keys.length)
        expect(await balanceOf(cluster, "dave")).toBe(100_000 - keys.length * 1_000)
        await cluster.restart(leader.id)
        await cluster.waitForConvergence({ timeoutMs: 30_000 })
        expect(await balanceOf(cluster, "dave")).toBe(100_000 - keys.length * 1_000)
      }), scenarioTimeoutMs)
  })
}
