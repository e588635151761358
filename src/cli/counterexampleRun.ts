/**
 * Shared by `faultline repro` and `faultline timeline`: load a counterexample file (validated by its Schema)
 * and run its schedule again in memory, with the scenario's expectations and the bugs it was found with.
 */
import { Either } from "effect"
import { isBugName, type BugName } from "../protocol/bugs.ts"
import { loadCounterexample, type Counterexample } from "../../properties/counterexample.ts"
import { judge, type Judgement } from "../../properties/judge.ts"
import { findScenario } from "../../properties/scenarios/index.ts"

export interface Rerun {
  readonly counterexample: Counterexample
  readonly judged: Judgement
}

export const rerun = (path: string): Either.Either<Rerun, string> => {
  const loaded = loadCounterexample(path)
  if (Either.isLeft(loaded)) return Either.left(loaded.left.message)
  const counterexample = loaded.right
  const unknownBug = counterexample.bugs.find((bug) => !isBugName(bug))
  if (unknownBug !== undefined) return Either.left(`${path} names a bug this build does not have: ${unknownBug}`)
  const scenario = findScenario(counterexample.scenario)
  const judged = judge(counterexample.schedule, {
    bugs: new Set(counterexample.bugs as ReadonlyArray<BugName>),
    healedAtMs: counterexample.healedAtMs,
    expectations: scenario?.expectations ?? {},
    traceLinesKept: 1_000_000
  })
  return Either.right({ counterexample, judged })
}
