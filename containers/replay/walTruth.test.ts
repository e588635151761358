/**
 * Ground truth from WAL files (no Docker: the files are written with the storage layer's own encoder, as a node
 * writes them): committed commands are applied with their results, a retry appended again counts once, commands
 * beyond the commit index or absent were not applied, and disagreeing WALs give no truth.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import type { Entry } from "../../src/protocol/entry.ts"
import { encodeRecords } from "../../src/storage/record.ts"
import { genesisAnchor } from "../../src/storage/chain.ts"
import { encodePersist } from "../../src/storage/walRecord.ts"
import { walFileName } from "../fixture/corrupt.ts"
import { readWalLog, walSettlements } from "./walTruth.ts"

const put = (index: number, clientId: string, sequence: number, value: string, term = 1): Entry => ({
  index,
  term,
  payload: { _tag: "Command", session: { clientId, sequence }, command: { _tag: "Put", key: "k", value } }
})

const cas = (index: number, clientId: string, expected: string, value: string): Entry => ({
  index,
  term: 1,
  payload: { _tag: "Command", session: { clientId, sequence: 1 }, command: { _tag: "Cas", key: "k", expected, value } }
})

const directories: Array<string> = []
afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true })
})

const writeWal = (entries: ReadonlyArray<Entry>): string => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-wal-truth-"))
  directories.push(directory)
  const payloads = encodePersist({ hardState: { term: 1, votedFor: 0 }, append: entries })
  fs.writeFileSync(path.join(directory, walFileName), encodeRecords(payloads, genesisAnchor).bytes)
  return directory
}

const logOf = (entries: ReadonlyArray<Entry>): ReadonlyArray<Entry> => {
  const log = readWalLog(writeWal(entries))
  if (typeof log === "string") throw new Error(log)
  return log
}

describe("ground truth from the WALs", () => {
  it("settles committed commands with their results and the rest as not applied", () => {
    // Arrange: a put, its retry appended again, a cas that fails on the value the put left, and one uncommitted.
    const entries = [put(1, "a", 1, "x"), put(2, "a", 1, "x"), cas(3, "b", "y", "z"), put(4, "c", 1, "late")]
    const log = logOf(entries)
    const sessions = [
      { clientId: "a", sequence: 1 },
      { clientId: "b", sequence: 1 },
      { clientId: "c", sequence: 1 },
      { clientId: "d", sequence: 1 }
    ]
    // Act
    const truth = walSettlements([log, log.slice(0, 3)], 3, (id) => sessions[id], 99)
    // Assert
    if (typeof truth === "string") throw new Error(truth)
    expect(truth(0)).toEqual({ _tag: "Applied", output: { _tag: "Ok", value: null }, atTime: 99 })
    expect(truth(1)).toEqual({ _tag: "Applied", output: { _tag: "CasMismatch", current: "x" }, atTime: 99 })
    expect(truth(2)).toEqual({ _tag: "NotApplied" })
    expect(truth(3)).toEqual({ _tag: "NotApplied" })
    expect(truth(4)).toBeUndefined()
  })

  it("gives no truth when the WALs disagree on a committed entry", () => {
    // Arrange
    const one = logOf([put(1, "a", 1, "x")])
    const other = logOf([put(1, "b", 1, "y")])
    // Act
    const truth = walSettlements([one, other], 1, () => undefined, 0)
    // Assert
    expect(truth).toBe("the WALs disagree on committed entry 1")
  })

  it("says why a WAL cannot be read", () => {
    // Arrange
    const directory = writeWal([put(1, "a", 1, "x")])
    fs.rmSync(path.join(directory, walFileName))
    // Act / Assert
    expect(readWalLog(directory)).toMatch(/^no WAL at /)
  })
})
