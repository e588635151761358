/**
 * The run's trace: one compact line per event that matters (deliveries, drops, persists, role changes,
 * applies, faults, client events). Every line feeds a SHA-256 so that the same schedule gives the same hash
 * byte for byte; only the most recent lines are kept in memory (bounded), for reports around a violation.
 */
import { createHash, type Hash } from "node:crypto"
import type { Message } from "../protocol/messages.ts"

const pendingCharsMax = 4 * 1024

export interface TraceLine {
  readonly atMs: number
  readonly text: string
}

export class Trace {
  private readonly hash: Hash = createHash("sha256")
  /** Lines not yet hashed: one hash update per ~4 KiB instead of per line (the digest covers the same bytes); a small chunk keeps the pieces of the pending string from outliving a young-generation collection. */
  private pending = ""
  private readonly lines: Array<TraceLine> = []
  private start = 0
  lineCount = 0

  constructor(readonly linesKept: number) {}

  record(atMs: number, text: string): void {
    this.pending += `${atMs} ${text}\n`
    if (this.pending.length >= pendingCharsMax) this.flush()
    this.lineCount += 1
    if (this.linesKept === 0) return
    this.lines.push({ atMs, text })
    // Amortised ring: drop the oldest half once the buffer is twice the bound.
    if (this.lines.length - this.start > this.linesKept) this.start += 1
    if (this.start >= this.linesKept) {
      this.lines.splice(0, this.start)
      this.start = 0
    }
  }

  /** The most recent lines, oldest first. */
  recent(): ReadonlyArray<TraceLine> {
    return this.lines.slice(this.start)
  }

  private flush(): void {
    this.hash.update(this.pending)
    this.pending = ""
  }

  /** Finishes the hash; call once. */
  digest(): string {
    this.flush()
    return this.hash.digest("hex")
  }
}

/** A short, stable rendering of a peer message for trace lines. */
export const describeMessage = (message: Message): string => {
  switch (message._tag) {
    case "RequestVote":
      return `${message.preVote ? "PreVote" : "Vote"}(t${message.term} last ${message.lastLogIndex}/t${message.lastLogTerm})`
    case "RequestVoteResponse":
      return `${message.preVote ? "PreVote" : "Vote"}${message.granted ? "Granted" : "Refused"}(t${message.term})`
    case "AppendEntries":
      return `Append(t${message.term} prev ${message.prevLogIndex}/t${message.prevLogTerm} +${message.entries.length} commit ${message.leaderCommit} ctx ${message.readContext})`
    case "AppendEntriesResponse":
      return message.success
        ? `AppendOk(t${message.term} match ${message.matchIndex} ctx ${message.readContext})`
        : `AppendRefused(t${message.term} conflict ${message.conflictIndex}/t${message.conflictTerm})`
  }
}
