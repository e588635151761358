/**
 * `faultline scenarios [--json]`: the scenario catalog — every scenario of the seed documents, its phase,
 * what it does (with its Raft analogue) and whether it runs yet.
 */
import { scenarios } from "../../properties/scenarios/index.ts"

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(
      "usage: faultline scenarios [--json]\n\nLists every catalog scenario: name, phase, status and description."
    )
    return 0
  }
  const unknown = argv.find((argument) => argument !== "--json")
  if (unknown !== undefined) {
    console.error(`faultline scenarios: unknown option ${unknown}`)
    return 2
  }
  const rows = scenarios.map((scenario) => ({
    name: scenario.name,
    phase: scenario.phase,
    description: scenario.description,
    status: scenario.status,
    invariants: scenario.invariants
  }))
  if (argv.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2))
    return 0
  }
  const nameWidth = Math.max(...rows.map((row) => row.name.length))
  for (const row of rows) {
    const status = row.status === "runs" ? "" : `  [${row.status}]`
    console.log(`${row.name.padEnd(nameWidth)}  ${row.phase.padEnd(10)} ${row.description}${status}`)
  }
  const running = rows.filter((row) => row.status === "runs").length
  console.log(`\n${rows.length} scenarios, ${running} run, ${rows.length - running} wait for a feature`)
  return 0
}
