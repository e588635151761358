/**
 * How fast a killed node comes back: a 3-node loopback cluster under a steady write load, one follower killed with
 * SIGKILL and restarted on the same data directory, `--restarts` times (default 10); the figure is the time from
 * starting the process to its first 200 from `GET /health`, which includes reading back and replaying its WAL of
 * the writes it had. With `--compare-etcd` a cluster of Debian's etcd 3.4 (`apt-get install -y etcd-server`) runs
 * beside it and the two systems' restarts alternate, each under its own writers while it is measured, so that the
 * ratio is measured on one machine under one load. Median and worst are printed.
 *
 * `--against DIR` adds a cluster of another checkout's `faultline serve` (a worktree of an earlier commit, built),
 * whose restarts alternate with the others: before and after in one run.
 *
 * For this checkout's nodes it also prints how many entries each restart recovered and, from the line the node logs
 * once in service (its milestones in ms and CPU ms since the process started), the medians of the phases: process
 * start to the peer port (Node's own start and the node's set-up), the WAL read, the rebuild until it serves.
 *
 * Usage: npm run bench:restart [-- --restarts 10 --preload 2000 --clients 8 --compare-etcd --against DIR]
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { freePorts, LocalCluster, waitForLeader } from "../src/node/localCluster.ts"

const { values } = parseArgs({
  options: {
    restarts: { type: "string", default: "10" },
    preload: { type: "string", default: "2000" },
    clients: { type: "string", default: "8" },
    "compare-etcd": { type: "boolean", default: false },
    against: { type: "string" }
  },
  strict: true
})
const restarts = Number(values.restarts)
const preloadWrites = Number(values.preload)
const clients = Number(values.clients)
const healthTimeoutMs = 60_000
/** How long a system is under its writers before its follower is killed. */
const loadBeforeKillMs = 1_000

/** What the loop needs from a cluster: where to write, which member is a follower, and how to kill and start it. */
interface Subject {
  readonly name: string
  readonly write: (sequence: number) => Promise<void>
  readonly followerId: () => Promise<number>
  readonly healthUrl: (id: number) => string
  readonly kill: (id: number) => Promise<void>
  readonly start: (id: number) => void
  readonly stop: () => Promise<void>
  /** The process id of node `id`'s current process, if it runs. */
  readonly pid: (id: number) => number | undefined
  /** Where node `id`'s latest start went, from its own log (faultline only). */
  readonly startUp?: (id: number) => StartUp | undefined
}

/** From a faultline node's log: the entries its WAL held, and its milestones (ms and CPU ms since its start). */
interface StartUp {
  readonly entries: number
  readonly milestones: ReadonlyMap<string, { readonly ms: number; readonly cpuMs: number }>
}

/** The last start recorded in a node's log: "WAL recovered: R records, E entries" and "in service … (ms …: X 1 (CPU 2), …)". */
const lastStartUp = (logFile: string): StartUp | undefined => {
  let text: string
  try {
    text = fs.readFileSync(logFile, "utf8")
  } catch {
    return undefined
  }
  const recovered = [...text.matchAll(/WAL recovered: \d+ records, (\d+) entries/g)].at(-1)
  const inService = [...text.matchAll(/in service \d+ ms after the process started \([^:]*: (.*)\)$/gm)].at(-1)
  if (recovered === undefined || inService === undefined) return undefined
  const milestones = new Map<string, { ms: number; cpuMs: number }>()
  for (const match of (inService[1] ?? "").matchAll(/([a-zA-Z ]+?) (\d+) \(CPU (\d+)\)/g)) {
    milestones.set((match[1] ?? "").trim(), { ms: Number(match[2]), cpuMs: Number(match[3]) })
  }
  return { entries: Number(recovered[1]), milestones }
}

const healthy = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(500) })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

const pause = (durationMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, durationMs))

/** CPU time (user and system, from /proc; 10 ms ticks) a process has used, or NaN where /proc cannot say. */
const cpuMsOf = (pid: number | undefined): number => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100)
  } catch {
    return Number.NaN
  }
}

interface Restart {
  /** Milliseconds from `start` until /health answers 200, polled every 5 ms (bounded by healthTimeoutMs). */
  readonly wallMs: number
  /** The CPU time the restarted process had used by then: what a loaded machine has to find for it. */
  readonly cpuMs: number
  readonly startUp: StartUp | undefined
}

const timeToHealthy = async (subject: Subject, id: number): Promise<Restart> => {
  const startedAt = performance.now()
  subject.start(id)
  while (performance.now() - startedAt < healthTimeoutMs) {
    if (await healthy(subject.healthUrl(id))) {
      const wallMs = performance.now() - startedAt
      const cpuMs = cpuMsOf(subject.pid(id))
      return { wallMs, cpuMs, startUp: subject.startUp?.(id) }
    }
    await pause(5)
  }
  throw new Error(`${subject.name} node ${id} did not answer /health within ${healthTimeoutMs} ms`)
}

/** Polls `check` every 50 ms until it gives a value, for at most `timeoutMs`. */
const waitFor = async <A>(what: string, timeoutMs: number, check: () => Promise<A | undefined>): Promise<A> => {
  const startedAt = performance.now()
  while (performance.now() - startedAt < timeoutMs) {
    const value = await check()
    if (value !== undefined) return value
    await pause(50)
  }
  throw new Error(`no ${what} within ${timeoutMs} ms`)
}

/** The writers of one system: `clients` loops writing until stopped; errors (a node being killed) are not fatal. */
interface Load {
  /** Starts the writers (again). */
  readonly run: () => void
  /** Holds the writers after their current write; resolves once every one of them is held. */
  readonly hold: () => Promise<void>
  /** Writes completed so far. */
  readonly writes: () => number
}

const makeLoad = (subject: Subject): Load => {
  let running = false
  let writes = 0
  let loops: ReadonlyArray<Promise<void>> = []
  return {
    run: () => {
      if (running) return
      running = true
      loops = Array.from({ length: clients }, async (_, client) => {
        while (running) {
          await subject.write(client * 1_000_000 + writes).catch(() => undefined)
          writes += 1
        }
      })
    },
    hold: async () => {
      running = false
      await Promise.all(loops)
    },
    writes: () => writes
  }
}

const median = (sorted: ReadonlyArray<number>): number => sorted[Math.floor(sorted.length / 2)] ?? Number.NaN

const report = (name: string, restarted: ReadonlyArray<Restart>): number => {
  const timings = restarted.map((restart) => restart.wallMs)
  const sorted = [...timings].sort((a, b) => a - b)
  const cpu = restarted.map((restart) => restart.cpuMs).sort((a, b) => a - b)
  console.log(
    `${name}: restart to /health 200, ${timings.length} SIGKILLed followers: median ${median(sorted).toFixed(0)} ms, ` +
      `worst ${(sorted[sorted.length - 1] ?? Number.NaN).toFixed(0)} ms (all: ${timings.map((t) => t.toFixed(0)).join(", ")}); ` +
      `CPU time of the restarted process by then: median ${median(cpu).toFixed(0)} ms (all: ${cpu.join(", ")})`
  )
  // Checkouts from before the node logged its milestones with CPU time have none to report.
  const startUps = restarted.flatMap((restart) =>
    restart.startUp === undefined || restart.startUp.milestones.size === 0 ? [] : [restart.startUp]
  )
  if (startUps.length > 0) {
    // Each phase from the node's own milestones: wall ms (CPU ms) spent in it, medians over the restarts.
    const phase = (from: string | undefined, to: string, key: "ms" | "cpuMs"): number =>
      median(
        startUps
          .map(
            (startUp) =>
              (startUp.milestones.get(to)?.[key] ?? NaN) -
              (from === undefined ? 0 : (startUp.milestones.get(from)?.[key] ?? NaN))
          )
          .sort((a, b) => a - b)
      )
    const phases: ReadonlyArray<[string, string | undefined, string]> = [
      ["process start to peer port open", undefined, "peer port open"],
      ["WAL read", "HTTP listening", "WAL read"],
      ["replica rebuilt and serving", "WAL read", "serving"]
    ]
    console.log(
      `${name}: entries in the recovered WAL: ${startUps.map((startUp) => startUp.entries).join(", ")}; medians by phase, ms (CPU ms): ` +
        phases.map(([label, from, to]) => `${label} ${phase(from, to, "ms")} (${phase(from, to, "cpuMs")})`).join("; ")
    )
  }
  return median(sorted)
}

/**
 * The systems' restarts interleaved round by round (the order turning each round), so that a change in the shared
 * machine's load falls on all of them alike. Only the system being measured is under its writers (for a second
 * before the kill and until its node answers); the others idle meanwhile, so no system's load slows another's.
 */
const measure = async (subjects: ReadonlyArray<Subject>): Promise<ReadonlyArray<number>> => {
  for (const subject of subjects) {
    for (let sequence = 0; sequence < preloadWrites; sequence += clients) {
      await Promise.all(Array.from({ length: clients }, (_, client) => subject.write(sequence + client)))
    }
  }
  const loads = subjects.map(makeLoad)
  const timings = subjects.map((): Array<Restart> => [])
  try {
    for (let round = 0; round < restarts; round++) {
      for (let turn = 0; turn < subjects.length; turn++) {
        const index = (round + turn) % subjects.length
        const subject = subjects[index] as Subject
        const load = loads[index] as Load
        load.run()
        await pause(loadBeforeKillMs)
        const id = await subject.followerId()
        await subject.kill(id)
        timings[index]?.push(await timeToHealthy(subject, id))
        await load.hold()
      }
    }
  } finally {
    for (const [index, load] of loads.entries()) {
      await load.hold()
      console.log(`${subjects[index]?.name}: ${load.writes()} writes during the restarts`)
    }
  }
  return subjects.map((subject, index) => report(subject.name, timings[index] ?? []))
}

/** A checkout's `faultline` command: bin/faultline, or bin/faultline.mjs in commits from before the launcher. */
const launcherIn = (checkout: string): string => {
  const launcher = path.join(checkout, "bin", "faultline")
  return fs.existsSync(launcher) ? launcher : `${launcher}.mjs`
}

/** `faultline serve` as installed (bin/faultline): this checkout's, or another's (a worktree of an earlier commit). */
const faultlineSubject = async (dataDirectory: string, checkout?: string): Promise<Subject> => {
  const httpPorts = await freePorts(3)
  const peerPorts = await freePorts(3)
  const cluster = new LocalCluster({
    nodes: 3,
    httpPorts,
    peerPorts,
    dataDirectory,
    ...(checkout !== undefined ? { launcher: launcherIn(checkout) } : {})
  })
  cluster.startAll()
  let leader = await waitForLeader(cluster, 30_000)
  return {
    name: checkout !== undefined ? `faultline at ${checkout}` : "faultline",
    write: async (sequence) => {
      const response = await fetch(`${cluster.nodeAt(leader).httpUrl}/kv/key-${sequence % 1000}`, {
        method: "PUT",
        body: `value-${sequence}`,
        signal: AbortSignal.timeout(5_000)
      })
      await response.arrayBuffer()
      if (response.status === 421 || response.status === 503) {
        leader = await waitForLeader(cluster, 30_000)
      }
    },
    followerId: async () => {
      leader = await waitForLeader(cluster, 30_000)
      return [0, 1, 2].find((id) => id !== leader) ?? 1
    },
    healthUrl: (id) => `${cluster.nodeAt(id).httpUrl}/health`,
    kill: (id) => cluster.stopNode(id, "SIGKILL"),
    pid: (id) => cluster.nodeAt(id).process?.pid,
    startUp: (id) => lastStartUp(path.join(cluster.nodeAt(id).dataDirectory, "node.log")),
    start: (id) => cluster.start(id),
    stop: () => cluster.stopAll()
  }
}

const etcdSubject = async (dataDirectory: string): Promise<Subject> => {
  const ports = await freePorts(6)
  const names = [0, 1, 2].map((id) => `etcd-${id}`)
  const initialCluster = names.map((name, id) => `${name}=http://127.0.0.1:${ports[3 + id]}`).join(",")
  const children: Array<ChildProcess | undefined> = []
  const start = (id: number): void => {
    const name = names[id] ?? "etcd"
    children[id] = spawn(
      "etcd",
      [
        ...["--name", name, "--data-dir", path.join(dataDirectory, name)],
        ...["--listen-client-urls", `http://127.0.0.1:${ports[id]}`],
        ...["--advertise-client-urls", `http://127.0.0.1:${ports[id]}`],
        ...["--listen-peer-urls", `http://127.0.0.1:${ports[3 + id]}`],
        ...["--initial-advertise-peer-urls", `http://127.0.0.1:${ports[3 + id]}`],
        ...["--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--log-level", "error"]
      ],
      { stdio: ["ignore", "ignore", "ignore"] }
    )
  }
  const kill = (id: number): Promise<void> =>
    new Promise((resolve) => {
      const child = children[id]
      if (child === undefined || child.exitCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGKILL")
    })
  const status = async (port: number): Promise<{ leader: string; member: string } | undefined> => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v3/maintenance/status`, {
        method: "POST",
        body: "{}",
        signal: AbortSignal.timeout(1_000)
      })
      const body = (await response.json()) as { leader?: string; header?: { member_id?: string } }
      return body.leader !== undefined && body.header?.member_id !== undefined
        ? { leader: body.leader, member: body.header.member_id }
        : undefined
    } catch {
      return undefined
    }
  }
  const leaderId = (): Promise<number> =>
    waitFor("an etcd leader", 30_000, async () => {
      for (const id of [0, 1, 2]) {
        const answer = await status(ports[id] ?? 0)
        if (answer !== undefined && answer.leader === answer.member) return id
      }
      return undefined
    })
  for (const id of [0, 1, 2]) start(id)
  let leader = await leaderId()
  const base64 = (text: string): string => Buffer.from(text).toString("base64")
  return {
    name: "etcd",
    write: async (sequence) => {
      const response = await fetch(`http://127.0.0.1:${ports[leader]}/v3/kv/put`, {
        method: "POST",
        body: JSON.stringify({ key: base64(`key-${sequence % 1000}`), value: base64(`value-${sequence}`) }),
        signal: AbortSignal.timeout(5_000)
      })
      await response.arrayBuffer()
      if (response.status !== 200) leader = await leaderId()
    },
    followerId: async () => {
      leader = await leaderId()
      return [0, 1, 2].find((id) => id !== leader) ?? 1
    },
    healthUrl: (id) => `http://127.0.0.1:${ports[id]}/health`,
    kill,
    pid: (id) => children[id]?.pid,
    start,
    stop: async () => {
      await Promise.all([0, 1, 2].map(kill))
    }
  }
}

const main = async (): Promise<void> => {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-restart-"))
  console.log(
    `3 nodes on loopback, ${preloadWrites} writes before the first kill, ${clients} writers during, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(" ")}`
  )
  const subjects: Array<Subject> = []
  try {
    subjects.push(await faultlineSubject(path.join(dataDirectory, "faultline")))
    if (values["compare-etcd"]) subjects.push(await etcdSubject(path.join(dataDirectory, "etcd")))
    if (values.against !== undefined) {
      subjects.push(await faultlineSubject(path.join(dataDirectory, "faultline-against"), values.against))
    }
    const medians = await measure(subjects)
    const etcd = subjects.findIndex((subject) => subject.name === "etcd")
    for (const [index, subject] of subjects.entries()) {
      if (index === etcd || etcd < 0) continue
      console.log(`ratio ${subject.name}/etcd (medians): ${((medians[index] ?? 0) / (medians[etcd] ?? 1)).toFixed(2)}x`)
    }
  } finally {
    await Promise.all(subjects.map((subject) => subject.stop()))
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
