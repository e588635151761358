/** Small steps the scenario suites share. */
import { expect } from "vitest"
import type { Outcome } from "../fixture/clusterClient.ts"
import type { DockerCluster } from "../fixture/cluster.ts"
import { fetchStatus, type NodeStatus } from "../fixture/nodeApi.ts"

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const others = (cluster: DockerCluster, ...excluded: ReadonlyArray<number>): Array<number> =>
  cluster.nodes.map((node) => node.getNodeId()).filter((id) => !excluded.includes(id))

export const statusOf = async (cluster: DockerCluster, id: number): Promise<NodeStatus> =>
  (await fetchStatus(cluster.node(id).getHttpEndpoint())).status

/** Polls one node's /status until `predicate` holds; returns the status that satisfied it. */
export const waitForStatus = async (
  cluster: DockerCluster,
  id: number,
  predicate: (status: NodeStatus) => boolean,
  what: string,
  timeoutMs = 20_000
): Promise<NodeStatus> => {
  const deadline = Date.now() + timeoutMs
  let last: NodeStatus | string = "no answer"
  while (Date.now() < deadline) {
    try {
      const status = await statusOf(cluster, id)
      if (predicate(status)) return status
      last = status
    } catch (error) {
      last = String(error)
    }
    await sleep(100)
  }
  throw new Error(`n${id} did not reach "${what}" within ${timeoutMs} ms; last: ${JSON.stringify(last)}`)
}

export const expectOk = (outcome: Outcome, what: string): void => {
  if (outcome._tag !== "Ok")
    throw new Error(`${what}: expected an acknowledgement, got ${outcome._tag}: ${outcome.reason}`)
}

/** Reads a key through the cluster (a linearizable read at the leader) and returns its value (null when absent). */
export const readValue = async (
  client: { get: (key: string) => Promise<Outcome> },
  key: string
): Promise<string | null> => {
  const outcome = await client.get(key)
  expectOk(outcome, `get(${key})`)
  if (outcome._tag !== "Ok") return null
  return outcome.result._tag === "Ok" ? outcome.result.value : null
}

export const expectExactlyOneLeader = async (cluster: DockerCluster): Promise<number> => {
  const statuses = await cluster.statuses()
  const leaders = [...statuses.values()].filter(
    (reading) => !(reading instanceof Error) && reading.status.role === "leader"
  )
  expect(leaders.length).toBe(1)
  return leaders[0] instanceof Error || leaders[0] === undefined ? -1 : leaders[0].status.id
}
