/**
 * The ledger over HTTP on a real 3-node loopback cluster: the fourth seed's concurrent withdrawals (100 × $10
 * against $100, all at once, no expected versions), the API's refusals and conflicts, and a client that retries
 * its withdrawals with their Idempotency-Keys after the leader was SIGKILLed under them (no double spend).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchStatus, waitFor, waitForLeader } from "./localCluster.ts"
import { call, startTestCluster, statusOf, type HttpAnswer, type TestCluster } from "./testCluster.ts"

const adminToken = "ledger-test-admin-token"
const json = (body: unknown): string => JSON.stringify(body)

describe("the ledger on a 3-node cluster", () => {
  let test: TestCluster

  beforeAll(async () => {
    test = await startTestCluster({ adminToken })
    await waitForLeader(test.cluster, 20_000)
  })

  afterAll(async () => {
    await test?.[Symbol.asyncDispose]()
  })

  const urlOf = (id: number): string => test.cluster.nodeAt(id).httpUrl
  const running = (): Array<number> =>
    test.cluster.nodes.filter((node) => node.process !== undefined).map((node) => node.id)
  const post = (id: number, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
    call(
      `${urlOf(id)}${path}`,
      { method: "POST", ...(body === undefined ? {} : { body: json(body) }), headers },
      10_000
    )

  it("100 concurrent $10 withdrawals against $100 at the leader: exactly 10 succeed, 90 get 409, the balance ends at 0", async () => {
    // Arrange
    const leader = await waitForLeader(test.cluster, 10_000)
    expect((await post(leader, "/accounts/alice")).status).toBe(201)
    expect(await post(leader, "/accounts/alice/deposit", { amount: 10_000 })).toMatchObject({
      status: 200,
      body: { balance: 10_000, version: 1 }
    })
    // Act: every request is in flight before any answer is awaited.
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => post(leader, "/accounts/alice/withdraw", { amount: 1_000 }))
    )
    // Assert
    const succeeded = answers.filter((answer) => answer.status === 200)
    const refused = answers.filter((answer) => answer.status === 409)
    expect({ succeeded: succeeded.length, refused: refused.length }).toEqual({ succeeded: 10, refused: 90 })
    expect(new Set(succeeded.map((answer) => answer.body.balance))).toEqual(
      new Set([9_000, 8_000, 7_000, 6_000, 5_000, 4_000, 3_000, 2_000, 1_000, 0])
    )
    for (const answer of refused)
      expect(answer.body).toMatchObject({ error: "insufficient funds", account: "alice", balance: 0, requested: 1_000 })
    const final = await call(`${urlOf(leader)}/accounts/alice`)
    expect(final).toMatchObject({ status: 200, body: { account: "alice", balance: 0, version: 11 } })
    expect(typeof final.body.readIndex).toBe("number")
  })

  it("refuses bad amounts with 400 and a reason, and reports conflicts with 409 and their details", async () => {
    const leader = await waitForLeader(test.cluster, 10_000)
    await post(leader, "/accounts/bob")
    await post(leader, "/accounts/carol")
    expect((await post(leader, "/accounts/bob")).body).toMatchObject({ error: "account exists", account: "bob" })
    const negative = await post(leader, "/accounts/bob/deposit", { amount: -5 })
    expect(negative).toMatchObject({ status: 400, body: { error: expect.stringMatching(/not positive/) } })
    expect((await post(leader, "/accounts/bob/deposit", { amount: 1.5 })).body.error).toMatch(/not an integer/)
    expect((await post(leader, "/accounts/bob/deposit", { amount: 1e20 })).body.error).toMatch(
      /over the largest balance/
    )
    // An amount given as a string: the first problem, in one line, not the Schema's type dump.
    const asString = await post(leader, "/accounts/bob/deposit", { amount: "10" })
    expect(asString).toMatchObject({
      status: 400,
      body: {
        error: 'the body should be {"amount": integer} (amounts in minor units): amount: Expected number, actual "10"'
      }
    })
    expect((await post(leader, "/transfers", { from: "bob", to: "bob", amount: 1 })).status).toBe(400)
    expect((await call(`${urlOf(leader)}/accounts/nobody`)).status).toBe(404)
    expect((await post(leader, "/accounts/nobody/deposit", { amount: 1 })).status).toBe(404)
    await post(leader, "/accounts/bob/deposit", { amount: 500 })
    const stale = await post(leader, "/accounts/bob/withdraw", { amount: 100, expectedVersion: 0 })
    expect(stale).toMatchObject({ status: 409, body: { error: "version conflict", expectedVersion: 0, version: 1 } })
    expect(await post(leader, "/accounts/bob/withdraw", { amount: 100, expectedVersion: 1 })).toMatchObject({
      status: 200,
      body: { balance: 400, version: 2 }
    })
    const short = await post(leader, "/transfers", { from: "bob", to: "carol", amount: 1_000 })
    expect(short).toMatchObject({ status: 409, body: { error: "insufficient funds", balance: 400, requested: 1_000 } })
    const moved = await post(leader, "/transfers", { from: "bob", to: "carol", amount: 150 })
    expect(moved).toMatchObject({
      status: 200,
      body: { from: { account: "bob", balance: 250 }, to: { account: "carol", balance: 150 } }
    })
    const follower = running().find((id) => id !== leader) ?? 0
    expect((await call(`${urlOf(follower)}/accounts/carol`)).body).toMatchObject({ balance: 150, version: 1 })
  })

  it("an Idempotency-Key retried at another node returns the first result and applies once", async () => {
    const leader = await waitForLeader(test.cluster, 10_000)
    await post(leader, "/accounts/dave")
    const headers = { "idempotency-key": "dave-deposit-1" }
    const first = await post(leader, "/accounts/dave/deposit", { amount: 700 }, headers)
    const follower = running().find((id) => id !== leader) ?? 0
    const retried = await post(follower, "/accounts/dave/deposit", { amount: 700 }, headers)
    expect(first).toMatchObject({ status: 200, body: { balance: 700, version: 1 } })
    expect(retried).toEqual(first)
    expect((await call(`${urlOf(leader)}/accounts/dave`)).body).toMatchObject({ balance: 700, version: 1 })
  })

  it("no double spend when the leader is SIGKILLed mid-request and the client retries its keys at the new leader", async () => {
    // Arrange: $1000 and 100 keyed $10 withdrawals, all in flight when the leader dies.
    const leader = await waitForLeader(test.cluster, 10_000)
    await post(leader, "/accounts/erin")
    await post(leader, "/accounts/erin/deposit", { amount: 100_000 }, { "idempotency-key": "erin-funding" })
    const baseline = (await statusOf(test.cluster, leader)).lastLogIndex as number
    const keys = Array.from({ length: 100 }, (_, index) => `erin-withdrawal-${index}`)
    const attempt = (id: number, key: string): Promise<HttpAnswer | undefined> =>
      post(id, "/accounts/erin/withdraw", { amount: 1_000 }, { "idempotency-key": key }).catch(() => undefined)
    // The followers' acknowledgements to the leader are held back, so the withdrawals reach the followers' logs
    // but the leader cannot commit them: the kill lands with every request in flight and unanswered.
    const followers = running().filter((id) => id !== leader)
    const admin = { authorization: `Bearer ${adminToken}` }
    for (const follower of followers)
      await post(follower, "/admin/faults", { peers: { [String(leader)]: { delayMs: 400 } } }, admin)
    // Act
    const inFlight = keys.map((key) => attempt(leader, key))
    await waitFor("the followers to hold the withdrawals", 10_000, async () => {
      const statuses = await Promise.all(followers.map((id) => fetchStatus(urlOf(id), 200)))
      return statuses.some((status) => (status?.lastLogIndex as number) >= baseline + 10) ? true : undefined
    })
    await test.cluster.stopNode(leader, "SIGKILL")
    for (const follower of followers) await post(follower, "/admin/faults", {}, admin)
    const firstAnswers = await Promise.all(inFlight)
    const newLeader = await waitForLeader(test.cluster, 20_000, running())
    const lastIndexOfOldTerm = (await statusOf(test.cluster, newLeader)).lastLogIndex as number
    const answers = new Map<string, HttpAnswer>()
    for (const [index, key] of keys.entries()) {
      const answer = firstAnswers[index]
      if (answer?.status === 200) answers.set(key, answer)
    }
    const answeredBeforeKill = answers.size
    for (const key of keys) {
      for (let retry = 0; retry < 50 && !answers.has(key); retry += 1) {
        const answer = await attempt(newLeader, key)
        if (answer?.status === 200) answers.set(key, answer)
        else await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    // Assert: every key took effect exactly once, whichever attempt's answer the client saw.
    expect(answers.size).toBe(keys.length)
    for (const key of ["erin-withdrawal-0", "erin-withdrawal-50", "erin-withdrawal-99"]) {
      // The same result; the index may differ: a retry answered from a duplicate entry names that entry's index.
      const again = await attempt(newLeader, key)
      const { index: _againIndex, ...againResult } = again?.body ?? {}
      const { index: _firstIndex, ...firstResult } = answers.get(key)?.body ?? {}
      expect(againResult).toEqual(firstResult)
    }
    const balances = [...answers.values()].map((answer) => answer.body.balance as number)
    expect(new Set(balances).size).toBe(keys.length)
    expect(Math.min(...balances)).toBe(0)
    const final = await call(`${urlOf(newLeader)}/accounts/erin`)
    expect(final).toMatchObject({ status: 200, body: { balance: 0, version: 101 } })
    expect(answeredBeforeKill).toBeLessThan(keys.length)
    const retried = [...answers.entries()].filter(([key]) => firstAnswers[keys.indexOf(key)]?.status !== 200)
    const appliedButUnanswered = retried.filter(
      ([, answer]) => (answer.body.index as number) <= lastIndexOfOldTerm
    ).length
    expect(appliedButUnanswered).toBeGreaterThan(0)
    console.info(
      `ledger kill mid-request: ${answeredBeforeKill} answered before the SIGKILL, ${appliedButUnanswered} applied but unanswered (the retry got the first result), ${retried.length - appliedButUnanswered} applied only on retry`
    )
    test.cluster.start(leader)
  })
})
