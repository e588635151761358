/**
 * The scripted scenarios' own expectations, over observations both worlds make (observation.ts). Each says in a
 * sentence what it requires and returns what broke it. Windows are anchored to steps rather than to clock times:
 * a window opens when one step has been performed (plus a grace for messages already on their way) and closes
 * when another starts, which in the simulator is exactly the steps' times and in Docker is when the real action
 * happened.
 */
import type { KvResult } from "../../../model/kv/index.ts"
import type { LedgerInput, LedgerOutput } from "../../../model/ledger/ledger.ts"
import type { Step } from "../schedule.ts"
import type { FinalStatus, KvHistoryEvent, LedgerHistoryEvent, ScenarioRun, StatusSample } from "./observation.ts"

export interface ScenarioExpectation {
  /** What the scenario requires, as a sentence (verdicts and artifacts show it). */
  readonly description: string
  /** What broke it, one sentence each; empty when it held. */
  readonly check: (run: ScenarioRun) => ReadonlyArray<string>
}

/** From the end of `after` (plus `graceMs`) to the start of `until`: two steps of the scenario's schedule. */
export interface StepWindow {
  readonly after: Step
  readonly graceMs: number
  readonly until: Step
}

const live = (run: ScenarioRun): ReadonlyArray<FinalStatus> => run.final.filter((status) => status.up)

/** A step's key with its fields in a fixed order, so that a step read back from a file matches its definition. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, field: unknown) =>
    field !== null && typeof field === "object" && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([left], [right]) => left.localeCompare(right)))
      : field
  )

const stepIndex = (run: ScenarioRun, step: Step): number => {
  const wanted = canonical(step)
  return run.schedule.steps.findIndex((candidate) => canonical(candidate) === wanted)
}

type Resolved = { readonly fromMs: number; readonly untilMs: number } | string

const resolveWindow = (run: ScenarioRun, window: StepWindow): Resolved => {
  const after = run.steps[stepIndex(run, window.after)]
  const until = run.steps[stepIndex(run, window.until)]
  if (after === undefined || until === undefined) return "the window's steps are not in the schedule"
  return { fromMs: after.doneMs + window.graceMs, untilMs: until.startedMs }
}

/**
 * A node's samples. Window checks compare what a node shows inside a window with what it showed just before (or,
 * when no sample comes before, with its first one inside): a change inside the window is the finding.
 */
const samplesOf = (run: ScenarioRun, node: number): ReadonlyArray<StatusSample> =>
  run.samples.filter((sample) => sample.node === node)

/** Read wholly inside the window: a sample whose round trip straddles an edge belongs to neither side. */
const inside = (sample: StatusSample, window: { readonly fromMs: number; readonly untilMs: number }): boolean =>
  sample.fromMs >= window.fromMs && sample.toMs < window.untilMs

const describeWindow = (window: { readonly fromMs: number; readonly untilMs: number }): string =>
  `${Math.round(window.fromMs)}–${Math.round(window.untilMs)} ms`

export const oneLeaderAtEnd: ScenarioExpectation = {
  description: "exactly one live replica leads at the end",
  check: (run) => {
    const leaders = live(run).filter((status) => status.role === "leader")
    return leaders.length === 1 ? [] : [`expected exactly one leader at the end, saw ${leaders.length}`]
  }
}

export const appliedAtLeast = (minimumIndex: number): ScenarioExpectation => ({
  description: `every live replica has applied at least index ${minimumIndex} at the end`,
  check: (run) =>
    live(run)
      .filter((status) => status.lastApplied < minimumIndex)
      .map((status) => `n${status.node} applied only up to ${status.lastApplied}, expected at least ${minimumIndex}`)
})

export const termAtLeastAtEnd = (term: number): ScenarioExpectation => ({
  description: `every live replica is in term ${term} or later at the end (an election happened)`,
  check: (run) => {
    const terms = live(run).map((status) => status.term)
    return Math.min(...terms) >= term ? [] : [`expected every term to be at least ${term}, terms are ${terms}`]
  }
})

export const leaderChangeRecorded: ScenarioExpectation = {
  description: "some replica recorded a leader change",
  check: (run) => {
    const changes = Math.max(0, ...live(run).map((status) => status.leaderChanges))
    return changes >= 1 ? [] : ["no leader change was recorded at all"]
  }
}

/** Every Ok output of the key-value history, in order. */
const okOutputs = (history: ReadonlyArray<KvHistoryEvent>): ReadonlyArray<KvResult> =>
  history.flatMap((event) => (event._tag === "Ok" ? [event.output] : []))

export const okOutputsAre = (expected: ReadonlyArray<KvResult>): ScenarioExpectation => ({
  description: `the acknowledged results are, in order: ${expected.map((output) => JSON.stringify(output)).join(" ")}`,
  check: (run) => {
    const seen = okOutputs(run.history).map((output) => JSON.stringify(output))
    const wanted = expected.map((output) => JSON.stringify(output))
    return seen.join() === wanted.join() ? [] : [`expected ${wanted.join(" ")}, saw ${seen.join(" ")}`]
  }
})

/** After a failover every acknowledged write reads back (the durability chaos test): `count` reads see a value. */
export const readsBackAtLeast = (count: number): ScenarioExpectation => ({
  description: `at least ${count} reads return a written value`,
  check: (run) => {
    const reads = okOutputs(run.history).filter((output) => output._tag === "Ok" && output.value !== null)
    return reads.length >= count ? [] : [`only ${reads.length} of ${count} acknowledged writes read back`]
  }
})

/** A replica's lastApplied must not move inside the window: it is cut off. */
export const frozenDuring = (node: number, window: StepWindow): ScenarioExpectation => ({
  description: `n${node} applies nothing while it is cut off`,
  check: (run) => {
    const resolved = resolveWindow(run, window)
    if (typeof resolved === "string") return [resolved]
    const samples = samplesOf(run, node)
    const during = samples.filter((sample) => inside(sample, resolved))
    const atStart = samples.filter((sample) => sample.toMs < resolved.fromMs).at(-1) ?? during[0]
    const moved = during.find((sample) => sample.lastApplied > (atStart?.lastApplied ?? 0))
    return moved === undefined
      ? []
      : [`n${node} applied index ${moved.lastApplied} while cut off (${describeWindow(resolved)})`]
  }
})

/** No entry may commit anywhere inside the window: there is no quorum. */
export const noCommitDuring = (window: StepWindow): ScenarioExpectation => ({
  description: "no replica commits an entry while there is no quorum",
  check: (run) => {
    const resolved = resolveWindow(run, window)
    if (typeof resolved === "string") return [resolved]
    const nodes = [...new Set(run.samples.map((sample) => sample.node))].sort((left, right) => left - right)
    return nodes.flatMap((node) => {
      const samples = samplesOf(run, node)
      const during = samples.filter((sample) => inside(sample, resolved))
      const earlier = samples.filter((sample) => sample.toMs < resolved.fromMs)
      const before = Math.max(
        0,
        ...(earlier.length > 0 ? earlier : during.slice(0, 1)).map((sample) => sample.commitIndex)
      )
      const committed = during.find((sample) => sample.commitIndex > before)
      return committed === undefined
        ? []
        : [`n${node} committed index ${committed.commitIndex} without a quorum (${describeWindow(resolved)})`]
    })
  }
})

/** The ledger history's answered operations of one kind, in the order they were answered. */
const ledgerAnswers = (history: ReadonlyArray<LedgerHistoryEvent>, tag: string) => {
  const invoked = new Map<number, LedgerInput>()
  const answers: Array<{ readonly input: LedgerInput; readonly output: LedgerOutput }> = []
  for (const event of history) {
    if (event._tag === "Invoke") invoked.set(event.process, event.input)
    else if (event._tag === "Ok" && invoked.get(event.process)?._tag === tag)
      answers.push({ input: invoked.get(event.process) as LedgerInput, output: event.output })
  }
  return answers
}

/** The ledger history's Ok outputs of one kind of operation, in order. */
const ledgerOutputs = (history: ReadonlyArray<LedgerHistoryEvent>, tag: string) =>
  ledgerAnswers(history, tag).map((answer): { readonly _tag: string; readonly balance?: number } => answer.output)

const balanceOf = (output: LedgerOutput | undefined): number | undefined =>
  output?._tag === "AccountOk" ? output.balance : undefined

/** Every one of `count` withdrawals was answered with the account (none refused, none left unknown). */
export const withdrawalsAnswered = (count: number): ScenarioExpectation => ({
  description: `all ${count} withdrawals are answered with the account`,
  check: (run) => {
    const answered = ledgerOutputs(run.ledgerHistory, "Withdraw").filter((output) => output._tag === "AccountOk")
    return answered.length === count
      ? []
      : [`${answered.length} of ${count} withdrawals were answered with the account`]
  }
})

/** The last read of the account, after everything, shows `balance`. */
export const finalBalanceRead = (account: string, balance: number): ScenarioExpectation => ({
  description: `the final read of ${account} shows ${balance}`,
  check: (run) => {
    const reads = ledgerAnswers(run.ledgerHistory, "GetAccount").filter(
      (answer) => answer.input._tag === "GetAccount" && answer.input.account === account
    )
    const last = reads.at(-1)?.output
    return balanceOf(last) === balance
      ? []
      : [`expected the final read to show ${balance}, saw ${JSON.stringify(last)}`]
  }
})

/** The balances the withdrawals were answered with, as a set, are exactly `balances`: every step down, none twice. */
export const withdrawalBalancesAre = (balances: ReadonlyArray<number>): ScenarioExpectation => ({
  description: `the withdrawals are answered with the balances ${balances.at(0)} down to ${balances.at(-1)}, each once`,
  check: (run) => {
    const seen = new Set(ledgerOutputs(run.ledgerHistory, "Withdraw").flatMap((output) => output.balance ?? []))
    const wanted = new Set(balances)
    const missing = [...wanted].filter((balance) => !seen.has(balance))
    const extra = [...seen].filter((balance) => !wanted.has(balance))
    return missing.length === 0 && extra.length === 0
      ? []
      : [
          `balances missing: ${missing.slice(0, 10).join(", ") || "none"}; unexpected: ${extra.slice(0, 10).join(", ") || "none"}`
        ]
  }
})

/**
 * Each idempotency key moved money once: every answer to a key reports the same balance, and no two keys were
 * answered with the same balance (each withdrawal took the balance somewhere new).
 */
export const eachKeyMovesOnce: ScenarioExpectation = {
  description: "each idempotency key moves money once (its answers agree; no two keys share a balance)",
  check: (run) => {
    const byKey = new Map<string, Set<number>>()
    for (const { input, output } of ledgerAnswers(run.ledgerHistory, "Withdraw")) {
      const key = input._tag === "Withdraw" ? input.idempotencyKey : undefined
      const balance = balanceOf(output)
      if (key === undefined || balance === undefined) continue
      byKey.set(key, (byKey.get(key) ?? new Set()).add(balance))
    }
    const broken: Array<string> = []
    for (const [key, balances] of byKey)
      if (balances.size > 1) broken.push(`${key} was answered with balances ${[...balances].join(", ")}`)
    const firsts = [...byKey.values()].map((balances) => [...balances][0])
    if (new Set(firsts).size !== firsts.length)
      broken.push(`${firsts.length} keys were answered with only ${new Set(firsts).size} distinct balances`)
    return broken
  }
}

/**
 * The seed's concurrent withdrawals: exactly `succeed` succeed, the rest are refused, the final read shows 0, and
 * every live replica ends with the account at 0 where its balances can be read.
 */
export const withdrawalsRace = (account: string, withdrawals: number, succeed: number): ScenarioExpectation => ({
  description: `${succeed} of ${withdrawals} withdrawals from ${account} succeed, the rest are refused, the balance ends at 0`,
  check: (run) => {
    const outcomes = ledgerOutputs(run.ledgerHistory, "Withdraw")
    const succeeded = outcomes.filter((output) => output._tag === "AccountOk").length
    const refused = outcomes.filter((output) => output._tag === "InsufficientFunds").length
    const broken: Array<string> = []
    if (succeeded !== succeed || refused !== withdrawals - succeed)
      broken.push(
        `expected ${succeed} withdrawals to succeed and ${withdrawals - succeed} to be refused, saw ${succeeded} and ${refused} (of ${outcomes.length} answered)`
      )
    const finalRead = ledgerOutputs(run.ledgerHistory, "GetAccount").at(-1)
    if (finalRead?._tag !== "AccountOk" || finalRead.balance !== 0)
      broken.push(`expected the final read to show balance 0, saw ${JSON.stringify(finalRead)}`)
    for (const status of live(run)) {
      if (status.balances === undefined) continue
      const balance = status.balances.get(account)
      if (balance !== 0) broken.push(`n${status.node} ends with ${account} at ${balance}, expected balance 0`)
    }
    return broken
  }
})
