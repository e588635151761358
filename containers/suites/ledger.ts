/**
 * The ledger seed (shared/seeds/004) against real nodes in Docker: a replica crash during writes, a partition whose
 * minority refuses writes, and the node killed mid-request with clients retrying under their Idempotency-Keys. Money is counted exactly at the end of each scenario, and the recorded
 * ledger history is checked with model/ledger's ledgerSpec, as in the simulator. (The concurrent withdrawals are a
 * scripted scenario, src/schedule/scenarios, replayed by suites/scripted.ts.)
 */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import type { LedgerInput, LedgerOutput } from "../../model/ledger/ledger.ts"
import { ledgerSpec } from "../../model/ledger/ledgerSpec.ts"
import { checkHistory, type HistoryEvent } from "../../model/linearizability/index.ts"
import type { DockerCluster } from "../fixture/cluster.ts"
import { runScenario } from "../fixture/scenario.ts"
import type { Verdict } from "../fixture/verdicts.ts"
import { others, sleep, statusOf, waitForStatus } from "./helpers.ts"

const scenarioTimeoutMs = 180_000

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One request to one node, no redirects followed (a 307 names the leader by id, not by a reachable address). */
const request = async (
  cluster: DockerCluster,
  id: number,
  method: string,
  path: string,
  body?: unknown,
  key?: string
): Promise<Answer> => {
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
const untilAnswered = async (
  cluster: DockerCluster,
  method: string,
  path: string,
  body?: unknown,
  key?: string
): Promise<Answer> => {
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

/**
 * The scenario's ledger history in model/ledger's terms, checked with ledgerSpec like the simulator's. One
 * logical operation is one process: its first send is the invocation and its last answer the completion,
 * whatever retries came between (they carry the same Idempotency-Key).
 */
class LedgerHistory {
  readonly events: Array<HistoryEvent<LedgerInput, LedgerOutput>> = []
  private nextProcess = 0
  private readonly originMs = performance.now()

  async operation(input: LedgerInput, run: () => Promise<Answer | undefined>): Promise<Answer | undefined> {
    const process = this.nextProcess++
    this.events.push({ _tag: "Invoke", process, atTime: performance.now() - this.originMs, input })
    const answer = await run().catch(() => undefined)
    const atTime = performance.now() - this.originMs
    const output = answer === undefined ? undefined : outputOf(answer)
    if (output === "not applied") this.events.push({ _tag: "Fail", process, atTime })
    else if (output === undefined) this.events.push({ _tag: "Unknown", process, atTime })
    else this.events.push({ _tag: "Ok", process, atTime, output })
    return answer
  }

  verdict(): Verdict {
    const checked = checkHistory(ledgerSpec, this.events, { budget: { maxSteps: 5_000_000 } })
    if (Either.isLeft(checked))
      return {
        invariant: "ledger_history_well_formed",
        ok: false,
        message: `the history is malformed: ${checked.left.message}`
      }
    return {
      invariant: "ledger_linearizability",
      ok: checked.right.verdict !== "not linearizable",
      message: checked.right.summary
    }
  }
}

/** What the client learned: an output, "not applied" (a redirect refuses before proposing), or unknown. */
const outputOf = (answer: Answer): LedgerOutput | "not applied" | undefined => {
  const body = answer.body
  if ((answer.status === 200 || answer.status === 201) && typeof body.balance === "number") {
    return { _tag: "AccountOk", balance: body.balance, version: body.version as number }
  }
  if (answer.status === 404) return { _tag: "AccountNotFound" }
  if (answer.status === 307) return "not applied"
  if (answer.status === 409) {
    if (body.error === "insufficient funds") return { _tag: "InsufficientFunds" }
    if (body.error === "version conflict") return { _tag: "VersionConflict" }
    if (body.error === "account exists") return { _tag: "AccountExists" }
  }
  return undefined
}

const keyed = (key: string | undefined): { readonly idempotencyKey?: string } =>
  key === undefined ? {} : { idempotencyKey: key }

const withdrawal = (account: string, amount: number, key?: string): LedgerInput => ({
  _tag: "Withdraw",
  account,
  amount,
  ...keyed(key)
})

const balanceOf = async (cluster: DockerCluster, history: LedgerHistory, account: string): Promise<number> => {
  const answer = await history.operation({ _tag: "GetAccount", account }, () =>
    untilAnswered(cluster, "GET", `/accounts/${account}`)
  )
  expect(answer?.status).toBe(200)
  return answer?.body.balance as number
}

const openAccount = async (
  cluster: DockerCluster,
  history: LedgerHistory,
  account: string,
  amount: number
): Promise<void> => {
  const opened = await history.operation({ _tag: "CreateAccount", account, idempotencyKey: `open-${account}` }, () =>
    untilAnswered(cluster, "POST", `/accounts/${account}`, undefined, `open-${account}`)
  )
  expect(opened?.status).toBe(201)
  const funded = await history.operation({ _tag: "Deposit", account, amount, idempotencyKey: `fund-${account}` }, () =>
    untilAnswered(cluster, "POST", `/accounts/${account}/deposit`, { amount }, `fund-${account}`)
  )
  expect(funded?.status).toBe(200)
}

/** A ledger scenario: runScenario with a ledger history whose verdict joins the standing ones. */
const runLedgerScenario = (
  name: string,
  body: (context: {
    cluster: DockerCluster
    history: LedgerHistory
    note: (key: string, value: unknown) => void
  }) => Promise<void>
) =>
  runScenario(name, async ({ cluster, note, verdict }) => {
    const history = new LedgerHistory()
    try {
      await body({ cluster, history, note })
    } finally {
      verdict(history.verdict())
      note("ledgerHistory", history.events)
    }
  })

export const registerLedgerScenarios = (): void => {
  describe("ledger scenarios (shared/seeds/004)", () => {
    it(
      "ledger_crash_during_writes: a follower is killed during withdrawals; the majority goes on and the node catches up",
      () =>
        runLedgerScenario("ledger_crash_during_writes", async ({ cluster, history, note }) => {
          const leader = await cluster.waitForLeader()
          const victim = others(cluster, leader.id)[0]!
          await openAccount(cluster, history, "bob", 100_000)
          for (let count = 0; count < 30; count += 1) {
            if (count === 10) await cluster.crash(victim)
            const key = `bob-${count}`
            const answer = await history.operation(withdrawal("bob", 100, key), () =>
              untilAnswered(cluster, "POST", "/accounts/bob/withdraw", { amount: 100 }, key)
            )
            expect(answer?.status).toBe(200)
          }
          await cluster.restart(victim)
          const leaderCommit = (await statusOf(cluster, (await cluster.waitForLeader()).id)).commitIndex
          const caughtUp = await waitForStatus(
            cluster,
            victim,
            (status) => status.lastApplied >= leaderCommit,
            `lastApplied ≥ ${leaderCommit}`,
            30_000
          )
          note("victim", { node: victim, lastApplied: caughtUp.lastApplied })
          await cluster.waitForConvergence()
          expect(await balanceOf(cluster, history, "bob")).toBe(100_000 - 30 * 100)
        }),
      scenarioTimeoutMs
    )

    it(
      "ledger_partition: the isolated minority refuses writes (307/503) and applies nothing; the majority goes on",
      () =>
        runLedgerScenario("ledger_partition", async ({ cluster, history, note }) => {
          const leader = await cluster.waitForLeader()
          const minority = others(cluster, leader.id)[0]!
          await openAccount(cluster, history, "carol", 10_000)
          await cluster.isolate(minority)
          const appliedAtCut = (await statusOf(cluster, minority)).lastApplied
          const refused = await history.operation(withdrawal("carol", 500, "carol-minority"), () =>
            request(cluster, minority, "POST", "/accounts/carol/withdraw", { amount: 500 }, "carol-minority")
          )
          note("minority answer", refused)
          expect([307, 503]).toContain(refused?.status)
          for (let count = 0; count < 5; count += 1) {
            const key = `carol-${count}`
            const answer = await history.operation(withdrawal("carol", 1_000, key), () =>
              untilAnswered(cluster, "POST", "/accounts/carol/withdraw", { amount: 1_000 }, key)
            )
            expect(answer?.status).toBe(200)
          }
          expect((await statusOf(cluster, minority)).lastApplied).toBe(appliedAtCut)
          await cluster.heal()
          await cluster.waitForConvergence({ timeoutMs: 30_000 })
          // The refused request never ran; five withdrawals of 1000 did.
          expect(await balanceOf(cluster, history, "carol")).toBe(5_000)
        }),
      scenarioTimeoutMs
    )

    it(
      "ledger_api_killed_mid_request: the leader is SIGKILLed under keyed withdrawals; retries never spend twice",
      () =>
        runLedgerScenario("ledger_api_killed_mid_request", async ({ cluster, history, note }) => {
          const leader = await cluster.waitForLeader()
          await openAccount(cluster, history, "dave", 100_000)
          const keys = Array.from({ length: 50 }, (_, index) => `dave-${index}`)
          // Each withdrawal is one operation: its first attempt goes to the leader that is about to die, and the
          // client retries it under the same key until some leader answers.
          let answeredBeforeKill = 0
          const kill = sleep(20).then(() => cluster.crash(leader.id))
          const operations = keys.map((key) =>
            history.operation(withdrawal("dave", 1_000, key), async () => {
              const first = await request(
                cluster,
                leader.id,
                "POST",
                "/accounts/dave/withdraw",
                { amount: 1_000 },
                key
              ).catch(() => undefined)
              if (first?.status === 200) {
                answeredBeforeKill += 1
                return first
              }
              await kill
              return untilAnswered(cluster, "POST", "/accounts/dave/withdraw", { amount: 1_000 }, key)
            })
          )
          const answers = await Promise.all(operations)
          await kill
          const balances = new Map<string, number>()
          for (const [index, key] of keys.entries()) {
            expect(answers[index]?.status).toBe(200)
            balances.set(key, answers[index]?.body.balance as number)
          }
          // A retry of an answered key is answered with the first result and moves nothing.
          const again = await untilAnswered(cluster, "POST", "/accounts/dave/withdraw", { amount: 1_000 }, "dave-0")
          expect(again.body.balance).toBe(balances.get("dave-0"))
          note("answered before the kill", answeredBeforeKill)
          expect(new Set(balances.values()).size).toBe(keys.length)
          expect(await balanceOf(cluster, history, "dave")).toBe(100_000 - keys.length * 1_000)
          await cluster.restart(leader.id)
          await cluster.waitForConvergence({ timeoutMs: 30_000 })
          expect(await balanceOf(cluster, history, "dave")).toBe(100_000 - keys.length * 1_000)
        }),
      scenarioTimeoutMs
    )
  })
}
