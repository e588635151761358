/**
 * The second interpreter of a Schedule (the first is the simulator): the same steps as real actions on a Docker
 * cluster, at wall-clock times scaled from the schedule's, with real HTTP clients recording a history. The run
 * is judged by the same checkers (linearizability from model/, and model/'s one InvariantChecker fed every /status
 * reading, which holds it to one leader per term, persisted state and liveness after the heal: statusJudge.ts),
 * and the report says whether the counterexample's violation reproduced. The run is also observed as the
 * simulator observes a scripted scenario (src/schedule/scenarios: the history, /status sampled over time, when
 * each step was performed, the settled statuses), so that a scripted scenario's own expectations judge it too.
 *
 * What cannot be real is said, not faked: a forged peer message, clock drift (only the offset is applied) and a
 * slow disk are reported as approximations in `notes`.
 */
import type { InvariantName } from "../../model/invariants/names.ts"
import type { KvCommand } from "../../model/kv/index.ts"
import type { BugName } from "../../src/protocol/bugs.ts"
import type { ClientOperation, FaultProfile, Schedule, Step } from "../../src/schedule/index.ts"
import { describeStep, ledgerInputOf, replicaSeedOf } from "../../src/schedule/index.ts"
import type { ScenarioRun, StepTiming } from "../../src/schedule/scenarios/index.ts"
import { saveArtifacts } from "../fixture/artifacts.ts"
import { ClusterClient, HistoryRecorder } from "../fixture/clusterClient.ts"
import { DockerCluster, sleep } from "../fixture/cluster.ts"
import type { WalDamage } from "../fixture/corrupt.ts"
import { describeVerdicts, linearizabilityVerdict, type Verdict } from "../fixture/verdicts.ts"
import { readClusterTruth } from "./walTruth.ts"
import type { ReplayableCounterexample } from "./counterexample.ts"
import { LedgerClient, LedgerHistoryRecorder } from "./ledgerClient.ts"
import { ledgerVerdict } from "./ledgerVerdict.ts"
import { NodeReportCollector } from "./nodeReports.ts"
import { finalStatuses } from "./settledStatus.ts"
import { StatusTimeline } from "./statusTimeline.ts"
import { scaledKnobs, scaledProfile } from "./timeScale.ts"

/** One client per schedule client number, made at its first step, with the queue its operations run in, in order. */
const perClient = <C>(make: (number: number) => C) => {
  const made = new Map<number, { client: C; queue: Promise<unknown> }>()
  return {
    of: (number: number): { client: C; queue: Promise<unknown> } => {
      let entry = made.get(number)
      if (entry === undefined) {
        entry = { client: make(number), queue: Promise.resolve() }
        made.set(number, entry)
      }
      return entry
    },
    made: () => made.values()
  }
}

export interface ReplayOptions {
  /** Wall milliseconds per simulated millisecond. */
  readonly timeScale?: number
  /** A replay longer than this (wall time, before settling) is refused. */
  readonly maxWallMs?: number
  readonly artifactsName?: string
  readonly log?: (line: string) => void
  /** Start the nodes from a test image with these planted bugs (default none: the correct replica). */
  readonly testBugs?: ReadonlyArray<BugName>
}

export interface ScheduleReplayOptions extends ReplayOptions {
  /**
   * Scale the replicas' timers and the profile's network delays by the time scale as well (timeScale.ts), so
   * that the whole run is compressed alike, not only its steps.
   */
  readonly scaleTimers?: boolean
  /**
   * Wait for a leader, then start the schedule's clock at its first step: the seconds a scripted schedule leaves
   * before it are for the first election, which the wait replaces.
   */
  readonly startWithLeader?: boolean
  /**
   * Perform a final Heal as soon as the step before it is done: the quiet seconds before it let the simulator
   * settle, and the liveness phase after it waits for the real cluster to settle instead. Timed ends of pauses
   * and clogs still come at their time.
   */
  readonly healWithoutWaiting?: boolean
  /** More verdicts over what the run observed (a scripted scenario's expectations); they go into the artifacts. */
  readonly judge?: (run: ScenarioRun) => ReadonlyArray<Verdict>
  /** The counterexample's violation, when replaying one: the report says whether the same invariant failed. */
  readonly expected?: { readonly invariant: InvariantName; readonly message: string }
  /** The planted bugs a counterexample was found with (a note: real nodes run the correct replica). */
  readonly foundWithBugs?: ReadonlyArray<string>
}

export interface ScheduleReplayReport {
  /** The planted bugs the nodes reported on /status (empty for the real image). */
  readonly testBugs: ReadonlyArray<string>
  readonly reproduced: boolean
  readonly verdicts: ReadonlyArray<Verdict>
  readonly notes: ReadonlyArray<string>
  readonly clusterStartMs: number
  readonly durationMs: number
  readonly operations: number
  readonly artifacts: string
  /** What the run observed, in schedule milliseconds. */
  readonly run: ScenarioRun
}

/** A counterexample's replay: a schedule's, without what it observed, with the violation it set out to reproduce. */
export interface ReplayReport extends Omit<ScheduleReplayReport, "run"> {
  readonly scenario: string
  readonly expected: { readonly invariant: InvariantName; readonly message: string }
}

/**
 * How long after the containers are asked for every node's replica starts: it must cover the containers' start
 * (1.6–2.7 s measured on the 2-core machine), or a late node starts when it can and says so in its log.
 */
const synchronizedBootDelayMs = 5_000

/** The key-value command a client operation stands for; undefined for a ledger operation. */
const toModelCommand = (op: ClientOperation): KvCommand | undefined => {
  switch (op._tag) {
    case "Read":
      return { _tag: "Get", key: op.key }
    case "Put":
    case "Get":
    case "Delete":
    case "Cas":
      return op
    default:
      return undefined
  }
}

/** The profile's network distributions as the node transport's link faults and iptables loss. */
const applyProfile = async (cluster: DockerCluster, profile: FaultProfile): Promise<void> => {
  const network = profile.network
  await cluster.setLinkFaults(cluster.allLinks(), {
    delayMs: network.delayMinMs,
    delayJitterMs: Math.max(0, network.delayMaxMs - network.delayMinMs),
    duplicateRate: network.duplicateProbability,
    reorderRate: network.reorderProbability
  })
  if (network.lossProbability > 0) await cluster.setLoss(cluster.allLinks(), network.lossProbability)
}

/**
 * Every replica knob is a `faultline serve` flag (fixture/serveArguments.ts passes them); the network's long tail
 * has no link fault yet, so it is said, not faked.
 */
const profileNotes = (profile: FaultProfile): ReadonlyArray<string> => {
  const notes: Array<string> = []
  if ((profile.network.holdBackProbability ?? 0) > 0)
    notes.push("the network's long-tail hold-back is not replayed (no link fault for it)")
  return notes
}

/**
 * After the heal a leader must be seen within this long (model/'s leader_after_heal), and the replay waits this
 * long for the nodes to converge (replicas_converged is judged on the readings that follow).
 */
const livenessWaitMs = 30_000

/** run_completed: the run itself, every step performed (no checker judges that; the replay does). */
const runCompletedVerdict = (failure: unknown): Verdict =>
  failure === undefined
    ? { invariant: "run_completed", ok: true, message: "every step of the schedule was performed" }
    : {
        invariant: "run_completed",
        ok: false,
        message: failure instanceof Error ? failure.message : String(failure)
      }

/** A counterexample file replayed: its schedule, and whether the violation it records shows on real nodes. */
export const replayOnDocker = async (
  counterexample: ReplayableCounterexample,
  options: ReplayOptions = {}
): Promise<ReplayReport> => {
  const report = await replaySchedule(counterexample.schedule, {
    ...options,
    artifactsName: options.artifactsName ?? `replay-${counterexample.scenario}`,
    expected: counterexample.violation,
    foundWithBugs: counterexample.bugs
  })
  return {
    scenario: counterexample.scenario,
    testBugs: report.testBugs,
    expected: { invariant: counterexample.violation.invariant, message: counterexample.violation.message },
    reproduced: report.reproduced,
    verdicts: report.verdicts,
    notes: report.notes,
    clusterStartMs: report.clusterStartMs,
    durationMs: report.durationMs,
    operations: report.operations,
    artifacts: report.artifacts
  }
}

export const replaySchedule = async (
  schedule: Schedule,
  options: ScheduleReplayOptions = {}
): Promise<ScheduleReplayReport> => {
  const timeScale = options.timeScale ?? 1
  const timerScale = options.scaleTimers === true ? timeScale : 1
  const profile = scaledProfile(schedule.profile, timerScale)
  const log = options.log ?? (() => undefined)
  const steps = [...schedule.steps].sort((left, right) => left.at - right.at)
  const lastAtMs = steps.at(-1)?.at ?? 0
  const maxWallMs = options.maxWallMs ?? 120_000
  if (lastAtMs * timeScale > maxWallMs) {
    throw new Error(
      `the schedule's last step is at ${lastAtMs} ms; at time scale ${timeScale} that is over the ${maxWallMs} ms limit`
    )
  }
  const startedAt = performance.now()
  const testBugs = options.testBugs ?? []
  // The simulator's replicas start together at time 0, each with its own PRNG seed drawn from the schedule's:
  // the nodes get the same seeds and one start instant, so that they draw the same election timeouts at the same
  // moments (a first election the simulator split between two candidates is split here too).
  await using cluster = await DockerCluster.start({
    replicas: schedule.replicas,
    testBugs,
    replicaKnobs: scaledKnobs(schedule.replicaConfig ?? {}, timerScale),
    randomSeeds: Array.from({ length: schedule.replicas }, (_, node) => replicaSeedOf(schedule.seed, node)),
    // A run that starts its clock with a leader does not replay the first election: no common start to wait for.
    ...(options.startWithLeader === true ? {} : { synchronizedBootDelayMs })
  })
  log(`${schedule.replicas}-node cluster started in ${(cluster.startDurationMs / 1000).toFixed(1)} s`)
  const reports = new NodeReportCollector()
  await reports.poll(cluster)
  const seen = [...reports.testBugsSeen].sort()
  if (seen.join(",") !== [...new Set(testBugs)].sort().join(",")) {
    throw new Error(`the nodes report planted bugs [${seen.join(", ")}], but [${testBugs.join(", ")}] were asked for`)
  }
  const notes: Array<string> = [...profileNotes(profile)]
  if (timerScale !== 1)
    notes.push(`the replicas' timers and the network's delays are scaled by ${timerScale}, as the steps are`)
  if (testBugs.length > 0) notes.push(`nodes run a test image with planted bugs [${testBugs.join(", ")}] compiled in`)
  else if ((options.foundWithBugs ?? []).length > 0)
    notes.push(
      `found with protocol bugs [${(options.foundWithBugs ?? []).join(", ")}] switched on; real nodes run the correct replica`
    )
  const recorder = new HistoryRecorder()
  const attemptTimeoutMs = Math.max(1_000, schedule.profile.clients.timeoutMs * timeScale)
  // The simulator's client profile: the same timeout (scaled) and the same number of attempts.
  const clientOptions = { attemptTimeoutMs, attemptsMax: schedule.profile.clients.attemptsMax }
  const clients = perClient((number) => new ClusterClient(cluster, recorder, number, clientOptions))
  const ledgerRecorder = new LedgerHistoryRecorder()
  const ledgerClients = perClient((number) => new LedgerClient(cluster, ledgerRecorder, number, clientOptions))
  const clientOf = clients.of
  const ledgerClientOf = ledgerClients.of
  const timers = new Set<Promise<unknown>>()
  const later = (delayMs: number, action: () => Promise<unknown>): void => {
    const pending = sleep(delayMs)
      .then(action)
      .catch((error: unknown) => notes.push(`a delayed action failed: ${String(error)}`))
    timers.add(pending)
  }
  await applyProfile(cluster, profile)
  // Schedule time 0 is the nodes' common start, as in the simulator (the cluster's start waited for it); a run
  // that starts with a leader starts its clock at its first step instead.
  let originMs = 0
  let origin: number
  if (options.startWithLeader === true) {
    await cluster.waitForLeader({ timeoutMs: 30_000 })
    originMs = steps[0]?.at ?? 0
    origin = performance.now()
  } else {
    const bootAtEpochMs = cluster.bootAtEpochMs ?? Date.now()
    origin = performance.now() - (Date.now() - bootAtEpochMs)
    notes.push(
      `every node's replica started at one instant (schedule time 0) with the simulator's seed for it; the cluster answered ${Math.round(performance.now() - origin)} ms after that instant`
    )
  }
  const scheduleMs = (wallMs: number): number => originMs + (wallMs - origin) / timeScale
  const historyOriginMs = recorder.now() - (performance.now() - origin)
  const ledgerHistoryOriginMs = ledgerRecorder.now() - (performance.now() - origin)
  const timeline = new StatusTimeline(cluster, scheduleMs)
  timeline.start()
  const timings: Array<StepTiming> = []
  // A step that could not be performed: the run did not complete, and liveness is not judged.
  let failure: unknown
  // Why the liveness phase stopped waiting, if it did: the judge's verdicts say which check that broke.
  let livenessStop: string | undefined
  const crashed: Array<number> = []
  try {
    for (const [position, step] of steps.entries()) {
      const healsAtOnce = options.healWithoutWaiting === true && step._tag === "Heal" && position === steps.length - 1
      const atMs = healsAtOnce ? (steps[position - 1]?.at ?? step.at) : step.at
      const dueMs = origin + (atMs - originMs) * timeScale - performance.now()
      if (dueMs > 0) await sleep(dueMs)
      log(describeStep(step))
      // Read before a fault: the durable state a crash in this step must not lose, and the edge of the window the
      // fault opens (readings right before and after it mark it). Not before a client step, which loses nothing:
      // fifty operations due at one instant go out together (at ~10 ms a read, a crash due 20 ms after them came
      // half a second late, when they had all been answered).
      if (step._tag !== "Client") await Promise.all([reports.poll(cluster), timeline.sampleNow()])
      const startedMs = scheduleMs(performance.now())
      const performed = await performStep(cluster, step, {
        clientOf,
        ledgerClientOf,
        later,
        notes,
        timeScale,
        profile,
        schedule,
        crashed,
        reports
      })
      timings.push({ startedMs, doneMs: scheduleMs(performance.now()), performed: performed !== false })
      if (step._tag !== "Client") await timeline.sampleNow()
    }
    // Liveness phase, as in the simulator: every fault healed, every node up.
    await Promise.all([...timers])
    await cluster.heal()
    for (const node of cluster.nodes) {
      await node.refresh()
      if (node.getState().paused) await cluster.resume(node.getNodeId())
      if (!node.getState().running) {
        reports.restarted(node.getNodeId())
        await cluster.restart(node.getNodeId())
      }
    }
  } catch (error) {
    failure = error
  }
  if (failure === undefined) {
    // model/'s liveness checks start at the heal; the replay waits for what they expect, and they judge it on
    // the readings: pending operations completed, a leader, the nodes converged.
    cluster.judge.healed(livenessWaitMs)
    const healedAt = performance.now()
    try {
      await Promise.all([...clients.made(), ...ledgerClients.made()].map((entry) => entry.queue))
      const leaderWaitMs = Math.max(1_000, livenessWaitMs - (performance.now() - healedAt))
      await cluster.waitForLeader({ timeoutMs: leaderWaitMs })
      await cluster.waitForConvergence({ timeoutMs: livenessWaitMs })
    } catch (error) {
      livenessStop = error instanceof Error ? error.message : String(error)
      notes.push(`the liveness phase stopped waiting: ${livenessStop}`)
    }
  }
  await timeline.stop()
  await cluster.monitor.pollOnce()
  await reports.poll(cluster).catch(() => undefined)
  const run: ScenarioRun = {
    schedule,
    steps: timings,
    history: recorder.events.map((event) => ({
      ...event,
      atTime: originMs + (event.atTime - historyOriginMs) / timeScale
    })),
    ledgerHistory: ledgerRecorder.events.map((event) => ({
      ...event,
      atTime: originMs + (event.atTime - ledgerHistoryOriginMs) / timeScale
    })),
    samples: timeline.samples(),
    final: await finalStatuses(cluster)
  }
  // Unknown outcomes are settled from the WALs, as the simulator settles them from its applied logs.
  const truth =
    failure === undefined && livenessStop === undefined
      ? await readClusterTruth(cluster, recorder).catch(
          (error: unknown) => `the WALs could not be read: ${String(error)}`
        )
      : "the cluster did not converge"
  cluster.judge.recordHistory("kv", recorder.events)
  cluster.judge.recordHistory("ledger", ledgerRecorder.events)
  const verdicts: Array<Verdict> = [
    linearizabilityVerdict(recorder.events, truth),
    ...reports.verdicts(),
    ...(ledgerRecorder.events.length === 0 ? [] : [ledgerVerdict(ledgerRecorder.events)]),
    runCompletedVerdict(failure),
    ...cluster.judge.finish(await cluster.statuses(2_000))
  ]
  verdicts.push(...(options.judge?.(run) ?? []))
  // One closed set of names (model/invariants/names.ts) on both sides: reproduced means the same name failed.
  const expected = options.expected
  const reproduced =
    expected !== undefined && verdicts.some((verdict) => !verdict.ok && verdict.invariant === expected.invariant)
  const artifacts = await saveArtifacts(cluster, options.artifactsName ?? "replay", {
    history:
      ledgerRecorder.events.length === 0 ? recorder.events : { kv: recorder.events, ledger: ledgerRecorder.events },
    verdicts,
    notes:
      expected === undefined
        ? { notes, steps: run.steps, final: run.final, samples: run.samples }
        : { notes, expected, reproduced }
  }).catch((error: unknown) => `not saved: ${String(error)}`)
  log(describeVerdicts(verdicts))
  return {
    testBugs: seen,
    reproduced,
    verdicts,
    notes,
    clusterStartMs: cluster.startDurationMs,
    durationMs: performance.now() - startedAt,
    operations: [...recorder.events, ...ledgerRecorder.events].filter((event) => event._tag === "Invoke").length,
    artifacts,
    run
  }
}

interface StepContext {
  readonly clientOf: (number: number) => { client: ClusterClient; queue: Promise<unknown> }
  readonly ledgerClientOf: (number: number) => { client: LedgerClient; queue: Promise<unknown> }
  readonly later: (delayMs: number, action: () => Promise<unknown>) => void
  readonly notes: Array<string>
  readonly timeScale: number
  /** The schedule's profile as replayed (its delays scaled with the timers, when they are). */
  readonly profile: FaultProfile
  readonly schedule: Schedule
  /** Crashed nodes in crash order, for the "crashed" target. */
  readonly crashed: Array<number>
  readonly reports: NodeReportCollector
}

/**
 * A process-fault step as data: its target may be a replica number or a role ("leader", "follower",
 * "crashed") resolved when the step runs, the way the simulator resolves it, but from /status.
 */
interface ProcessStep {
  readonly _tag: string
  readonly node: number | string
  readonly forMs?: number
}

const processStepTags = new Set(["Crash", "Restart", "Pause", "Isolate"])

const resolveTarget = async (
  cluster: DockerCluster,
  target: number | string,
  context: StepContext
): Promise<number | undefined> => {
  if (typeof target === "number") return target
  if (target === "crashed") return context.crashed.at(-1)
  const statuses = await cluster.statuses(1_000)
  const live = [...statuses.values()].flatMap((reading) => (reading instanceof Error ? [] : [reading.status]))
  if (target === "leader") {
    const leaders = live.filter((status) => status.role === "leader").sort((left, right) => right.term - left.term)
    return leaders[0]?.id
  }
  if (target === "follower") {
    return live
      .filter((status) => status.role !== "leader")
      .map((status) => status.id)
      .sort((left, right) => left - right)[0]
  }
  return undefined
}

const performProcessStep = async (
  cluster: DockerCluster,
  step: ProcessStep,
  context: StepContext,
  description: string
): Promise<boolean> => {
  const node = await resolveTarget(cluster, step.node, context)
  if (node === undefined) {
    context.notes.push(`${description}: no replica matched ${JSON.stringify(step.node)} on /status; skipped`)
    return false
  }
  const state = await cluster.node(node).refresh()
  switch (step._tag) {
    case "Crash":
      if (!state.running) return true
      await cluster.crash(node)
      context.crashed.push(node)
      return true
    case "Restart":
      if (state.running) return true
      context.reports.restarted(node)
      await cluster.restart(node)
      context.crashed.splice(context.crashed.lastIndexOf(node), 1)
      return true
    case "Pause":
      if (!state.running || state.paused) return true
      await cluster.pause(node)
      context.later((step.forMs ?? 0) * context.timeScale, async () => {
        const now = await cluster.node(node).refresh()
        if (now.paused) await cluster.resume(node)
      })
      return true
    case "Isolate":
      await cluster.isolate(node)
      return true
  }
  return true
}

/** Performs one step; false when it named a role no replica had (nothing was done). */
const performStep = async (cluster: DockerCluster, step: Step, context: StepContext): Promise<boolean | void> => {
  const tag: string = step._tag
  if (processStepTags.has(tag))
    return performProcessStep(cluster, step as unknown as ProcessStep, context, describeStep(step))
  switch (step._tag) {
    case "Client": {
      // A client runs one operation at a time (a history's process is sequential): queue behind its last one.
      const command = toModelCommand(step.op)
      if (command === undefined) {
        const input = ledgerInputOf(step.op)
        if (input === undefined) return false
        const ledger = context.ledgerClientOf(step.client)
        ledger.queue = ledger.queue.then(() => ledger.client.run(input, step.replica))
        return
      }
      const entry = context.clientOf(step.client)
      // A step aimed at a replica is sent to that node first, as the simulator's client sends it.
      const aim = step.replica === undefined ? {} : { replica: step.replica }
      entry.queue = entry.queue.then(() => entry.client.run(command, aim))
      return
    }
    case "Partition":
      return cluster.partition(step.cut)
    case "Heal":
      // The simulator's heal removes cuts and clogs; the profile's distributions stay in force.
      await cluster.heal()
      return applyProfile(cluster, context.profile)
    case "Clog": {
      await cluster.partition([[step.from, step.to]])
      context.later(step.forMs * context.timeScale, () => cluster.unpartition([[step.from, step.to]]))
      return
    }
    case "Corrupt": {
      if (step.kind === "slow") {
        context.notes.push(`${describeStep(step)}: a slow disk has no real counterpart here; not replayed`)
        return
      }
      const outcome = await cluster.corruptWal(
        step.node,
        step.kind satisfies WalDamage,
        context.schedule.seed + step.at,
        { atRest: true }
      )
      context.notes.push(`${describeStep(step)}: ${outcome}`)
      return
    }
    case "Clock": {
      if (step.driftPpm !== 0) context.notes.push(`${describeStep(step)}: drift is not replayed, only the offset`)
      const state = await cluster.node(step.node).refresh()
      if (state.running && !state.paused) await cluster.setClockOffset(step.node, step.offsetMs)
      return
    }
    case "Forge":
      context.notes.push(`${describeStep(step)}: forged peer messages are not replayed against containers`)
      return
    case "OnLeader":
      context.notes.push(
        `${describeStep(step)}: faults triggered by an election are not replayed against containers (/status is polled, too late for "the moment it wins")`
      )
      return
    default:
      context.notes.push(`${describeStep(step)}: this step kind is not replayed against containers`)
  }
}
