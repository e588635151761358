/**
 * The statuses a replay ends with, as a scripted scenario's expectations read them (FinalStatus): every node's
 * /status once the liveness phase has healed, restarted and settled the cluster. A node that does not answer is
 * down; the ledger's balances are not on /status, so they are left out (an expectation reading them judges only
 * where they can be read).
 */
import type { FinalStatus } from "../../src/schedule/scenarios/index.ts"
import type { DockerCluster } from "../fixture/cluster.ts"
import type { StatusReading } from "../fixture/nodeApi.ts"

export const finalStatuses = async (cluster: DockerCluster): Promise<ReadonlyArray<FinalStatus>> => {
  const readings = await cluster.statuses(2_000).catch((): ReadonlyMap<number, StatusReading | Error> => new Map())
  return cluster.nodes.map((node): FinalStatus => {
    const id = node.getNodeId()
    const reading = readings.get(id)
    if (reading === undefined || reading instanceof Error)
      return { node: id, up: false, role: "down", term: 0, commitIndex: 0, lastApplied: 0, leaderChanges: 0 }
    const status = reading.status
    return {
      node: id,
      up: true,
      role: status.role,
      term: status.term,
      commitIndex: status.commitIndex,
      lastApplied: status.lastApplied,
      leaderChanges: status.leaderChanges
    }
  })
}
