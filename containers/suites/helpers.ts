/** Small steps the scenario suites share. */
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
