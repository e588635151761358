/**
 * The preamble every subcommand shares: `--help` prints the usage (exit 0); arguments that do not parse print
 * the reason and the usage (exit 2); otherwise the parsed options.
 */
export type CommandLine<Options> = { readonly _tag: "Run"; readonly options: Options } | { readonly _tag: "Exit"; readonly code: number }

export const readCommandLine = <Options>(
  command: string,
  usage: string,
  argv: ReadonlyArray<string>,
  parse: (argv: ReadonlyArray<string>) => Options
): CommandLine<Options> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage)
    return { _tag: "Exit", code: 0 }
  }
  try {
    return { _tag: "Run", options: parse(argv) }
  } catch (error) {
    console.error(`faultline ${command}: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    return { _tag: "Exit", code: 2 }
  }
}
