/**
 * `faultline serve --start-at-epoch-ms T`: the replica takes its first step no earlier than T (the HTTP API opens
 * after it), so that a replay can start every node at one instant, as the simulator starts its replicas at time 0;
 * a node that comes up after T starts at once and says how late it was. (`--random-seed` is not given here: one
 * command line for all three would give them one seed, the same timeouts, and split votes for as long as the
 * timing noise allows; the replay gives each node its own.)
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { fetchStatus, freePorts, LocalCluster, waitFor, waitForLeader } from "./localCluster.ts"

describe("nodes started with a start instant", () => {
  it("answers nothing before the instant, then elects a leader, and its log names the instant", async () => {
    // Arrange: three nodes told to start their replicas 3 s from now.
    const ports = await freePorts(6)
    const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-start-instant-"))
    const startAtEpochMs = Date.now() + 3_000
    const cluster = new LocalCluster({
      nodes: 3,
      httpPorts: ports.slice(0, 3),
      peerPorts: ports.slice(3),
      dataDirectory,
      extraArgs: [
        "--heartbeat-interval-ms",
        "50",
        "--election-timeout-ms",
        "500",
        "--start-at-epoch-ms",
        String(startAtEpochMs)
      ]
    })
    try {
      // Act
      cluster.startAll()
      const firstAnswerAtEpochMs = await waitFor("a node to answer /status", 90_000, async () => {
        const statuses = await Promise.all(cluster.nodes.map((node) => fetchStatus(node.httpUrl)))
        return statuses.some((status) => status !== undefined) ? Date.now() : undefined
      })
      await waitForLeader(cluster, 60_000)
      // Assert: an ordering, not a duration — no answer came before the instant.
      expect(firstAnswerAtEpochMs).toBeGreaterThanOrEqual(startAtEpochMs)
      for (const node of cluster.nodes) {
        const log = fs.readFileSync(path.join(node.dataDirectory, "node.log"), "utf8")
        expect(log).toMatch(new RegExp(`replica started (at|\\d+ ms after) --start-at-epoch-ms ${startAtEpochMs}`))
      }
    } finally {
      await cluster.stopAll("SIGKILL")
      fs.rmSync(dataDirectory, { recursive: true, force: true })
    }
  }, 180_000)
})
