/**
 * The HTTP port listens before the node has read its WAL: until the replica exists, every request is answered 503
 * with the reason (and /health in its own shape), and a body sent meanwhile does not leak into the next request.
 */
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { createApiServer, type ApiContext } from "./httpApi.ts"

const servers: Array<ReturnType<typeof createApiServer>> = []

const listening = async (context: () => ApiContext | undefined): Promise<string> => {
  const server = createApiServer(context, () => undefined)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

describe("the HTTP API while the node starts", () => {
  it("answers /health, /status and writes with 503 and the reason", async () => {
    const url = await listening(() => undefined)
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(503)
    expect(health.headers.get("retry-after")).toBe("1")
    expect(await health.json()).toEqual({
      status: "unavailable",
      reason: "starting: reading the WAL and rebuilding the replica"
    })
    const status = await fetch(`${url}/status`)
    expect(status.status).toBe(503)
    expect(await status.json()).toEqual({ error: "starting: reading the WAL and rebuilding the replica" })
    const write = await fetch(`${url}/kv/a`, { method: "PUT", body: "x".repeat(100_000) })
    expect(write.status).toBe(503)
    expect(await write.json()).toEqual({ error: "starting: reading the WAL and rebuilding the replica" })
  })

  it("answers from the replica as soon as the node has started", async () => {
    let context: ApiContext | undefined
    const url = await listening(() => context)
    expect((await fetch(`${url}/health`)).status).toBe(503)
    context = {
      health: () => ({ serving: true, reason: "leader" }),
      status: () => ({ id: 0 }),
      admin: undefined
    } as unknown as ApiContext
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "serving", reason: "leader" })
  })
})
