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
/** Terms whose synced vote is remembered: a vote waits in the outbound queue a few terms at most. */
const votesRememberedMax = 64

export class DurabilityWitness {
  private durableHardState: HardState
  private durableLastIndex: number
  /**
   * The vote synced for each recent term. One fdatasync can cover two hard states (a vote in term 2, then one in
   * term 3, written in one group commit, as after a restart that found both requests waiting): the term-2 vote is
   * released after that sync, when the last durable hard state is already term 3's, yet it was on disk first.
   */
  private readonly votesSynced = new Map<number, number | null>()
  private count = 0
  private readonly descriptions: Array<string> = []

  constructor(recovered: DurableState) {
    this.durableHardState = recovered.hardState
    this.durableLastIndex = recovered.log.length
    this.rememberVote(recovered.hardState)
  }

  private rememberVote(hardState: HardState): void {
    this.votesSynced.set(hardState.term, hardState.votedFor)
    if (this.votesSynced.size <= votesRememberedMax) return
    const oldest = Math.min(...this.votesSynced.keys())
    this.votesSynced.delete(oldest)
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
      if (record.hardState !== undefined) {
        this.durableHardState = record.hardState
        this.rememberVote(record.hardState)
      }
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
      if (this.votesSynced.get(message.term) !== to) {
        return `granted a vote in term ${message.term} to n${to} while the disk says term ${durable.term}, vote ${durable.votedFor ?? "none"}`
      }
    }
    if (message._tag === "AppendEntriesResponse" && message.success && message.matchIndex > this.durableLastIndex) {
      return `acknowledged entries up to ${message.matchIndex} in term ${message.term} while the disk holds ${this.durableLastIndex}`
    }
    return undefined
  }
}
