/**
 * The run's trace: one compact event per thing that matters (deliveries, drops, persists, role changes,
 * applies, faults, client events). Every event feeds a SHA-256 so that the same schedule gives the same hash
 * byte for byte; only the most recent events are kept in memory (bounded), as text lines for reports around a
 * violation.
 *
 * The frequent events (deliveries, drops, persists, applies, client operations) are hashed as plain data and
 * rendered as text only when a kept line is read: formatting a line per message cost more than the replica
 * step that sent it. Everything else is a line of text, hashed as its characters.
 */
import { createHash, type Hash } from "node:crypto"
import type { Entry } from "../protocol/entry.ts"
import type { ClientResult, Input, Output, RequestId } from "../protocol/io.ts"
import type { ReplicaState } from "../protocol/state.ts"
import type { Message } from "../protocol/messages.ts"
import type { AppResult } from "../app/machine.ts"
import type { ClientOperation } from "../schedule/index.ts"

export interface TraceLine {
  readonly atMs: number
  readonly text: string
}

type Persist = Extract<Output, { _tag: "Persist" }>

/** Why a message was not delivered, as the trace names it. */
export type DropReason = "loss" | "partition" | "down" | "no such node"

/**
 * A fault as it struck, for drawing: which replica went down, paused or was cut off, which links were cut or
 * clogged, and when it ended. The trace hashes it as its line of text (`text`), as it always has.
 */
export type FaultRecord =
  | { readonly _tag: "Crash" | "Restart" | "Resume" | "Isolate" | "Rejoin"; readonly node: number }
  | { readonly _tag: "Pause"; readonly node: number; readonly forMs: number }
  | { readonly _tag: "Partition"; readonly cut: ReadonlyArray<readonly [from: number, to: number]> }
  | { readonly _tag: "Heal" }
  | { readonly _tag: "Clog"; readonly from: number; readonly to: number; readonly forMs: number }

/**
 * An event kept for the report, rendered when read. Some fields are kept but not hashed (a message's send time,
 * a clog's hold, what made a role change): they are functions of what is hashed, and leaving them out keeps the
 * trace hash of every schedule what it was.
 */
export type TraceEvent =
  | { readonly _tag: "Text"; readonly atMs: number; readonly text: string }
  | { readonly _tag: "Fault"; readonly atMs: number; readonly fault: FaultRecord; readonly text: string }
  | {
      readonly _tag: "Role"
      readonly atMs: number
      readonly node: number
      readonly input: Input
      readonly before: ReplicaState
      readonly after: ReplicaState
    }
  | {
      readonly _tag: "Deliver"
      readonly atMs: number
      readonly from: number
      readonly to: number
      readonly message: Message
      readonly sentAtMs: number
      readonly heldMs: number
    }
  | {
      readonly _tag: "Drop"
      readonly atMs: number
      readonly from: number
      readonly to: number
      readonly reason: DropReason
      readonly message: Message
      /** When it was sent (a message cut in flight was sent earlier than it was dropped). */
      readonly sentAtMs: number
    }
  | { readonly _tag: "Persist"; readonly atMs: number; readonly node: number; readonly persist: Persist }
  | { readonly _tag: "Apply"; readonly atMs: number; readonly node: number; readonly entry: Entry }
  | {
      readonly _tag: "Reply"
      readonly atMs: number
      readonly client: number
      readonly from: number
      readonly requestId: RequestId
      readonly result: ClientResult
    }
  | {
      readonly _tag: "ClientInvoke"
      readonly atMs: number
      readonly client: number
      readonly process: number
      readonly operation: ClientOperation
    }
  | {
      readonly _tag: "ClientEnd"
      readonly atMs: number
      readonly client: number
      readonly process: number
      readonly ending: AppResult | "fail" | "unknown"
    }

const bufferBytes = 16 * 1024
const notInt32 = 0x7fffffff

const eventCode = {
  Text: 1,
  Deliver: 2,
  Drop: 3,
  Persist: 4,
  Apply: 5,
  Reply: 6,
  ClientInvoke: 7,
  ClientEnd: 8
} as const
const messageCode: Readonly<Record<Message["_tag"], number>> = {
  RequestVote: 1,
  RequestVoteResponse: 2,
  AppendEntries: 3,
  AppendEntriesResponse: 4
}
const dropCode: Readonly<Record<DropReason, number>> = { loss: 1, partition: 2, down: 3, "no such node": 4 }
const payloadCode: Readonly<Record<Entry["payload"]["_tag"], number>> = { NoOp: 1, Config: 2, Command: 3 }
const resultCode: Readonly<Record<ClientResult["_tag"], number>> = {
  Applied: 1,
  Read: 2,
  NotLeader: 3,
  SessionExpired: 4,
  Rejected: 5,
  Busy: 6,
  Unknown: 7
}

export class Trace {
  private readonly hash: Hash = createHash("sha256")
  /** Encoded events not yet hashed: one hash update per 16 KiB. */
  private readonly buffer = new Uint8Array(bufferBytes)
  private readonly view = new DataView(this.buffer.buffer)
  private offset = 0
  private kept: Array<TraceEvent> = []
  private start = 0
  lineCount = 0

  constructor(readonly linesKept: number) {}

  /** A line of text. */
  record(atMs: number, text: string): void {
    this.begin(eventCode.Text, atMs)
    this.text(text)
    if (this.linesKept > 0) this.keep({ _tag: "Text", atMs, text })
  }

  /** A fault that struck (or ended): hashed as its line of text, kept as data for the dashboard's spans. */
  fault(atMs: number, fault: FaultRecord, text: string): void {
    this.begin(eventCode.Text, atMs)
    this.text(text)
    if (this.linesKept > 0) this.keep({ _tag: "Fault", atMs, fault, text })
  }

  /** A client starts an operation. */
  clientInvoke(atMs: number, client: number, process: number, operation: ClientOperation): void {
    this.begin(eventCode.ClientInvoke, atMs)
    this.number(client)
    this.number(process)
    this.value(operation)
    if (this.linesKept > 0) this.keep({ _tag: "ClientInvoke", atMs, client, process, operation })
  }

  /** A client's operation ends: with the application's result, or failed, or with an unknown outcome. */
  clientEnd(atMs: number, client: number, process: number, ending: AppResult | "fail" | "unknown"): void {
    this.begin(eventCode.ClientEnd, atMs)
    this.number(client)
    this.number(process)
    this.value(ending)
    if (this.linesKept > 0) this.keep({ _tag: "ClientEnd", atMs, client, process, ending })
  }

  deliver(atMs: number, from: number, to: number, message: Message, sentAtMs = atMs, heldMs = 0): void {
    this.begin(eventCode.Deliver, atMs)
    this.number(from)
    this.number(to)
    this.message(message)
    if (this.linesKept > 0) this.keep({ _tag: "Deliver", atMs, from, to, message, sentAtMs, heldMs })
  }

  drop(atMs: number, from: number, to: number, reason: DropReason, message: Message, sentAtMs = atMs): void {
    this.begin(eventCode.Drop, atMs)
    this.number(from)
    this.number(to)
    this.number(dropCode[reason])
    this.message(message)
    if (this.linesKept > 0) this.keep({ _tag: "Drop", atMs, from, to, reason, message, sentAtMs })
  }

  /** A replica's role or term changed in a step: hashed as the line it has always been, kept with its cause. */
  role(atMs: number, node: number, input: Input, before: ReplicaState, after: ReplicaState): void {
    this.begin(eventCode.Text, atMs)
    this.text(roleText(node, after))
    if (this.linesKept > 0) this.keep({ _tag: "Role", atMs, node, input, before, after })
  }

  persist(atMs: number, node: number, persist: Persist): void {
    this.begin(eventCode.Persist, atMs)
    this.number(node)
    this.number(persist.ioId)
    this.number(persist.hardState === undefined ? -1 : persist.hardState.term)
    this.number(persist.hardState?.votedFor ?? -1)
    this.number(persist.truncateFrom ?? -1)
    this.number(persist.append.length)
    if (this.linesKept > 0) this.keep({ _tag: "Persist", atMs, node, persist })
  }

  apply(atMs: number, node: number, entry: Entry): void {
    this.begin(eventCode.Apply, atMs)
    this.number(node)
    this.number(entry.index)
    this.number(entry.term)
    this.number(payloadCode[entry.payload._tag])
    if (this.linesKept > 0) this.keep({ _tag: "Apply", atMs, node, entry })
  }

  reply(atMs: number, client: number, from: number, requestId: RequestId, result: ClientResult): void {
    this.begin(eventCode.Reply, atMs)
    this.number(client)
    this.number(from)
    this.number(requestId)
    this.number(resultCode[result._tag])
    if (this.linesKept > 0) this.keep({ _tag: "Reply", atMs, client, from, requestId, result })
  }

  /** The most recent lines, oldest first. */
  recent(): ReadonlyArray<TraceLine> {
    return this.kept.slice(this.start).map((event) => ({ atMs: event.atMs, text: renderTraceEvent(event) }))
  }

  /** The most recent events as data, oldest first (the timeline and the dashboard draw from these). */
  events(): ReadonlyArray<TraceEvent> {
    return this.kept.slice(this.start)
  }

  /** Finishes the hash; call once. */
  digest(): string {
    this.flush()
    return this.hash.digest("hex")
  }

  private begin(code: number, atMs: number): void {
    this.lineCount += 1
    this.byte(code)
    this.number(atMs)
  }

  private byte(value: number): void {
    if (this.offset + 1 > bufferBytes) this.flush()
    this.buffer[this.offset++] = value
  }

  /** A 32-bit integer in 4 bytes (nearly every field); anything else as a marker and 8 bytes. */
  private number(value: number): void {
    if (this.offset + 12 > bufferBytes) this.flush()
    if ((value | 0) === value && value !== notInt32) {
      this.view.setInt32(this.offset, value, true)
      this.offset += 4
      return
    }
    this.view.setInt32(this.offset, notInt32, true)
    this.view.setFloat64(this.offset + 4, value, true)
    this.offset += 12
  }

  private text(text: string): void {
    this.number(text.length)
    for (let position = 0; position < text.length; position += 1) {
      if (this.offset + 3 > bufferBytes) this.flush()
      const code = text.charCodeAt(position)
      // ASCII as one byte; any other UTF-16 unit as a 0xff marker and its two bytes (ASCII never uses 0xff).
      if (code < 0x80) this.buffer[this.offset++] = code
      else {
        this.buffer[this.offset++] = 0xff
        this.buffer[this.offset++] = code >> 8
        this.buffer[this.offset++] = code & 0xff
      }
    }
  }

  /** Plain data (what JSON would show of it): each value with a type byte, objects' fields in their order. */
  private value(value: unknown): void {
    switch (typeof value) {
      case "number":
        this.byte(1)
        return this.number(value)
      case "string":
        this.byte(2)
        return this.text(value)
      case "boolean":
        return this.byte(value ? 4 : 3)
      case "object":
        if (value === null) return this.byte(5)
        if (Array.isArray(value)) {
          this.byte(6)
          this.number(value.length)
          for (const item of value) this.value(item)
          return
        }
        this.byte(7)
        for (const key in value) {
          const field = (value as Record<string, unknown>)[key]
          if (field === undefined) continue
          this.text(key)
          this.value(field)
        }
        return this.byte(8)
      default:
        return this.byte(9)
    }
  }

  private message(message: Message): void {
    this.number(messageCode[message._tag])
    this.number(message.term)
    switch (message._tag) {
      case "RequestVote":
        this.number(message.lastLogIndex)
        this.number(message.lastLogTerm)
        this.number(message.preVote ? 1 : 0)
        return
      case "RequestVoteResponse":
        this.number(message.granted ? 1 : 0)
        this.number(message.preVote ? 1 : 0)
        return
      case "AppendEntries":
        this.number(message.prevLogIndex)
        this.number(message.prevLogTerm)
        this.number(message.entries.length)
        this.number(message.leaderCommit)
        this.number(message.readContext)
        return
      case "AppendEntriesResponse":
        this.number(message.success ? 1 : 0)
        this.number(message.matchIndex)
        this.number(message.conflictIndex)
        this.number(message.conflictTerm)
        this.number(message.readContext)
        return
    }
  }

  private keep(event: TraceEvent): void {
    if (this.linesKept === 0) return
    this.kept.push(event)
    // Amortised ring: drop the oldest half once the buffer is twice the bound.
    if (this.kept.length - this.start > this.linesKept) this.start += 1
    if (this.start >= this.linesKept) {
      this.kept = this.kept.slice(this.start)
      this.start = 0
    }
  }

  private flush(): void {
    if (this.offset === 0) return
    this.hash.update(this.buffer.subarray(0, this.offset))
    this.offset = 0
  }
}

const roleText = (node: number, after: ReplicaState): string =>
  `n${node} ${after.role} t${after.term}${after.votedFor === null ? "" : ` voted n${after.votedFor}`}`

/**
 * Why a role or term changed, from the step's input and the states around it: the election timer firing (a
 * PreVote round, or a candidacy), a won PreVote or election, a higher term seen, a lost quorum.
 */
export const roleCause = (input: Input, before: ReplicaState, after: ReplicaState): string => {
  const timer = input._tag === "Tick" || (after.nowMs >= before.electionDeadlineMs && input._tag !== "Receive")
  if (after.role === "precandidate") return timer ? "election timeout fired: PreVote round" : "PreVote round"
  if (after.role === "candidate") {
    if (before.role === "precandidate") return "PreVote won: candidacy"
    return timer ? "election timeout fired: candidacy" : "candidacy"
  }
  if (after.role === "leader") {
    const granted =
      input._tag === "Receive" && input.message._tag === "RequestVoteResponse" && input.message.granted
        ? [...before.votesGranted, input.from]
        : before.votesGranted
    // The candidate's own vote counts too; under a planted quorum bug it may be the only one.
    const voters = [...new Set([...(after.votedFor === null ? [] : [after.votedFor]), ...granted])]
    const won = `won the election with the votes of ${voters.map((node) => `n${node}`).join(" ")}`
    if (before.role === "candidate") return won
    // Only the election timer starts a candidacy; it fires before whatever input the step was given.
    return `election timeout fired: candidacy and ${won} in the same step`
  }
  if (input._tag === "Receive" && input.message.term > before.term)
    return `saw term ${input.message.term} from n${input.from}`
  if (before.role === "leader" && input._tag !== "Receive") return "stepped down: no quorum heard (CheckQuorum)"
  return input._tag === "Receive" ? `heard from n${input.from}` : "stepped down"
}

export const renderTraceEvent = (event: TraceEvent): string => {
  switch (event._tag) {
    case "Text":
    case "Fault":
      return event.text
    case "Role":
      return `${roleText(event.node, event.after)} (${roleCause(event.input, event.before, event.after)})`
    case "Deliver":
      return `n${event.from}->n${event.to} ${describeMessage(event.message)}${event.heldMs > 0 ? ` (held ${event.heldMs} ms by a clog)` : ""}`
    case "Drop":
      return `n${event.from}->n${event.to} drop (${event.reason}) ${describeMessage(event.message)}`
    case "Persist": {
      const persist = event.persist
      const hardState = persist.hardState ? ` hs t${persist.hardState.term}/v${persist.hardState.votedFor ?? "-"}` : ""
      const cut = persist.truncateFrom !== undefined ? ` cut ${persist.truncateFrom}` : ""
      return `n${event.node} persist io${persist.ioId}${hardState}${cut} +${persist.append.length}`
    }
    case "Apply":
      return `n${event.node} apply ${event.entry.index}/t${event.entry.term} ${event.entry.payload._tag}`
    case "Reply":
      return `client ${event.client} <- n${event.from} ${event.result._tag} (request ${event.requestId})`
    case "ClientInvoke":
      return `client ${event.client} p${event.process} invoke ${JSON.stringify(event.operation)}`
    case "ClientEnd":
      return `client ${event.client} p${event.process} ${typeof event.ending === "string" ? event.ending : `ok ${JSON.stringify(event.ending)}`}`
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
