/**
 * `faultline merge A.json B.json …`: combines the `--json` summaries of `faultline sim --shard k/n` runs (every
 * k from 1 to n, the same campaign) into the summary the unsharded run prints: the same seeds, trace hashes,
 * failures and counterexample files; only the wall-clock figures are summed from the shards' own.
 */
import { readFileSync } from "node:fs"
import { Either } from "effect"
import { decodeUnknownEitherTotal, describeParseError } from "../schemaIssue.ts"
import { CampaignSummary, describeFailures, mergeShards, MergeError, summaryTable } from "./campaignSummary.ts"
import { readCommandLine } from "./commandLine.ts"
import { UsageError, parseOptions } from "../options.ts"

const usage = `usage: faultline merge <shard.json>... [--json]

  Each file is the output of faultline sim --json --shard k/n (one line of JSON).
  --json  print the merged summary as JSON (the same shape as an unsharded faultline sim --json)`

interface MergeArguments {
  readonly files: ReadonlyArray<string>
  readonly json: boolean
}

export const parseMergeArguments = (argv: ReadonlyArray<string>): MergeArguments => {
  const { values, positionals } = parseOptions({
    args: [...argv],
    options: { json: { type: "boolean", default: false } },
    strict: true,
    allowPositionals: true
  })
  if (positionals.length === 0) throw new UsageError({ message: "give at least one shard summary" })
  return { files: positionals, json: values.json }
}

const load = (file: string): Either.Either<CampaignSummary, string> => {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, "utf8"))
  } catch (error) {
    return Either.left(`cannot read ${file} as JSON: ${(error as Error).message}`)
  }
  return Either.mapLeft(
    decodeUnknownEitherTotal(CampaignSummary)(json),
    (error) => `${file} is not a faultline sim --json summary: ${describeParseError(error)}`
  )
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("merge", usage, argv, parseMergeArguments)
  if (commandLine._tag === "Exit") return commandLine.code
  const shards: Array<CampaignSummary> = []
  for (const file of commandLine.options.files) {
    const loaded = load(file)
    if (Either.isLeft(loaded)) {
      console.error(`faultline merge: ${loaded.left}`)
      return 2
    }
    shards.push(loaded.right)
  }
  let merged: CampaignSummary
  try {
    merged = mergeShards(shards)
  } catch (error) {
    if (!(error instanceof MergeError)) throw error
    console.error(`faultline merge: ${error.message}`)
    return 2
  }
  if (commandLine.options.json) console.log(JSON.stringify(merged))
  else {
    for (const line of describeFailures(merged)) console.log(line)
    console.log(
      `\n${summaryTable(merged)}\n\nruns: ${merged.runs}   violations: ${merged.violations}   shards: ${shards.length}`
    )
  }
  return merged.violations > 0 ? 1 : 0
}
