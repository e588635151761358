/**
 * The simulation: virtual time, the one event queue, and the dispatch of events to the simulated parts
 * (replicas, network, clients). It reads no clock and no global randomness: a run is a pure function of its
 * schedule, and the trace hash proves it.
 */
import { Either } from "effect"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import type { InvariantName } from "../../model/invariants/names.ts"
import { makeReplicaConfig } from "../protocol/config.ts"
import type { Input, Output, RequestId } from "../protocol/io.ts"
import { Message } from "../protocol/messages.ts"
import { entryDigest, type Session } from "../protocol/entry.ts"
import type { ReplicaState } from "../protocol/state.ts"
import type { ModelEvent } from "../../model/invariants/observation.ts"
import type { LivenessOptions } from "../../model/invariants/liveness.ts"
import type { Violation as ModelViolation } from "../../model/invariants/violation.ts"
import type { SimObserver } from "./observer.ts"
import { ModelInvariants } from "./modelInvariants.ts"
import { SimClient, type ClientHost, type HistoryEvent } from "./client.ts"
import { LedgerApplied, type LedgerHistoryEvent } from "./ledgerHistory.ts"
import { EventQueue } from "./eventQueue.ts"
import { GroundTruth } from "./groundTruth.ts"
import type { SimEvent, Violation } from "./events.ts"
import { Network } from "./network.ts"
import { replicaSeedOf, SimRandom } from "../schedule/random.ts"
import { SimReplica, StepDefect, type StepMode } from "./replica.ts"
import type { HostWorld, Stepper } from "../host/host.ts"
import type { OnLeaderStep, Schedule } from "../schedule/index.ts"
import { leaderFault, leaderFaultEnd, type FaultWorld } from "./faults.ts"
import { describeMessage, Trace, type FaultRecord } from "./trace.ts"
import type { BugName } from "../protocol/bugs.ts"

export interface RunOptions {
  /** "effect" runs `step` through Effect.runSync (the default, as the node does); "pure" calls stepPure. */
  readonly stepMode?: StepMode
  readonly observers?: ReadonlyArray<SimObserver>
  readonly bugs?: ReadonlySet<BugName>
  readonly traceLinesKept?: number
  readonly queueCapacity?: number
  /** Check the client history with model/'s linearizability checker at the end (default true). */
  readonly checkLinearizability?: boolean
  /** Feed model/'s protocol invariants after every step (default true). */
  readonly modelInvariants?: boolean
  /**
   * When the faults healed: the same checker then judges liveness (RunResult.liveness), unless `modelInvariants`
   * is false.
   */
  readonly liveness?: LivenessOptions
  /**
   * Assert the replica's state invariants (protocol/checkState.ts) after every step (default true): a state no
   * correct replica can be in ends the run as an AssertionFailure with the seed, at the step that made it.
   */
  readonly checkReplicaState?: boolean
  /** End the run at the first violation (the property suite: what follows cannot make it pass). */
  readonly stopOnViolation?: boolean
  /**
   * Planted bugs act only in the first N replica steps; the correct replica takes every later step. `faultline
   * bisect` searches for the smallest N that still fails: the step after which the violation cannot be avoided.
   */
  readonly bugsUntilStep?: number
  /** End the run right after this many replica steps (bisect shows the replicas at that point). */
  readonly stopAfterStep?: number
}

export interface Counters {
  events: number
  replicaSteps: number
  messagesSent: number
  messagesDelivered: number
  messagesDropped: number
  persists: number
  forgedDelivered: number
  forgedRejected: number
  clientInvocations: number
  simulatedMs: number
}

const decodeMessage = decodeUnknownEitherTotal(Message)
const violationsMax = 100
const replyDelayMs = 1

const observable = (before: ReplicaState, after: ReplicaState, replica: SimReplica): boolean =>
  before.role !== after.role ||
  before.term !== after.term ||
  before.votedFor !== after.votedFor ||
  before.commitIndex !== after.commitIndex ||
  before.lastApplied !== after.lastApplied ||
  before.log !== after.log ||
  replica.durableHardStateChanged()

export class Simulation implements ClientHost, FaultWorld {
  nowMs = 0
  readonly seed: number
  readonly replicas: number
  readonly queue: EventQueue<SimEvent>
  readonly trace: Trace
  readonly network: Network
  readonly nodes: ReadonlyArray<SimReplica>
  readonly clients = new Map<number, SimClient>()
  readonly history: Array<HistoryEvent> = []
  /** Which commands the replicas applied: the truth that settles the history's unknown outcomes at the end. */
  readonly groundTruth = new GroundTruth()
  /** Ledger operations, checked against model/ledger's spec apart from the key-value history. */
  readonly ledgerHistory: Array<LedgerHistoryEvent> = []
  /** Replicas crashed and still down, most recent last: what a "crashed" target resolves to. */
  crashOrder: ReadonlyArray<number> = []
  /** OnLeader steps that have run (armed), each with how many times it may still fire. */
  readonly leaderTriggers: Array<{ readonly step: OnLeaderStep; remaining: number }> = []
  /** Replicas an OnLeader trigger has cut off and not yet let back. */
  readonly triggerIsolated = new Set<number>()
  readonly violations: Array<Violation> = []
  readonly counters: Counters = {
    events: 0,
    replicaSteps: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    persists: 0,
    forgedDelivered: 0,
    forgedRejected: 0,
    clientInvocations: 0,
    simulatedMs: 0
  }
  /** Set when the run must end early (a replica assertion failed). */
  stopped = false
  private readonly stopOnViolation: boolean
  private readonly observers: ReadonlyArray<SimObserver>
  readonly model: ModelInvariants | undefined
  private readonly stepMode: StepMode
  private readonly checkStates: boolean
  private readonly bugsUntilStep: number
  private readonly stopAfterStep: number
  private readonly pendingRequests = new Map<RequestId, number>()
  private readonly faultRandom: ReadonlyArray<SimRandom>
  private requestCounter = 0
  private processCounter = 0

  constructor(
    readonly schedule: Schedule,
    options: RunOptions = {}
  ) {
    this.seed = schedule.seed
    this.stopOnViolation = options.stopOnViolation ?? false
    this.replicas = schedule.replicas
    this.queue = new EventQueue(options.queueCapacity ?? 1_000_000)
    this.trace = new Trace(options.traceLinesKept ?? 2000)
    this.stepMode = options.stepMode ?? "effect"
    this.checkStates = options.checkReplicaState ?? true
    this.bugsUntilStep = options.bugsUntilStep ?? Number.POSITIVE_INFINITY
    this.stopAfterStep = options.stopAfterStep ?? Number.POSITIVE_INFINITY
    this.observers = [new LedgerApplied(), this.groundTruth, ...(options.observers ?? [])]
    this.network = new Network(schedule.replicas, schedule.profile.network, new SimRandom(schedule.seed, "network"))
    const voters = Array.from({ length: schedule.replicas }, (_, node) => node)
    this.nodes = voters.map((node) => {
      const randomSeed = replicaSeedOf(schedule.seed, node)
      const config = makeReplicaConfig({
        ...schedule.replicaConfig,
        id: node,
        voters,
        randomSeed,
        ...(options.bugs ? { bugs: options.bugs } : {})
      })
      return new SimReplica(node, config, schedule.profile.disk, new SimRandom(schedule.seed, `disk:${node}`))
    })
    const wiring = {
      world: (replica: SimReplica) => this.worldOf(replica),
      stepper: (replica: SimReplica) => this.stepperOf(replica)
    }
    for (const replica of this.nodes) replica.wire(wiring)
    this.model = options.modelInvariants === false ? undefined : new ModelInvariants(this.nodes, options.liveness)
    this.faultRandom = voters.map((node) => new SimRandom(schedule.seed, `faults:${node}`))
  }

  // ClientHost ---------------------------------------------------------------------------------------------

  enqueue(atMs: number, event: SimEvent): void {
    this.queue.push(atMs, event)
  }

  record(event: HistoryEvent, session?: Session): void {
    this.history.push(event)
    if (event._tag !== "Invoke") return
    this.counters.clientInvocations += 1
    this.groundTruth.invoked(session)
  }

  recordLedger(event: LedgerHistoryEvent): void {
    this.ledgerHistory.push(event)
    if (event._tag === "Invoke") this.counters.clientInvocations += 1
  }

  /** The observers' end-of-run checks over the live replicas' final states. */
  observeEnd(): void {
    const states = this.nodes.map((replica) => (replica.up ? replica.state : null))
    for (const observer of this.observers) {
      for (const finding of observer.atEnd?.(states) ?? []) this.violation(finding.invariant, finding.message)
    }
  }

  nextRequestId(): RequestId {
    this.requestCounter += 1
    return this.requestCounter
  }

  nextProcessId(): number {
    this.processCounter += 1
    return this.processCounter - 1
  }

  register(requestId: RequestId, client: number): void {
    this.pendingRequests.set(requestId, client)
  }

  violation(invariant: InvariantName, message: string, node?: number): void {
    if (this.violations.length >= violationsMax) return
    const violation: Violation = {
      invariant,
      message,
      atMs: this.nowMs,
      seed: this.seed,
      ...(node !== undefined ? { node } : {})
    }
    this.violations.push(violation)
    this.trace.record(this.nowMs, `VIOLATION ${invariant}: ${message}`)
    if (this.stopOnViolation) this.stopped = true
  }

  get modelEnabled(): boolean {
    return this.model !== undefined
  }

  modelEvent(event: ModelEvent): void {
    if (this.model !== undefined) this.modelViolations(this.model.record(event))
  }

  modelViolations(violations: ReadonlyArray<ModelViolation>): void {
    for (const violation of violations) this.violation(violation.invariant, violation.message)
  }

  note(text: string): void {
    this.trace.record(this.nowMs, text)
  }

  fault(fault: FaultRecord, text: string): void {
    this.trace.fault(this.nowMs, fault, text)
  }

  client(index: number): SimClient {
    let client = this.clients.get(index)
    if (client === undefined) {
      const random = new SimRandom(this.seed, `client:${index}`)
      client = new SimClient(index, this, this.schedule.profile.clients, random)
      this.clients.set(index, client)
    }
    return client
  }

  // Replica inputs -----------------------------------------------------------------------------------------

  /**
   * Gives a replica an input: its host steps it now, or holds it while the process is paused. Every input carries
   * the replica's clock reading (io.ts); the host stamps it when the input is stepped.
   */
  feed(replica: SimReplica, input: Input): void {
    const host = replica.host
    if (host === null) return
    if (!host.deliverOne(input)) this.note(`n${replica.node} paused: input buffer full, dropped ${input._tag}`)
  }

  /** The replica's clock reading now. */
  private clockOf(replica: SimReplica): number {
    return replica.localNowMs(this.nowMs)
  }

  /** A Tick now, its timer armed afresh (a start, a restart, a clock change); nothing while paused. */
  tick(replica: SimReplica): void {
    if (replica.host === null || replica.paused) return
    replica.host.tick()
  }

  // The replica's world (src/host/world.ts) ----------------------------------------------------------------

  private worldOf(replica: SimReplica): HostWorld {
    const node = replica.node
    const incarnation = replica.incarnation
    return {
      nowMs: () => this.clockOf(replica),
      later: (run) => this.enqueue(this.nowMs, { _tag: "Later", node, incarnation, run }),
      timerAt: (atMs, run) => replica.timerAt(this, atMs, run),
      storage: {
        append: (records, done) => replica.append(this, records, done),
        markRecovered: (done) => replica.markRecovered(done)
      },
      send: (output) => this.send(node, output.to, output.message),
      persisting: (output) => {
        this.counters.persists += 1
        this.trace.persist(this.nowMs, node, output)
      },
      applied: (output) => this.applied(replica, output),
      stepped: (input, before, transition) =>
        this.stepped(replica, input, before, transition.state, transition.outputs),
      fatal: (error) => this.violation("assertion_failure", `n${node} storage failed: ${String(error)}`, node),
      log: (line) => this.note(`n${node} ${line}`)
    }
  }

  /** How the host runs a step here: with the planted bugs until bisect's cut, and the replica state's checks. */
  private stepperOf(replica: SimReplica): Stepper {
    return (before, input) => {
      if (this.stopped) return undefined
      const withBugs = this.counters.replicaSteps < this.bugsUntilStep
      const result = replica.runStep(before, input, this.stepMode, this.checkStates, withBugs)
      this.counters.replicaSteps += 1
      if (this.counters.replicaSteps >= this.stopAfterStep) this.stopped = true
      if (result instanceof StepDefect) {
        const defect = result.defect
        const text = defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect)
        this.violation(
          "assertion_failure",
          `n${replica.node} on ${input._tag}: ${text} (seed ${this.seed})`,
          replica.node
        )
        this.stopped = true
        return undefined
      }
      const after = result.state
      if (after.role !== before.role || after.term !== before.term)
        this.trace.role(this.nowMs, replica.node, input, before, after)
      return result
    }
  }

  private stepped(
    replica: SimReplica,
    input: Input,
    before: ReplicaState,
    after: ReplicaState,
    outputs: ReadonlyArray<Output>
  ): void {
    if (after.role === "leader" && before.role !== "leader" && this.leaderTriggers.length > 0)
      this.onLeader(replica.node, after.term)
    const observation = {
      atMs: this.nowMs,
      node: replica.node,
      incarnation: replica.incarnation,
      input,
      before,
      after,
      outputs
    }
    for (const observer of this.observers) {
      if (observer.afterStep === undefined) continue
      for (const finding of observer.afterStep(observation))
        this.violation(finding.invariant, finding.message, replica.node)
    }
    // A step that changed nothing the invariants look at (most ticks) needs no new observation.
    if (this.model !== undefined && observable(before, after, replica))
      this.modelViolations(this.model.observe(this.nowMs))
  }

  /** A replica has just won an election (or leads as a trigger arms): the first armed trigger with firings left takes it. */
  onLeader(node: number, term: number): void {
    const trigger = this.leaderTriggers.findIndex(
      (armed) => armed.remaining > 0 && armed.step.at <= this.nowMs && this.nowMs < armed.step.until
    )
    const armed = this.leaderTriggers[trigger]
    if (armed === undefined) return
    armed.remaining -= 1
    this.note(`n${node} leads t${term}: trigger ${trigger} will ${armed.step.action} it in ${armed.step.afterMs} ms`)
    this.enqueue(this.nowMs + armed.step.afterMs, { _tag: "LeaderFault", node, term, trigger })
  }

  private applied(replica: SimReplica, output: Extract<Output, { _tag: "Applied" }>): void {
    this.trace.apply(this.nowMs, replica.node, output.entry)
    if (this.model !== undefined)
      this.modelEvent(this.model.applied(this.nowMs, replica.node, output.entry, output.executed))
    // The host knows which entries came from records that failed their checksum (applyCorruptRecords).
    if (
      replica.corruptEntries.size > 0 &&
      replica.corruptEntries.get(output.entry.index) === entryDigest(output.entry)
    ) {
      this.modelEvent({
        _tag: "CorruptRecordApplied",
        atMs: this.nowMs,
        node: replica.node,
        index: output.entry.index
      })
    }
  }

  private send(from: number, to: number, message: Message): void {
    this.counters.messagesSent += 1
    if (to < 0 || to >= this.replicas) {
      this.counters.messagesDropped += 1
      this.trace.drop(this.nowMs, from, to, "no such node", message)
      return
    }
    const route = this.network.route(from, to, this.nowMs)
    if (route.dropped !== undefined) {
      this.counters.messagesDropped += 1
      this.trace.drop(this.nowMs, from, to, route.dropped, message)
      return
    }
    for (const arrivalMs of route.arrivalsMs)
      this.enqueue(arrivalMs, { _tag: "Deliver", from, to, message, sentAtMs: this.nowMs, heldMs: route.heldMs })
  }

  // Events -------------------------------------------------------------------------------------------------

  dispatch(event: SimEvent): void {
    switch (event._tag) {
      case "Deliver":
        return this.deliver(event)
      case "DeliverForged":
        return this.deliverForged(event.from, event.to, event.payload)
      case "Wake": {
        const replica = this.nodes[event.node] as SimReplica
        if (replica.incarnation !== event.incarnation || !replica.up) return
        return replica.wake(this)
      }
      case "Later": {
        const replica = this.nodes[event.node] as SimReplica
        if (replica.incarnation !== event.incarnation || !replica.up) return
        return event.run()
      }
      case "FsyncDone": {
        const replica = this.nodes[event.node] as SimReplica
        if (replica.incarnation !== event.incarnation || !replica.up) return
        // fdatasync makes everything written so far durable, as on a real file.
        if (event.wrote) replica.synced()
        return event.done()
      }
      case "ClientArrive": {
        const replica = this.nodes[event.node] as SimReplica
        if (replica.host === null) return this.note(`client request ${event.requestId} lost: n${event.node} is down`)
        const { requestId } = event
        replica.host.submit(event.request, (result) =>
          this.enqueue(this.nowMs + replyDelayMs, { _tag: "ClientReply", from: event.node, requestId, result })
        )
        return
      }
      case "ClientReply": {
        const client = this.pendingRequests.get(event.requestId)
        if (client === undefined) return
        this.pendingRequests.delete(event.requestId)
        this.trace.reply(this.nowMs, client, event.from, event.requestId, event.result)
        return this.client(client).reply(event.requestId, event.from, event.result)
      }
      case "ClientRetry":
        return this.client(event.client).retry(event.requestId)
      case "ClientTimeout":
        return this.client(event.client).timerFired()
      case "Resume":
        return this.resume(event.node, event.pauseId)
      case "LeaderFault":
        return leaderFault(this, event.node, event.term, event.trigger)
      case "LeaderFaultEnd":
        return leaderFaultEnd(this, event.node, event.trigger, event.incarnation)
    }
  }

  private deliver(event: Extract<SimEvent, { _tag: "Deliver" }>): void {
    const { from, to, message } = event
    const replica = this.nodes[to] as SimReplica
    // A partition cuts messages already in flight too, as iptables drops packets queued behind the rule.
    const reason = !replica.up ? "down" : this.network.isCut(from, to) ? "partition" : undefined
    if (reason !== undefined) {
      this.counters.messagesDropped += 1
      this.trace.drop(this.nowMs, from, to, reason, message, event.sentAtMs)
      return
    }
    this.counters.messagesDelivered += 1
    this.trace.deliver(this.nowMs, from, to, message, event.sentAtMs, event.heldMs)
    this.feed(replica, { _tag: "Receive", from, message, nowMs: this.clockOf(replica) })
  }

  private deliverForged(from: number, to: number, payload: unknown): void {
    const replica = this.nodes[to] as SimReplica
    if (replica.state === null || replica.paused) return this.note(`forgery to n${to} lost: not running`)
    const decoded = decodeMessage(payload)
    const nowMs = this.clockOf(replica)
    const input: Input = Either.isRight(decoded)
      ? { _tag: "Receive", from, message: decoded.right, nowMs }
      : { _tag: "Malformed", from, reason: "the bytes do not decode as a Message", nowMs }
    // Every refusal is a new value kept as the latest: a different one after the step means this input was refused.
    const before = replica.state.stats.lastRejection
    this.counters.forgedDelivered += 1
    this.feed(replica, input)
    const rejected = replica.state !== null && replica.state.stats.lastRejection !== before
    if (rejected) this.counters.forgedRejected += 1
    this.note(
      `forgery n${from}->n${to} ${input._tag === "Receive" ? describeMessage(input.message) : "malformed"} ${rejected ? "rejected" : "ACCEPTED"}`
    )
  }

  private resume(node: number, pauseId: number): void {
    const replica = this.nodes[node] as SimReplica
    if (!replica.paused || replica.pauseId !== pauseId || replica.host === null) return
    this.fault({ _tag: "Resume", node }, `resume n${node} (${replica.host.queued} inputs held)`)
    // Timers fire late: the first thing a resumed process sees is the clock having jumped, then the held inputs.
    replica.host.resume()
  }

  faultRandomOf(node: number): SimRandom {
    return this.faultRandom[node] as SimRandom
  }
}
