/**
 * The `faultline` command: a thin dispatcher over one module per subcommand. Each subcommand module exports
 * `run(argv): Promise<number>` (the process exit code) and is loaded only when it is asked for, so that a
 * quick `faultline --help` does not load the simulator or the node.
 */
export interface Subcommand {
  readonly summary: string
  readonly load: () => Promise<{ run: (argv: ReadonlyArray<string>) => Promise<number> }>
}

export const subcommands: Readonly<Record<string, Subcommand>> = {
  "check-history": { summary: "check a client history for linearizability", load: () => import("./checkHistory.ts") },
  sim: {
    summary: "run catalog scenarios (one, a phase, --all) in the simulator; failures become counterexample files",
    load: () => import("./sim.ts")
  },
  serve: {
    summary: "run one node of a cluster (replica, WAL, peer transport, HTTP API)",
    load: () => import("./serve.ts")
  },
  cluster: { summary: "run a local cluster of node processes on 127.0.0.1", load: () => import("./cluster.ts") },
  replay: { summary: "replay a counterexample against a Docker cluster (--docker)", load: () => import("./replay.ts") },
  scenarios: { summary: "list the scenario catalog (--json)", load: () => import("./scenarios.ts") },
  repro: { summary: "replay a counterexample in memory; exit 1 if it still fails", load: () => import("./repro.ts") },
  mutants: {
    summary: "measure the bug zoo: hunt, shrink and record each test-only protocol bug",
    load: () => import("./mutants.ts")
  },
  timeline: {
    summary: "print a counterexample's timeline (filters, --json, --html)",
    load: () => import("./timeline.ts")
  },
  bisect: {
    summary: "find the first event after which a counterexample's violation cannot be avoided",
    load: () => import("./bisect.ts")
  },
  dashboard: {
    summary: "a local web page over a directory of counterexamples (lanes, arrows, history)",
    load: () => import("./dashboard.ts")
  },
  merge: { summary: "combine the --json summaries of sharded sim runs into one", load: () => import("./merge.ts") }
}

const usage = (): string => {
  const names = Object.keys(subcommands).sort()
  const width = Math.max(8, ...names.map((name) => name.length))
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${subcommands[name]?.summary ?? ""}`)
  return [
    "faultline — a Raft key-value store and the property-based fault suite that attacks it",
    "",
    "usage: faultline <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "Run `faultline <command> --help` for a command's options."
  ].join("\n")
}

/**
 * A reader that stops early (`faultline timeline FILE | head`) closes the pipe; what is left of the output has
 * nowhere to go, and that is the reader's choice, not an error: end at once, without a stack trace.
 */
const endQuietlyWhenThePipeCloses = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error
      process.exit(0)
    })
  }
}

export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  endQuietlyWhenThePipeCloses()
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage())
    return 0
  }
  const subcommand = subcommands[name]
  if (subcommand === undefined) {
    console.error(`faultline: unknown command "${name}"\n`)
    console.error(usage())
    return 2
  }
  const module = await subcommand.load()
  return module.run(rest)
}
