/** The history formats the checker reads, each with its own sequential spec. */
import { Either } from "effect"
import { type CheckOptions, type CheckResult, checkOperations } from "../linearizability/check.ts"
import { parseJepsenEtcd, jepsenEtcdSpec } from "./jepsenEtcd.ts"
import type { HistoryFormat } from "./manifest.ts"
import type { HistoryParseError } from "./parseError.ts"
import { parsePorcupineKv, porcupineKvSpec } from "./porcupineKv.ts"

export * from "./jepsenEtcd.ts"
export * from "./manifest.ts"
export * from "./parseError.ts"
export * from "./porcupineKv.ts"

/** A parsed history ready to check: the check runs separately so that benchmarks can time it alone. */
export interface ParsedHistory {
  readonly operations: number
  readonly check: (options?: CheckOptions) => CheckResult
}

export const parseHistory = (format: HistoryFormat, text: string): Either.Either<ParsedHistory, HistoryParseError> => {
  switch (format) {
    case "porcupine-kv":
      return Either.map(parsePorcupineKv(text), (operations) => ({
        operations: operations.length,
        check: (options) => checkOperations(porcupineKvSpec, operations, options)
      }))
    case "jepsen-etcd":
      return Either.map(parseJepsenEtcd(text), (operations) => ({
        operations: operations.length,
        check: (options) => checkOperations(jepsenEtcdSpec, operations, options)
      }))
  }
}
