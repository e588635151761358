/**
 * A schedule as a story, one line per step ("at 1200 ms: crash n2"): what a shrunk counterexample, the repro
 * timeline and the Docker replay's log print.
 */
import type { ClientOperation, Schedule, Step, Target } from "./schedule.ts"

const withKey = (op: { readonly idempotencyKey?: string | undefined }): string =>
  op.idempotencyKey === undefined ? "" : ` with idempotency key ${JSON.stringify(op.idempotencyKey)}`

const describeOperation = (op: ClientOperation): string => {
  switch (op._tag) {
    case "CreateAccount":
      return `create account ${JSON.stringify(op.account)}${withKey(op)}`
    case "Deposit":
      return `deposit ${op.amount} into ${JSON.stringify(op.account)}${withKey(op)}`
    case "Withdraw": {
      const expecting = op.expectedVersion === undefined ? "" : ` expecting version ${op.expectedVersion}`
      return `withdraw ${op.amount} from ${JSON.stringify(op.account)}${expecting}${withKey(op)}`
    }
    case "Transfer":
      return `transfer ${op.amount} from ${JSON.stringify(op.from)} to ${JSON.stringify(op.to)}${withKey(op)}`
    case "GetAccount":
      return `get account ${JSON.stringify(op.account)} through the log`
    case "ReadAccount":
      return `read account ${JSON.stringify(op.account)}`
    case "Put":
      return `put(${JSON.stringify(op.key)}, ${JSON.stringify(op.value)})`
    case "Get":
      return `get(${JSON.stringify(op.key)}) through the log`
    case "Read":
      return `read(${JSON.stringify(op.key)})`
    case "Delete":
      return `delete(${JSON.stringify(op.key)})`
    case "Cas":
      return `cas(${JSON.stringify(op.key)}, ${JSON.stringify(op.expected)} → ${JSON.stringify(op.value)})`
  }
}

const describeForged = (message: unknown): string => {
  const text = JSON.stringify(message) ?? String(message)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** One line of the story a shrunk counterexample tells. */
const describeTarget = (target: Target): string =>
  typeof target === "number" ? `n${target}` : target === "crashed" ? "the replica crashed last" : `the ${target}`

export const describeStep = (step: Step): string => {
  const at = `at ${step.at} ms`
  switch (step._tag) {
    case "Client":
      return `${at}: client ${step.client} ${describeOperation(step.op)}${step.replica === undefined ? "" : ` at n${step.replica}`}`
    case "Crash":
      return `${at}: crash ${describeTarget(step.node)}`
    case "Restart":
      return `${at}: restart ${describeTarget(step.node)} from its disk`
    case "Pause":
      return `${at}: pause ${describeTarget(step.node)} for ${step.forMs} ms`
    case "Isolate":
      return `${at}: isolate ${describeTarget(step.node)} from every other replica`
    case "Partition":
      return `${at}: cut ${step.cut.map(([from, to]) => `n${from}→n${to}`).join(", ") || "nothing"}`
    case "Heal":
      return `${at}: heal every partition and clog`
    case "Clog":
      return `${at}: clog n${step.from}→n${step.to} for ${step.forMs} ms`
    case "Corrupt":
      return `${at}: disk fault "${step.kind}" on n${step.node}`
    case "Clock":
      return `${at}: set n${step.node}'s clock to ${step.offsetMs} ms off, drifting ${step.driftPpm} ppm`
    case "Forge":
      return `${at}: forge to n${step.to} as n${step.from}: ${describeForged(step.message)}`
    case "OnLeader": {
      const what =
        step.action === "crash"
          ? `crash it, restarting it ${step.forMs} ms later`
          : `isolate it, restoring its links ${step.forMs} ms later`
      const when = step.afterMs === 0 ? "the moment it wins" : `${step.afterMs} ms after it wins`
      const times = step.times === 1 ? "once" : `up to ${step.times} times`
      return `${at}: until ${step.until} ms, the leader and each new one: ${when} ${what} (${times})`
    }
  }
}

export const describeSchedule = (schedule: Schedule): string =>
  [
    `${schedule.replicas} replicas, seed ${schedule.seed}, up to ${schedule.limits.simulatedMs} ms / ${schedule.limits.events} events`,
    ...schedule.steps.map((step) => `  ${describeStep(step)}`)
  ].join("\n")
