/**
 * The scenario catalog: every scenario of the seed documents (descriptions.ts) with the schedule generator
 * that runs it. One generator serves both the property suite (fast-check shrinks its values) and
 * `faultline sim` (which samples it with a seed), so a seed means the same schedule everywhere.
 */
import fc from "fast-check"
import { ledgerScheduleArbitrary } from "./arbitraries/ledger.ts"
import { scheduleArbitrary, type BuiltSchedule, type ScheduleShape } from "./arbitraries/schedule.ts"
import { descriptions, type ScenarioDescription } from "./scenarios/descriptions.ts"
import { zooExpectations } from "./zoo/checks.ts"
import { scriptedSchedule, scriptedShape, scriptExpectations, type Expectations } from "./scripted.ts"

export interface CatalogScenario extends ScenarioDescription {
  readonly shape: ScheduleShape
  readonly arbitrary: fc.Arbitrary<BuiltSchedule>
  readonly expectations: Expectations
}

const shapeOf = (description: ScenarioDescription): ScheduleShape => {
  const recipe = description.recipe
  if (recipe.script !== undefined) return scriptedShape
  return {
    faults: recipe.faults,
    ...(recipe.attacks !== undefined ? { attacks: recipe.attacks } : {}),
    ...(recipe.noisyNetwork !== undefined ? { noisyNetwork: recipe.noisyNetwork } : {}),
    ...(recipe.replicas !== undefined ? { replicasMin: recipe.replicas, replicasMax: recipe.replicas } : {}),
    ...(recipe.clients !== undefined ? { clients: recipe.clients } : {}),
    ...(recipe.keys !== undefined ? { keys: recipe.keys } : {}),
    ...(recipe.faults.length > 0 ? { maxFaults: Math.max(8, Math.round(12_000 / (recipe.faultEveryMs ?? 1000))) } : {}),
    ...recipe.tuning
  }
}

const toScenario = (description: ScenarioDescription): CatalogScenario => {
  const shape = shapeOf(description)
  const script = description.recipe.script
  const ledger = description.recipe.ledger
  const arbitrary =
    script !== undefined
      ? scriptedSchedule(script)
      : ledger !== undefined
        ? ledgerScheduleArbitrary(shape, ledger)
        : scheduleArbitrary(shape)
  const expectations =
    script !== undefined ? scriptExpectations(script) : zooExpectations(description.recipe.checks ?? [])
  return { ...description, shape, arbitrary, expectations }
}

export const catalog: ReadonlyArray<CatalogScenario> = descriptions.map(toScenario)

export const findCatalogScenario = (name: string): CatalogScenario | undefined =>
  catalog.find((scenario) => scenario.name === name)

/** The scenario's generator, with the cluster size forced to `replicas` when given (steps that name a replica outside it dropped). */
export const arbitraryFor = (scenario: CatalogScenario, replicas?: number): fc.Arbitrary<BuiltSchedule> =>
  replicas === undefined ? scenario.arbitrary : scenario.arbitrary.map((built) => withReplicas(built, replicas))

/** The schedule a seed stands for: fast-check's generator driven by that seed, with no shrinking. */
export const sampleSchedule = (scenario: CatalogScenario, seed: number, replicas?: number): BuiltSchedule => {
  const [built] = fc.sample(arbitraryFor(scenario, replicas), { seed, numRuns: 1 })
  if (built === undefined) throw new Error(`scenario ${scenario.name} produced no schedule for seed ${seed}`)
  return built
}

const withReplicas = (built: BuiltSchedule, replicas: number): BuiltSchedule => {
  if (replicas === built.schedule.replicas) return built
  const schedule = { ...built.schedule, replicas }
  return { ...built, schedule: { ...schedule, steps: schedule.steps.filter((step) => stepFits(step, replicas)) } }
}

const stepFits = (step: BuiltSchedule["schedule"]["steps"][number], replicas: number): boolean => {
  switch (step._tag) {
    case "Crash":
    case "Restart":
    case "Pause":
    case "Isolate":
      return typeof step.node !== "number" || step.node < replicas
    case "Corrupt":
    case "Clock":
      return step.node < replicas
    case "Clog":
      return step.from < replicas && step.to < replicas
    case "Partition":
      return step.cut.every(([from, to]) => from < replicas && to < replicas)
    case "Forge":
      return step.to < replicas
    case "Client":
      return step.replica === undefined || step.replica < replicas
    case "Heal":
    case "OnLeader":
      return true
  }
}
