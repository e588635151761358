/**
 * A counterexample's timeline as a person reads it: the schedule's steps and the run's events as entries with a
 * kind and the replicas involved, so they can be filtered (`--node`, `--from`/`--to`, `--kinds`); heartbeats and
 * their acknowledgements folded into one line per quiet stretch; timer events (election timeout, PreVote round,
 * candidacy) and what faults did to messages (held by a clog, dropped by a partition) as lines of their own; and
 * a window centred on the events that led to a violation, for `repro`.
 */
import { describeStep, type Step } from "../schedule/index.ts"
import { renderTraceEvent, roleCause, type FaultRecord, type TraceEvent } from "../sim/trace.ts"

export const timelineKinds = [
  "step",
  "timer",
  "role",
  "message",
  "heartbeat",
  "drop",
  "persist",
  "apply",
  "fault",
  "client",
  "violation",
  "note"
] as const
export type TimelineKind = (typeof timelineKinds)[number]

export interface TimelineEntry {
  readonly atMs: number
  readonly kind: TimelineKind
  /** The replicas the entry is about (both ends of a message). */
  readonly nodes: ReadonlyArray<number>
  readonly text: string
}

export const legend = [
  "legend: t3 = term 3; 5/t2 = log entry 5 of term 2; nA->nB = a message from replica A to replica B;",
  "  PreVote/Vote(t last i/t) = a (pre-)vote request with the candidate's last entry; …Granted/…Refused = the answer;",
  "  Append(t prev i/t +k commit c ctx x) = AppendEntries carrying k entries after entry i, leader commit c, read context x;",
  "  AppendOk(match m) / AppendRefused(conflict i/t) = the follower's answer; persist io7 hs t3/v1 cut 4 +2 = write 7:",
  "  hard state term 3 vote n1, log cut from 4, 2 entries appended; apply 5/t2 = entry applied to the state machine;",
  "  drop (partition|loss|down) = the message never arrived and why; held N ms by a clog = a clogged link delayed it;",
  "  ~ heartbeats = Appends with no entries and their acks, folded (--heartbeats shows them); STEP = the schedule's step"
].join("\n")

const nodesInText = (text: string): ReadonlyArray<number> =>
  [...text.matchAll(/\bn(\d+)\b/g)].map((match) => Number(match[1]))

const faultPattern =
  /^(crash|restart|pause|resume|isolate|rejoin|partition|heal|clog|disk|clock|forgery|trigger)\b|leads t\d+: trigger/

const textKind = (text: string): TimelineKind => {
  if (text.startsWith("VIOLATION")) return "violation"
  if (text.startsWith("client")) return "client"
  if (faultPattern.test(text)) return "fault"
  return "note"
}

/** Tracks what each link last carried, to tell a heartbeat (nothing new) from an append that moves the log. */
class HeartbeatTracker {
  private readonly lastCommit = new Map<string, number>()
  private readonly lastMatch = new Map<string, number>()

  isHeartbeat(event: Extract<TraceEvent, { _tag: "Deliver" }>): boolean {
    const link = `${event.from}-${event.to}`
    const message = event.message
    if (message._tag === "AppendEntries") {
      const quiet = message.entries.length === 0 && this.lastCommit.get(link) === message.leaderCommit
      this.lastCommit.set(link, message.leaderCommit)
      return quiet
    }
    if (message._tag === "AppendEntriesResponse" && message.success) {
      const quiet = this.lastMatch.get(link) === message.matchIndex
      this.lastMatch.set(link, message.matchIndex)
      return quiet
    }
    return false
  }
}

/** The replicas a fault struck (every end of a cut link; none for a heal, which concerns them all). */
const faultNodes = (fault: FaultRecord): ReadonlyArray<number> => {
  switch (fault._tag) {
    case "Heal":
      return []
    case "Partition":
      return [...new Set(fault.cut.flat())].sort((left, right) => left - right)
    case "Clog":
      return [fault.from, fault.to]
    default:
      return [fault.node]
  }
}

const entryOf = (event: TraceEvent, heartbeats: HeartbeatTracker): TimelineEntry => {
  const text = renderTraceEvent(event)
  switch (event._tag) {
    case "Text":
      return { atMs: event.atMs, kind: textKind(event.text), nodes: nodesInText(event.text), text }
    case "Fault":
      return { atMs: event.atMs, kind: "fault", nodes: faultNodes(event.fault), text }
    case "Role": {
      const timer = roleCause(event.input, event.before, event.after).startsWith("election timeout")
      return { atMs: event.atMs, kind: timer ? "timer" : "role", nodes: [event.node], text }
    }
    case "Deliver":
      return {
        atMs: event.atMs,
        kind: heartbeats.isHeartbeat(event) ? "heartbeat" : "message",
        nodes: [event.from, event.to],
        text: event.sentAtMs < event.atMs ? `${text} [sent ${event.sentAtMs} ms]` : text
      }
    case "Drop":
      return { atMs: event.atMs, kind: "drop", nodes: [event.from, event.to], text }
    case "Persist":
    case "Apply":
      return { atMs: event.atMs, kind: event._tag === "Persist" ? "persist" : "apply", nodes: [event.node], text }
    case "Reply":
      return { atMs: event.atMs, kind: "client", nodes: [event.from], text }
    case "ClientInvoke":
    case "ClientEnd":
      return { atMs: event.atMs, kind: "client", nodes: [], text }
  }
}

/** The schedule's steps and the run's events in time order (a step first on a tie, as the simulator runs them). */
export const timelineEntries = (
  steps: ReadonlyArray<Step>,
  events: ReadonlyArray<TraceEvent>
): ReadonlyArray<TimelineEntry> => {
  const stepEntries = steps.map((step) => {
    const text = `STEP ${describeStep(step).replace(/^at \d+ ms: /, "")}`
    return { atMs: step.at, kind: "step" as const, nodes: nodesInText(text), text, order: 0 }
  })
  const heartbeats = new HeartbeatTracker()
  const eventEntries = events.map((event) => ({ ...entryOf(event, heartbeats), order: 1 }))
  return [...stepEntries, ...eventEntries]
    .sort((left, right) => left.atMs - right.atMs || left.order - right.order)
    .map(({ order: _order, ...entry }) => entry)
}

export interface TimelineFilter {
  readonly nodes?: ReadonlyArray<number>
  readonly fromMs?: number
  readonly toMs?: number
  readonly kinds?: ReadonlyArray<TimelineKind>
}

export const filterEntries = (
  entries: ReadonlyArray<TimelineEntry>,
  filter: TimelineFilter
): ReadonlyArray<TimelineEntry> =>
  entries.filter(
    (entry) =>
      (filter.fromMs === undefined || entry.atMs >= filter.fromMs) &&
      (filter.toMs === undefined || entry.atMs <= filter.toMs) &&
      (filter.kinds === undefined || filter.kinds.includes(entry.kind)) &&
      (filter.nodes === undefined ||
        entry.kind === "violation" ||
        entry.nodes.some((node) => filter.nodes?.includes(node) === true))
  )

/** Folds each run of consecutive heartbeat entries into one line that says how many, between whom, and when. */
export const foldHeartbeats = (entries: ReadonlyArray<TimelineEntry>): ReadonlyArray<TimelineEntry> => {
  const folded: Array<TimelineEntry> = []
  let run: Array<TimelineEntry> = []
  const flush = (): void => {
    if (run.length === 1) folded.push(run[0] as TimelineEntry)
    if (run.length > 1) {
      const first = run[0] as TimelineEntry
      const last = run.at(-1) as TimelineEntry
      const nodes = [...new Set(run.flatMap((entry) => entry.nodes))].sort((left, right) => left - right)
      folded.push({
        atMs: first.atMs,
        kind: "heartbeat",
        nodes,
        text: `~ ${run.length} heartbeats and acks among ${nodes.map((node) => `n${node}`).join(" ")} until ${last.atMs} ms`
      })
    }
    run = []
  }
  for (const entry of entries) {
    if (entry.kind === "heartbeat") run.push(entry)
    else {
      flush()
      folded.push(entry)
    }
  }
  flush()
  return folded
}

/** How many of the named replicas' role changes and timer lines the window keeps beyond its last events. */
const roleEntriesKept = 8

/**
 * The window `repro` shows: the last `count` events before the violation that involve the replicas it names
 * (messages that are not heartbeats, faults, client events), plus the last role changes and timer lines of those
 * replicas however far back they lie (the election timeout, the PreVote round, the candidacy and the win that
 * led to a second leader), in time order, then the violation itself.
 */
export const violationWindow = (
  entries: ReadonlyArray<TimelineEntry>,
  violation: { readonly atMs: number; readonly message: string },
  count: number
): ReadonlyArray<TimelineEntry> => {
  const named = new Set([
    ...nodesInText(violation.message),
    ...[...violation.message.matchAll(/\b[Nn]odes? (\d+)(?: and (\d+))?/g)].flatMap((match) =>
      [match[1], match[2]].filter((value) => value !== undefined).map(Number)
    )
  ])
  const involves = (entry: TimelineEntry): boolean =>
    named.size === 0 || entry.nodes.length === 0 || entry.nodes.some((node) => named.has(node))
  const end = entries.findIndex((entry) => entry.kind === "violation" && entry.atMs >= violation.atMs)
  const before = (end === -1 ? entries : entries.slice(0, end)).filter(
    (entry) => entry.kind !== "heartbeat" && entry.kind !== "persist" && involves(entry)
  )
  const recent = new Set(before.slice(-count))
  const roles = before.filter((entry) => entry.kind === "role" || entry.kind === "timer").slice(-roleEntriesKept)
  const kept = before.filter((entry) => recent.has(entry) || roles.includes(entry))
  const violations = entries.filter((entry) => entry.kind === "violation")
  return [...kept, ...violations.slice(0, 3)]
}

/** An operation as the linearizability checker's explanation names it (model/linearizability's OperationSummary). */
interface NamedOperation {
  readonly callTime: number
  readonly returnTime: number | null
}

/**
 * The window `repro` shows for a history that is not linearizable, whose violation is found only at the end of
 * the run: what happened while the operations the checker names were in flight (the one it could not place, the
 * last operations of its longest linearizable prefix), heartbeats and persists left out, at most `count` times
 * three entries, then the violation.
 */
export const explainedWindow = (
  entries: ReadonlyArray<TimelineEntry>,
  explanation: { readonly blocking: NamedOperation; readonly longestPrefix: ReadonlyArray<NamedOperation> },
  count: number
): ReadonlyArray<TimelineEntry> => {
  const named = [explanation.blocking, ...explanation.longestPrefix.slice(-2)]
  const fromMs = Math.min(...named.map((operation) => operation.callTime))
  const toMs = Math.max(...named.map((operation) => operation.returnTime ?? operation.callTime))
  const during = entries.filter(
    (entry) =>
      entry.atMs >= fromMs &&
      entry.atMs <= toMs &&
      entry.kind !== "heartbeat" &&
      entry.kind !== "persist" &&
      entry.kind !== "violation"
  )
  const violations = entries.filter((entry) => entry.kind === "violation")
  return [...during.slice(-count * 3), ...violations.slice(0, 3)]
}

export const formatEntry = (entry: TimelineEntry): string =>
  `${String(entry.atMs).padStart(7)} ms  ${entry.kind === "step" ? "" : "     "}${entry.text}`
