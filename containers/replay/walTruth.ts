/**
 * Ground truth for a Docker replay, read from the nodes' WALs after the run (as etcd's robustness tests patch a
 * history from the WAL): which client commands the cluster committed, and — replaying the committed commands in
 * log order through the application — with what result. The replay's linearizability check settles each unknown
 * outcome from it (model/linearizability/settle.ts), like the simulator does from its applied logs.
 *
 * The WAL holds the whole log (the node keeps no snapshot), so a command whose session is not in the committed
 * prefix was not applied during the run (one committed later could only go after every recorded operation, which
 * is the same as never for the history). A command appended again by a retry under its session ran once, at its
 * first entry. The truth is given up, and the raw history checked, when the nodes' committed prefixes disagree or
 * a WAL cannot be read.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { KvResult } from "../../model/kv/index.ts"
import type { Settlement } from "../../model/linearizability/index.ts"
import { applyApp, emptyAppState, isLedgerCommand } from "../../src/app/machine.ts"
import { entryDigest, type Entry, type Session } from "../../src/protocol/entry.ts"
import { decodeRecords } from "../../src/storage/decode.ts"
import { replayWalRecords } from "../../src/storage/walRecord.ts"
import type { DockerCluster } from "../fixture/cluster.ts"
import type { HistoryRecorder } from "../fixture/clusterClient.ts"
import { walFileName } from "../fixture/corrupt.ts"

/** The log a node's WAL holds, or a sentence saying why it cannot be used. */
export const readWalLog = (dataDirectory: string): ReadonlyArray<Entry> | string => {
  const file = path.join(dataDirectory, walFileName)
  if (!fs.existsSync(file)) return `no WAL at ${file}`
  const decoded = decodeRecords(new Uint8Array(fs.readFileSync(file)))
  // A torn tail is what a running node's last append can look like from outside; damage in the middle is not.
  if (decoded.finding._tag !== "Clean" && decoded.finding._tag !== "TornTail")
    return `the WAL at ${file} is damaged (${decoded.finding._tag})`
  const replayed = replayWalRecords(decoded.records.map((record) => record.payload))
  if (replayed.badRecordReason !== undefined) return `the WAL at ${file} does not replay: ${replayed.badRecordReason}`
  return replayed.log
}

const sessionKey = (session: Session): string => `${session.clientId}#${session.sequence}`

/**
 * The settlements for a replay's unknown outcomes, or a sentence saying why there are none. `committedIndex` is
 * the commit index the converged cluster reported; `sessionOf` gives the session of an operation whose outcome
 * is unknown; `endTime` (on the history's clock) is when the run was over, by which every committed command had
 * been applied.
 */
export const walSettlements = (
  logs: ReadonlyArray<ReadonlyArray<Entry>>,
  committedIndex: number,
  sessionOf: (id: number) => Session | undefined,
  endTime: number
): ((id: number) => Settlement<KvResult> | undefined) | string => {
  const committed: Array<Entry> = []
  for (let index = 1; index <= committedIndex; index++) {
    const copies = logs.flatMap((log) => (log[index - 1] === undefined ? [] : [log[index - 1]!]))
    const first = copies[0]
    if (first === undefined) return `no WAL holds committed entry ${index}`
    if (copies.some((copy) => entryDigest(copy) !== entryDigest(first)))
      return `the WALs disagree on committed entry ${index}`
    committed.push(first)
  }
  const bySession = new Map<string, Settlement<KvResult>>()
  let state = emptyAppState
  for (const entry of committed) {
    const payload = entry.payload
    if (payload._tag !== "Command") continue
    const key = sessionKey(payload.session)
    // A retried command appended again is answered from its session, not run again (src/protocol/apply.ts).
    if (bySession.has(key)) continue
    const step = applyApp(state, payload.command)
    state = step.state
    if (isLedgerCommand(payload.command)) continue
    const result = step.result
    if (result._tag !== "Ok" && result._tag !== "NotFound" && result._tag !== "CasMismatch") continue
    bySession.set(key, { _tag: "Applied", output: result, atTime: endTime })
  }
  return (id) => {
    const session = sessionOf(id)
    if (session === undefined) return undefined
    return bySession.get(sessionKey(session)) ?? { _tag: "NotApplied" }
  }
}

/**
 * The truth of a converged cluster: its commit index from /status, every node's WAL from its volume. Call it only
 * once the cluster has converged (a commit index read without a leader may lag what was committed).
 */
export const readClusterTruth = async (
  cluster: DockerCluster,
  recorder: HistoryRecorder
): Promise<((id: number) => Settlement<KvResult> | undefined) | string> => {
  const statuses = await cluster.statuses(2_000)
  const commitIndexes = [...statuses.values()].flatMap((reading) =>
    reading instanceof Error ? [] : [reading.status.commitIndex]
  )
  if (commitIndexes.length === 0) return "no node reported its commit index"
  const logs: Array<ReadonlyArray<Entry>> = []
  for (const node of cluster.nodes) {
    const log = readWalLog(await cluster.dataDirectory(node.getNodeId()))
    if (typeof log === "string") return log
    logs.push(log)
  }
  return walSettlements(logs, Math.max(...commitIndexes), (id) => recorder.unknownSessions.get(id), recorder.now())
}
