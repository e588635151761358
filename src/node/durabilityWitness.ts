/**
 * The node's own `persisted_before_reply` check (Raft Figure 2: a vote or an append acknowledgement only once it
 * is on stable storage). The witness follows what the WAL has synced — the hard state and the last durable log
 * index — and looks at every vote grant and append acknowledgement as the host sends it. A correct replica
 * never trips it (it holds such messages until PersistDone); the `ackBeforePersist` bug of a test image does.
 * It counts and describes, it does not stop the node: the Docker replay reads the count from /status.
 */
import type { DurableState, HardState, Message } from "../protocol/index.ts"
import type { WalRecord } from "../storage/walRecord.ts"

/** Descriptions kept for /status; the count goes on. */
const maxDescriptions = 8

export class DurabilityWitness {
  private durableHardState: HardState
  private durableLastIndex: number
  private count = 0
  private readonly descriptions: Array<string> = []

  constructor(recovered: DurableState) {
    this.durableHardState = recovered.hardState
    this.durableLastIndex = recovered.log.length
  }

  /** Messages sent before what they vouch for was durable. */
  get sentBeforeDurable(): number {
    return this.count
  }

  /** The hard state fdatasync last returned for: what a restart must find again (persisted_state_monotonic). */
  get durable(): HardState {
    return this.durableHardState
  }

  get examples(): ReadonlyArray<string> {
    return this.descriptions
  }

  /** Called once a batch of records returned from fdatasync, in the order they were written. */
  synced(records: ReadonlyArray<WalRecord>): void {
    for (const record of records) {
      if (record.truncateFrom !== undefined)
        this.durableLastIndex = Math.min(this.durableLastIndex, record.truncateFrom - 1)
      const last = record.append.at(-1)
      if (last !== undefined) this.durableLastIndex = last.index
      if (record.hardState !== undefined) this.durableHardState = record.hardState
    }
  }

  /** Called for every message as it is sent to `to`. */
  sending(to: number, message: Message): void {
    const problem = this.problemOf(to, message)
    if (problem === undefined) return
    this.count += 1
    if (this.descriptions.length < maxDescriptions) this.descriptions.push(problem)
  }

  private problemOf(to: number, message: Message): string | undefined {
    const durable = this.durableHardState
    if (message._tag === "RequestVoteResponse" && message.granted && !message.preVote) {
      if (durable.term !== message.term || durable.votedFor !== to) {
        return `granted a vote in term ${message.term} to n${to} while the disk says term ${durable.term}, vote ${durable.votedFor ?? "none"}`
      }
    }
    if (message._tag === "AppendEntriesResponse" && message.success && message.matchIndex > this.durableLastIndex) {
      return `acknowledged entries up to ${message.matchIndex} in term ${message.term} while the disk holds ${this.durableLastIndex}`
    }
    return undefined
  }
}
