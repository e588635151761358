/**
 * The timed steps of a schedule, performed on the simulation: client operations and faults. Each leaves a
 * trace line, including when it could not apply (restarting a replica that is up is a no-op, said so).
 */
import type { ModelEvent } from "../../model/invariants/observation.ts"
import type { SimClient } from "./client.ts"
import type { SimEvent } from "./events.ts"
import type { Network } from "./network.ts"
import type { SimRandom } from "../schedule/random.ts"
import type { SimReplica } from "./replica.ts"
import type { OnLeaderStep, Step, Target } from "../schedule/index.ts"
import type { FaultRecord } from "./trace.ts"
import { assert } from "../assert.ts"

/**
 * The part of the simulation a fault acts on. `Simulation` implements it; naming it here rather than importing
 * the class keeps simulation.ts → faults.ts the only direction between the two modules.
 */
export interface FaultWorld {
  readonly nowMs: number
  readonly replicas: number
  readonly nodes: ReadonlyArray<SimReplica>
  readonly network: Network
  crashOrder: ReadonlyArray<number>
  readonly leaderTriggers: Array<{ readonly step: OnLeaderStep; remaining: number }>
  readonly triggerIsolated: Set<number>
  note(text: string): void
  /** A fault that took effect: its trace line, with what it did as data. */
  fault(fault: FaultRecord, text: string): void
  enqueue(atMs: number, event: SimEvent): void
  tick(replica: SimReplica): void
  modelEvent(event: ModelEvent): void
  faultRandomOf(node: number): SimRandom
  client(index: number): SimClient
  onLeader(node: number, term: number): void
}

const running = (replica: SimReplica): boolean => replica.up && !replica.paused && replica.state !== null

/** Resolves a target to a replica at the moment the step runs, or undefined when none fits. */
const resolveTarget = (simulation: FaultWorld, target: Target): SimReplica | undefined => {
  if (typeof target === "number") return simulation.nodes[target]
  if (target === "crashed") {
    const node = [...simulation.crashOrder].reverse().find((candidate) => simulation.nodes[candidate]?.up === false)
    return node === undefined ? undefined : simulation.nodes[node]
  }
  const live = simulation.nodes.filter(running)
  const highestTerm = Math.max(0, ...live.map((replica) => replica.state?.term ?? 0))
  const leader = live.find((replica) => replica.state?.role === "leader" && replica.state.term === highestTerm)
  if (target === "leader") return leader
  return live.find((replica) => replica !== leader)
}

const slowDiskWindowMs = 2000

const crash = (simulation: FaultWorld, replica: SimReplica): void => {
  if (!replica.up) return simulation.note(`crash n${replica.node}: already down`)
  const tornBytes = replica.crash(simulation.faultRandomOf(replica.node))
  simulation.crashOrder = [...simulation.crashOrder.filter((node) => node !== replica.node), replica.node]
  simulation.fault(
    { _tag: "Crash", node: replica.node },
    `crash n${replica.node}${tornBytes > 0 ? ` (torn write: ${tornBytes} bytes landed)` : ""}`
  )
}

const restart = (simulation: FaultWorld, replica: SimReplica): void => {
  if (replica.up) return simulation.note(`restart n${replica.node}: already up`)
  const recovered = replica.restart()
  simulation.modelEvent({
    _tag: "Restarted",
    atMs: simulation.nowMs,
    node: replica.node,
    diskDamaged: recovered.damaged
  })
  const state = replica.state
  simulation.fault(
    { _tag: "Restart", node: replica.node },
    `restart n${replica.node}: ${recovered.logLength} entries, term ${state?.term ?? "?"}, ${recovered.finding}${recovered.damaged ? ", DAMAGED" : ""}`
  )
  simulation.tick(replica)
}

const pause = (simulation: FaultWorld, replica: SimReplica, forMs: number): void => {
  if (!replica.up || replica.paused) return simulation.note(`pause n${replica.node}: not running`)
  replica.host?.pause()
  replica.pauseId += 1
  simulation.fault({ _tag: "Pause", node: replica.node, forMs }, `pause n${replica.node} for ${forMs} ms`)
  simulation.enqueue(simulation.nowMs + forMs, { _tag: "Resume", node: replica.node, pauseId: replica.pauseId })
}

const corrupt = (
  simulation: FaultWorld,
  replica: SimReplica,
  kind: Extract<Step, { _tag: "Corrupt" }>["kind"]
): void => {
  if (kind === "slow") {
    replica.disk.slowUntilMs = simulation.nowMs + slowDiskWindowMs
    return simulation.note(`disk n${replica.node} slow for ${slowDiskWindowMs} ms`)
  }
  const outcome = replica.disk.corrupt(kind, simulation.faultRandomOf(replica.node))
  simulation.note(`disk n${replica.node} ${kind}: ${outcome ?? "nothing to damage"}`)
}

/** Replicas out of action: crashed, or cut off by a trigger. A trigger always leaves one other replica in action. */
const outOfAction = (simulation: FaultWorld): number =>
  simulation.nodes.filter((replica) => !replica.up || simulation.triggerIsolated.has(replica.node)).length

export const leaderFault = (simulation: FaultWorld, node: number, term: number, trigger: number): void => {
  const replica = simulation.nodes[node]
  const armed = simulation.leaderTriggers[trigger]
  if (replica === undefined || armed === undefined) return
  const state = replica.state
  if (!running(replica) || state === null || state.role !== "leader" || state.term !== term) {
    return simulation.note(`trigger ${trigger}: n${node} no longer leads t${term}, skipped`)
  }
  // Safety must hold however many replicas are out; liveness only needs them back, which forMs sees to.
  if (outOfAction(simulation) + 1 >= simulation.replicas)
    return simulation.note(`trigger ${trigger}: every other replica is out of action, n${node} spared`)
  if (armed.step.action === "crash") crash(simulation, replica)
  else {
    simulation.network.partition(
      simulation.nodes
        .filter((other) => other.node !== node)
        .flatMap(
          (other): Array<[number, number]> => [
            [node, other.node],
            [other.node, node]
          ]
        )
    )
    simulation.triggerIsolated.add(node)
    simulation.fault({ _tag: "Isolate", node }, `isolate n${node} (trigger ${trigger})`)
  }
  simulation.enqueue(simulation.nowMs + armed.step.forMs, {
    _tag: "LeaderFaultEnd",
    node,
    trigger,
    incarnation: replica.incarnation
  })
}

export const leaderFaultEnd = (simulation: FaultWorld, node: number, trigger: number, incarnation: number): void => {
  const replica = simulation.nodes[node]
  const armed = simulation.leaderTriggers[trigger]
  if (replica === undefined || armed === undefined) return
  if (armed.step.action === "isolate") {
    if (!simulation.triggerIsolated.delete(node)) return
    simulation.network.rejoin(node)
    return simulation.fault({ _tag: "Rejoin", node }, `rejoin n${node} (trigger ${trigger})`)
  }
  // Restarted meanwhile by another step (a new incarnation): that restart stands.
  if (replica.up || replica.incarnation !== incarnation) return
  restart(simulation, replica)
}

const nodeOf = (simulation: FaultWorld, node: number): SimReplica => {
  const replica = simulation.nodes[node]
  assert(replica !== undefined, () => `a step names a replica of the cluster: no replica n${node}`)
  return replica
}

const targetOf = (simulation: FaultWorld, target: Target, what: string): SimReplica | undefined => {
  const replica = resolveTarget(simulation, target)
  if (replica === undefined) simulation.note(`${what} ${String(target)}: no such replica right now, skipped`)
  return replica
}

export const applyStep = (simulation: FaultWorld, step: Step): void => {
  switch (step._tag) {
    case "Client":
      return simulation.client(step.client).submit(step.op, step.replica)
    case "Crash": {
      const replica = targetOf(simulation, step.node, "crash")
      return replica === undefined ? undefined : crash(simulation, replica)
    }
    case "Restart": {
      const replica = targetOf(simulation, step.node, "restart")
      return replica === undefined ? undefined : restart(simulation, replica)
    }
    case "Pause": {
      const replica = targetOf(simulation, step.node, "pause")
      return replica === undefined ? undefined : pause(simulation, replica, step.forMs)
    }
    case "Isolate": {
      const replica = targetOf(simulation, step.node, "isolate")
      if (replica === undefined) return
      const cut = simulation.nodes
        .filter((other) => other.node !== replica.node)
        .flatMap(
          (other): Array<[number, number]> => [
            [replica.node, other.node],
            [other.node, replica.node]
          ]
        )
      simulation.network.partition(cut)
      return simulation.fault({ _tag: "Isolate", node: replica.node }, `isolate n${replica.node}`)
    }
    case "Partition":
      simulation.network.partition(step.cut)
      return simulation.fault(
        { _tag: "Partition", cut: step.cut },
        `partition ${step.cut.map(([from, to]) => `n${from}->n${to}`).join(" ")}`
      )
    case "Heal":
      simulation.network.heal()
      return simulation.fault({ _tag: "Heal" }, "heal")
    case "Clog":
      simulation.network.clog(step.from, step.to, simulation.nowMs + step.forMs)
      return simulation.fault(
        { _tag: "Clog", from: step.from, to: step.to, forMs: step.forMs },
        `clog n${step.from}->n${step.to} for ${step.forMs} ms`
      )
    case "Corrupt":
      return corrupt(simulation, nodeOf(simulation, step.node), step.kind)
    case "Clock": {
      const replica = nodeOf(simulation, step.node)
      replica.clock.set(simulation.nowMs, step.offsetMs, step.driftPpm)
      simulation.note(`clock n${step.node} offset ${step.offsetMs} ms drift ${step.driftPpm} ppm`)
      // The replica's pending wake was converted with the old clock: a tick gets a fresh WakeAt.
      return simulation.tick(replica)
    }
    case "Forge":
      return simulation.enqueue(simulation.nowMs + 1, {
        _tag: "DeliverForged",
        from: step.from,
        to: step.to,
        payload: step.message
      })
    case "OnLeader": {
      simulation.leaderTriggers.push({ step, remaining: step.times })
      simulation.note(
        `arm trigger ${simulation.leaderTriggers.length - 1}: ${step.action} the leader and each new one after ${step.afterMs} ms, up to ${step.times} times`
      )
      // The replica leading as the trigger arms is its first target: the chain of elections starts at once.
      const leader = resolveTarget(simulation, "leader")
      const state = leader?.state
      if (leader !== undefined && state !== null && state !== undefined) simulation.onLeader(leader.node, state.term)
      return
    }
  }
}
