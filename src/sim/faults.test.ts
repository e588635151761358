/**
 * Each fault kind, shown happening: one focused scenario per fault, read through the trace, the counters, an
 * observer of replica steps, or the disk itself.
 */
import { describe, expect, it } from "vitest"
import { defaultWorkload, generateSchedule } from "../../properties/scenarios/generate.ts"
import { attackKinds, forge } from "./adversary.ts"
import type { StepObservation } from "./observer.ts"
import { SimDisk } from "./disk.ts"
import { SimRandom } from "../schedule/random.ts"
import { runSchedule, type RunResult } from "./run.ts"
import { defaultProfile, type Schedule, type Step } from "../schedule/index.ts"
import { Wal } from "./wal.ts"

const schedule = (steps: ReadonlyArray<Step>, overrides: Partial<Schedule> = {}): Schedule => ({
  version: 1,
  replicas: 3,
  seed: 11,
  profile: defaultProfile,
  limits: { simulatedMs: 20_000, events: 1_000_000 },
  steps,
  ...overrides
})

const puts = (fromMs: number, count: number, gapMs: number): Array<Step> =>
  Array.from({ length: count }, (_, serial) => ({
    _tag: "Client" as const,
    at: fromMs + serial * gapMs,
    client: serial % 2,
    op: { _tag: "Put" as const, key: `k${serial % 3}`, value: `v${serial}` }
  }))

const recording = (): {
  observations: Array<StepObservation>
  observer: { name: string; afterStep: (observation: StepObservation) => [] }
} => {
  const observations: Array<StepObservation> = []
  return {
    observations,
    observer: { name: "recorder", afterStep: (observation) => (observations.push(observation), []) }
  }
}

const lines = (result: RunResult): ReadonlyArray<string> => result.trace.map((line) => `${line.atMs} ${line.text}`)

const persist = (ioId: number, index: number) =>
  ({
    _tag: "Persist",
    ioId,
    hardState: { term: 1, votedFor: 0 },
    append: [{ index, term: 1, payload: { _tag: "NoOp" } }]
  }) as const

describe("faults", () => {
  it("a crash loses unsynced writes and keeps synced ones", () => {
    const disk = new SimDisk()
    const wal = new Wal(disk)
    wal.append(persist(1, 1))
    wal.sync()
    wal.append(persist(2, 2))
    disk.crash(new SimRandom(1, "test"), 0)
    const recovered = wal.recover()
    expect(recovered.durable.log.map((entry) => entry.index)).toEqual([1])
    expect(recovered.durable.damaged).toBe(false)
    expect(recovered.finding).toBe("Clean")
  })

  it("a torn write is cut off as a torn tail, and a bit flip mid-log marks the log damaged", () => {
    const disk = new SimDisk()
    const wal = new Wal(disk)
    for (let index = 1; index <= 4; index += 1) {
      wal.append(persist(index, index))
      wal.sync()
    }
    const random = new SimRandom(2, "test")
    wal.append(persist(5, 5))
    disk.corrupt("torn", random)
    expect(disk.crash(random, 0)).toBeGreaterThan(0)
    const torn = wal.recover()
    expect(torn.finding).toMatch(/^TornTail/)
    expect(torn.durable.log).toHaveLength(4)
    expect(disk.corrupt("bitflip", random)).toMatch(/flipped/)
    disk.crash(random, 0)
    const flipped = wal.recover()
    expect(flipped.durable.damaged).toBe(true)
    expect(flipped.durable.log.length).toBeLessThan(4)
  })

  it("an OnLeader trigger cuts off the leader and then each new one the moment it wins, and lets them back", () => {
    // Arrange: armed at 3000 ms, after the first election; twice, the second time on the next leader.
    const trigger: Step = {
      _tag: "OnLeader",
      at: 3000,
      until: 15_000,
      action: "isolate",
      afterMs: 0,
      forMs: 4000,
      times: 2
    }
    // Act
    const result = runSchedule(schedule([trigger, ...puts(12_000, 5, 100)]), { traceLinesKept: 100_000 })
    // Assert
    const isolated = lines(result).filter((line) => /isolate n\d \(trigger 0\)/.test(line))
    const rejoined = lines(result).filter((line) => /rejoin n\d \(trigger 0\)/.test(line))
    expect(isolated).toHaveLength(2)
    expect(rejoined).toHaveLength(2)
    expect(isolated[0]).toMatch(/^3000 /)
    expect(new Set(isolated.map((line) => line.split(" ")[2])).size).toBe(2)
    expect(result.violations).toEqual([])
  })

  it("an OnLeader crash restarts each replica it crashed forMs later, and the cluster recovers", () => {
    // Two of three crashed: no majority is left to elect a third leader until the restarts.
    const crashes: Step = {
      _tag: "OnLeader",
      at: 3000,
      until: 20_000,
      action: "crash",
      afterMs: 10,
      forMs: 30_000,
      times: 3
    }
    const result = runSchedule(
      schedule([crashes, ...puts(16_000, 3, 100)], { limits: { simulatedMs: 60_000, events: 1_000_000 } }),
      { traceLinesKept: 100_000 }
    )
    const text = lines(result)
    expect(text.filter((line) => /^\d+ crash n\d$/.test(line))).toHaveLength(2)
    expect(text.filter((line) => / restart n\d: /.test(line))).toHaveLength(2)
    expect(result.violations).toEqual([])
  })

  it("a partition stops delivery across the cut, both ways, until healed", () => {
    const cut: Array<[number, number]> = [
      [0, 1],
      [1, 0],
      [0, 2],
      [2, 0]
    ]
    const result = runSchedule(
      schedule([{ _tag: "Partition", at: 0, cut }, { _tag: "Heal", at: 8000 }, ...puts(9000, 5, 100)])
    )
    const crossing = lines(result).filter((line) => /^\d+ (n0->n[12]|n[12]->n0) (?!drop)/.test(line))
    expect(crossing.every((line) => Number(line.split(" ")[0]) >= 8000)).toBe(true)
    expect(lines(result).some((line) => line.includes("drop (partition)"))).toBe(true)
    expect(result.counters.messagesDropped).toBeGreaterThan(0)
    expect(result.violations).toEqual([])
  })

  it("a paused replica gets no inputs, and its timers fire late when it resumes", () => {
    const { observations, observer } = recording()
    const work = [...puts(3000, 10, 100), ...puts(6000, 2, 100)]
    const result = runSchedule(schedule([...work, { _tag: "Pause", at: 3500, node: 1, forMs: 2000 }]), {
      observers: [observer]
    })
    const duringPause = observations.filter(
      (observation) => observation.node === 1 && observation.atMs > 3500 && observation.atMs < 5500
    )
    expect(duringPause).toEqual([])
    const resumed = observations.find((observation) => observation.node === 1 && observation.atMs >= 5500)
    expect(resumed?.atMs).toBe(5500)
    expect(resumed?.input._tag).toBe("Tick")
    expect(lines(result).some((line) => line.includes("resume n1"))).toBe(true)
    expect(result.violations).toEqual([])
  })

  it("a clogged link delays messages until it clears, and drops none", () => {
    const clogs: Array<Step> = [0, 2].map((from) => ({ _tag: "Clog" as const, at: 3000, from, to: 1, forMs: 1500 }))
    const result = runSchedule(schedule([...clogs, ...puts(3000, 5, 100), ...puts(5000, 2, 100)]))
    const intoOne = lines(result).filter((line) => /^\d+ n[02]->n1 /.test(line))
    const atMs = intoOne.map((line) => Number(line.split(" ")[0]))
    expect(atMs.some((time) => time > 3010 && time < 4500)).toBe(false)
    expect(atMs.some((time) => time >= 4500)).toBe(true)
    expect(result.counters.messagesDropped).toBe(0)
  })

  it("rejects and counts every forged and malformed message of the adversary", () => {
    const random = new SimRandom(5, "adversary")
    const forged: Array<Step> = attackKinds.flatMap((kind, position) =>
      [0, 1].map((copy) => {
        const forgery = forge(kind, random, 1, 3, 64)
        return {
          _tag: "Forge" as const,
          at: 3000 + position * 10 + copy,
          from: forgery.from,
          to: 1,
          message: forgery.message
        }
      })
    )
    const result = runSchedule(schedule([...forged, ...puts(3500, 5, 100)]))
    expect(result.counters.forgedDelivered).toBe(forged.length)
    expect(result.counters.forgedRejected).toBe(forged.length)
    const rejected = result.replicas[1]?.state?.stats.rejections ?? {}
    for (const reason of <const>[
      "InflatedCommit",
      "InconsistentTerms",
      "EntriesOutOfOrder",
      "OversizedBatch",
      "InvalidRange",
      "UnknownSender",
      "Malformed"
    ]) {
      expect(rejected[reason], reason).toBeGreaterThan(0)
    }
    expect(result.violations).toEqual([])
  })

  it("clock offset and drift change the Tick readings a replica sees", () => {
    const { observations, observer } = recording()
    runSchedule(
      schedule([{ _tag: "Clock", at: 3000, node: 2, offsetMs: 10_000, driftPpm: 100_000 }, ...puts(3000, 30, 100)]),
      { observers: [observer] }
    )
    const ticks = observations.filter(
      (observation) => observation.node === 2 && observation.input._tag === "Tick" && observation.atMs >= 4000
    )
    expect(ticks.length).toBeGreaterThan(3)
    for (const tick of ticks) {
      const reading = tick.input._tag === "Tick" ? tick.input.nowMs : 0
      expect(reading).toBe(Math.floor(tick.atMs + 10_000 + (tick.atMs - 3000) * 0.1))
    }
    const steady = observations.filter((observation) => observation.node === 0 && observation.input._tag === "Tick")
    for (const tick of steady) expect(tick.input._tag === "Tick" && tick.input.nowMs).toBe(tick.atMs)
  })

  it("says so when a cap on simulated time or events is hit", () => {
    const work = puts(3000, 50, 10)
    const timeCapped = runSchedule(schedule(work, { limits: { simulatedMs: 3100, events: 1_000_000 } }))
    expect(timeCapped.cap).toBe("simulatedMs")
    expect(timeCapped.capMessage).toMatch(/simulated time cap of 3100 ms/)
    const eventCapped = runSchedule(schedule(work, { limits: { simulatedMs: 60_000, events: 500 } }))
    expect(eventCapped.cap).toBe("events")
    expect(eventCapped.counters.events).toBe(500)
    const finished = runSchedule(schedule(work))
    expect(finished.cap).toBe("none")
    expect(finished.capMessage).toBeUndefined()
  })

  it("a baseline run commits every client operation and its history is linearizable", () => {
    const result = runSchedule(generateSchedule({ seed: 3, replicas: 3, workload: defaultWorkload, faults: [] }))
    const invoked = result.history.filter((event) => event._tag === "Invoke").length
    const completed = result.history.filter((event) => event._tag === "Ok").length
    expect(invoked).toBeGreaterThan(100)
    expect(completed).toBe(invoked)
    expect(result.violations).toEqual([])
    expect(lines(result).some((line) => line.includes("linearizability: linearizable"))).toBe(true)
    expect(result.replicas.every((replica) => (replica.state?.commitIndex ?? 0) > invoked / 2)).toBe(true)
  })
})
