/**
 * One counterexample's run as data for the dashboard's drawing: per replica, role and term bands, spans when it
 * was down, paused, isolated or behind a cut or a clogged link, marks for persists and applies; every message as
 * an arrow from its send to its arrival (or its drop); the schedule's steps; the violation; and the client history
 * as intervals with the linearizability checker's explanation (the longest linearizable prefix, the operation
 * that blocked it, and the minimal core of operations where the checker names one).
 */
import type { InvariantName } from "../../../model/invariants/names.ts"
import type { Counterexample } from "../../../properties/counterexample.ts"
import type { Judgement } from "../../../properties/judge.ts"
import { describeStep } from "../../schedule/index.ts"
import { checkLinearizable } from "../../sim/linearizability.ts"
import { describeMessage, renderTraceEvent, type TraceEvent } from "../../sim/trace.ts"
import { timelineEntries, violationWindow, type TimelineEntry } from "../timelineView.ts"

export interface Band {
  readonly node: number
  readonly fromMs: number
  readonly toMs: number
  readonly role: string
  readonly term: number
}
export interface Span {
  readonly node: number
  readonly fromMs: number
  readonly toMs: number
  readonly kind: "down" | "paused" | "isolated" | "cut" | "clogged"
  readonly text: string
}
export interface Mark {
  readonly node: number
  readonly atMs: number
  readonly kind: "persist" | "apply" | "crash" | "restart" | "timer" | "fault"
  readonly text: string
}
export interface Arrow {
  readonly from: number
  readonly to: number
  readonly sentAtMs: number
  readonly atMs: number
  /** Vote, PreVote, Append, Heartbeat, AppendOk, AppendRefused, … */
  readonly kind: string
  readonly text: string
  readonly dropped: string | null
  readonly heldMs: number
}
export interface Operation {
  /** The checker's number for it (invocation order), as its explanation writes it: #3. */
  readonly id: number
  readonly process: number
  readonly callMs: number
  readonly returnMs: number | null
  readonly text: string
  readonly status: "ok" | "fail" | "unknown" | "pending"
  /** In the checker's longest linearizable prefix, the operation it could not place, in the minimal core. */
  readonly prefix: boolean
  readonly blocking: boolean
  readonly core: boolean
}

export interface RunView {
  readonly file: string
  readonly scenario: string
  readonly bugs: ReadonlyArray<string>
  readonly replicas: number
  readonly endMs: number
  readonly violation: { readonly invariant: InvariantName; readonly message: string; readonly atMs: number } | null
  readonly recorded: { readonly invariant: InvariantName; readonly message: string; readonly atMs: number }
  readonly steps: ReadonlyArray<{ readonly atMs: number; readonly text: string }>
  readonly bands: ReadonlyArray<Band>
  readonly spans: ReadonlyArray<Span>
  readonly marks: ReadonlyArray<Mark>
  readonly arrows: ReadonlyArray<Arrow>
  readonly operations: ReadonlyArray<Operation>
  readonly explanation: string | null
  readonly timeline: ReadonlyArray<{ readonly atMs: number; readonly kind: string; readonly text: string }>
  /** The stretch the page opens on: what led to the violation (the repro window), or the whole run. */
  readonly focus: { readonly fromMs: number; readonly toMs: number }
}

const messageKind = (event: Extract<TraceEvent, { _tag: "Deliver" | "Drop" }>): string => {
  const message = event.message
  switch (message._tag) {
    case "RequestVote":
      return message.preVote ? "PreVote" : "Vote"
    case "RequestVoteResponse":
      return message.preVote ? "PreVoteReply" : "VoteReply"
    case "AppendEntries":
      return message.entries.length === 0 ? "Heartbeat" : "Append"
    case "AppendEntriesResponse":
      return message.success ? "AppendOk" : "AppendRefused"
  }
}

/** Role bands from the role changes; a crash ends a band, a restart starts a follower's. */
const bandsOf = (replicas: number, events: ReadonlyArray<TraceEvent>, endMs: number): ReadonlyArray<Band> => {
  const bands: Array<Band> = []
  const open = Array.from({ length: replicas }, () => ({ fromMs: 0, role: "follower", term: 0, up: true }))
  const close = (node: number, atMs: number): void => {
    const band = open[node]
    if (band?.up === true && atMs > band.fromMs)
      bands.push({ node, fromMs: band.fromMs, toMs: atMs, role: band.role, term: band.term })
  }
  for (const event of events) {
    if (event._tag === "Role") {
      close(event.node, event.atMs)
      open[event.node] = { fromMs: event.atMs, role: event.after.role, term: event.after.term, up: true }
    } else if (event._tag === "Fault" && event.fault._tag === "Crash") {
      const node = event.fault.node
      close(node, event.atMs)
      const band = open[node]
      if (band !== undefined) band.up = false
    } else if (event._tag === "Fault" && event.fault._tag === "Restart") {
      const node = event.fault.node
      open[node] = { fromMs: event.atMs, role: "follower", term: open[node]?.term ?? 0, up: true }
    }
  }
  for (let node = 0; node < replicas; node += 1) close(node, endMs)
  return bands
}

interface OpenSpan {
  readonly node: number
  readonly fromMs: number
  readonly kind: Span["kind"]
  readonly text: string
  /** A clog's own end; other spans end with the fault that undoes them. */
  readonly untilMs?: number
}

/**
 * Down, paused, isolated, cut and clogged spans from the trace's fault records (data, not its lines of text): a
 * crash until the restart, a pause until the resume, an isolation until the rejoin or the heal, a partition's
 * cut links (one span per replica whose outgoing links were cut) until the heal, a clog for its duration or
 * until the heal clears it.
 */
const spansOf = (replicas: number, events: ReadonlyArray<TraceEvent>, endMs: number): ReadonlyArray<Span> => {
  const spans: Array<Span> = []
  const started = new Map<string, OpenSpan>()
  const begin = (key: string, span: OpenSpan): void => {
    if (!started.has(key)) started.set(key, span)
  }
  const end = (key: string, atMs: number): void => {
    const span = started.get(key)
    if (span === undefined) return
    started.delete(key)
    const toMs = Math.min(atMs, span.untilMs ?? atMs)
    spans.push({
      node: span.node,
      fromMs: span.fromMs,
      kind: span.kind,
      text: span.text,
      toMs: Math.max(toMs, span.fromMs + 1)
    })
  }
  for (const event of events) {
    if (event._tag !== "Fault") continue
    const { fault, atMs, text } = event
    switch (fault._tag) {
      case "Crash":
        begin(`down${fault.node}`, { node: fault.node, fromMs: atMs, kind: "down", text })
        break
      case "Restart":
        end(`down${fault.node}`, atMs)
        break
      case "Pause":
        begin(`paused${fault.node}`, { node: fault.node, fromMs: atMs, kind: "paused", text })
        break
      case "Resume":
        end(`paused${fault.node}`, atMs)
        break
      case "Isolate":
        begin(`isolated${fault.node}`, { node: fault.node, fromMs: atMs, kind: "isolated", text })
        break
      case "Rejoin":
        end(`isolated${fault.node}`, atMs)
        break
      case "Partition":
        for (const from of new Set(fault.cut.map(([node]) => node))) {
          const links = fault.cut.filter(([node]) => node === from).map(([node, to]) => `n${node}->n${to}`)
          begin(`cut${from}`, { node: from, fromMs: atMs, kind: "cut", text: `cut ${links.join(" ")}` })
        }
        break
      case "Clog":
        end(`clog${fault.from}-${fault.to}`, atMs)
        begin(`clog${fault.from}-${fault.to}`, {
          node: fault.from,
          fromMs: atMs,
          kind: "clogged",
          text,
          untilMs: atMs + fault.forMs
        })
        break
      case "Heal":
        for (const key of [...started.keys()])
          if (key.startsWith("cut") || key.startsWith("isolated") || key.startsWith("clog")) end(key, atMs)
        break
    }
  }
  for (const key of [...started.keys()]) end(key, endMs)
  return spans.filter((span) => span.node < replicas)
}

const marksOf = (events: ReadonlyArray<TraceEvent>): ReadonlyArray<Mark> =>
  events.flatMap((event): ReadonlyArray<Mark> => {
    if (event._tag === "Persist" || event._tag === "Apply")
      return [
        {
          node: event.node,
          atMs: event.atMs,
          kind: event._tag === "Persist" ? "persist" : "apply",
          text: renderTraceEvent(event)
        }
      ]
    if (event._tag === "Role" && renderTraceEvent(event).includes("election timeout"))
      return [{ node: event.node, atMs: event.atMs, kind: "timer", text: renderTraceEvent(event) }]
    return []
  })

/**
 * Every message as an arrow. An acknowledgement that matches no more than the last one on its link answers a
 * heartbeat and is drawn (and filtered) with the heartbeats, so that a quiet leader's lane is not a wall of acks.
 */
const arrowsOf = (events: ReadonlyArray<TraceEvent>): ReadonlyArray<Arrow> => {
  const lastMatch = new Map<string, number>()
  const kindOf = (event: Extract<TraceEvent, { _tag: "Deliver" | "Drop" }>): string => {
    const message = event.message
    if (message._tag !== "AppendEntriesResponse" || !message.success) return messageKind(event)
    const link = `${event.from}-${event.to}`
    const quiet = lastMatch.get(link) === message.matchIndex
    lastMatch.set(link, message.matchIndex)
    return quiet ? "Heartbeat" : "AppendOk"
  }
  return events.flatMap((event): ReadonlyArray<Arrow> => {
    if (event._tag !== "Deliver" && event._tag !== "Drop") return []
    if (event.to < 0) return []
    return [
      {
        from: event.from,
        to: event.to,
        sentAtMs: event.sentAtMs,
        atMs: event.atMs,
        kind: kindOf(event),
        text: `n${event.from}->n${event.to} ${describeMessage(event.message)}`,
        dropped: event._tag === "Drop" ? event.reason : null,
        heldMs: event._tag === "Deliver" ? event.heldMs : 0
      }
    ]
  })
}

/** A command or result as a person writes it: `Put(k0, v0)`, `Read(k0)`, `Ok`, `Value(v3)`, not its JSON. */
const compact = (value: unknown): string => {
  if (typeof value !== "object" || value === null || !("_tag" in value)) return JSON.stringify(value)
  const { _tag: tag, ...fields } = value as { readonly _tag: unknown }
  const shown = Object.values(fields).filter((field) => field !== undefined && field !== null)
  const inner = shown.map((field) => (typeof field === "string" ? field : compact(field))).join(", ")
  return shown.length === 0 ? String(tag) : `${String(tag)}(${inner})`
}

const operationsOf = (judged: Judgement): { operations: ReadonlyArray<Operation>; explanation: string | null } => {
  const history = judged.result.history
  // The same settled history the run's own check judged, and its minimal core where the checker finds one.
  const verdict = checkLinearizable(history, judged.result.settlements(), { core: true })
  const explanation = verdict._tag === "Checked" ? verdict.result.explanation : null
  const key = (process: number, callMs: number): string => `${process}@${callMs}`
  const inPrefix = new Set((explanation?.longestPrefix ?? []).map((summary) => key(summary.process, summary.callTime)))
  const blocking = explanation === null ? "" : key(explanation.blocking.process, explanation.blocking.callTime)
  const core = new Set(
    (verdict._tag === "Checked" ? (verdict.result.core ?? []) : []).map((summary) =>
      key(summary.process, summary.callTime)
    )
  )
  const open = new Map<number, { id: number; callMs: number; text: string }>()
  let invocations = 0
  const operations: Array<Operation> = []
  for (const event of history) {
    if (event._tag === "Invoke") {
      open.set(event.process, { id: invocations, callMs: event.atTime, text: compact(event.input) })
      invocations += 1
      continue
    }
    const call = open.get(event.process)
    if (call === undefined) continue
    open.delete(event.process)
    const id = key(event.process, call.callMs)
    operations.push({
      id: call.id,
      process: event.process,
      callMs: call.callMs,
      returnMs: event._tag === "Unknown" ? null : event.atTime,
      text:
        event._tag === "Ok" ? `${call.text} → ${compact(event.output)}` : `${call.text} → ${event._tag.toLowerCase()}`,
      status: event._tag === "Ok" ? "ok" : event._tag === "Fail" ? "fail" : "unknown",
      prefix: inPrefix.has(id),
      blocking: id === blocking,
      core: core.has(id)
    })
  }
  for (const [process, call] of open)
    operations.push({
      id: call.id,
      process,
      callMs: call.callMs,
      returnMs: null,
      text: call.text,
      status: "pending",
      prefix: false,
      blocking: false,
      core: false
    })
  return {
    operations,
    explanation: explanation?.text ?? (verdict._tag === "Checked" ? verdict.result.summary : verdict.message)
  }
}

/** How many events before a violation the opening view spans (repro shows as many). */
const focusEvents = 16

/**
 * The stretch of time the page opens on. For a linearizability violation, the operations the checker names (the
 * one it could not place, the minimal core, the last operations of the longest prefix); otherwise the events
 * `repro` shows, from the role changes that led to the violation up to it. A tenth of the span is added each side.
 */
const focusOf = (
  entries: ReadonlyArray<TimelineEntry>,
  violation: RunView["violation"],
  operations: ReadonlyArray<Operation>,
  endMs: number
): RunView["focus"] => {
  if (violation === null) return { fromMs: 0, toMs: endMs }
  const named = operations.filter((operation) => operation.blocking || operation.core)
  const prefix = operations.filter((operation) => operation.prefix).slice(-3)
  const involved = named.length > 0 ? [...named, ...prefix] : []
  const times =
    involved.length > 0
      ? involved.flatMap((operation) => [operation.callMs, operation.returnMs ?? operation.callMs])
      : [
          ...violationWindow(entries, violation, focusEvents)
            .filter((entry) => entry.kind !== "violation")
            .map((entry) => entry.atMs),
          violation.atMs
        ]
  const fromMs = Math.min(...times)
  const toMs = Math.max(...times)
  const margin = Math.max(5, Math.round((toMs - fromMs) / 10))
  return { fromMs: Math.max(0, fromMs - margin), toMs: Math.min(endMs, toMs + margin) }
}

export const runView = (file: string, counterexample: Counterexample, judged: Judgement): RunView => {
  const events = judged.result.events
  const replicas = counterexample.schedule.replicas
  // A little room after the last event, so that what happened last (often the violation) is drawn, not cut off.
  const endMs = Math.max(1, judged.result.counters.simulatedMs, ...events.map((event) => event.atMs)) + 20
  const finding = judged.findings[0]
  const { operations, explanation } = operationsOf(judged)
  const violation =
    finding === undefined ? null : { invariant: finding.invariant, message: finding.message, atMs: finding.atMs }
  const entries = timelineEntries(counterexample.schedule.steps, events)
  return {
    file,
    scenario: counterexample.scenario,
    bugs: counterexample.bugs,
    replicas,
    endMs,
    violation,
    recorded: counterexample.violation,
    steps: counterexample.schedule.steps.map((step) => ({ atMs: step.at, text: describeStep(step) })),
    bands: bandsOf(replicas, events, endMs),
    spans: spansOf(replicas, events, endMs),
    marks: marksOf(events),
    arrows: arrowsOf(events),
    operations,
    explanation,
    timeline: entries.map(({ atMs, kind, text }) => ({ atMs, kind, text })),
    focus: focusOf(entries, violation, operations, endMs)
  }
}
