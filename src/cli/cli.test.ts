/**
 * The `faultline` command as a user runs it: through bin/faultline.mjs, in a child process.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const bin = join(import.meta.dirname, "..", "..", "bin", "faultline.mjs")

const faultline = (...argv: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8", timeout: 120_000 })

const porcupine = join(import.meta.dirname, "..", "..", "model", "linearizability", "testdata", "porcupine")
const regression = join(import.meta.dirname, "..", "..", "containers", "regressions", "zoo-ackBeforePersist.json")

/** The first line of what a refused command printed, the reason: the usage comes after it. */
const reasonOf = (stderr: string): string => stderr.split("\n")[0] ?? ""

describe("faultline", () => {
  it("--help lists every command", () => {
    const result = faultline("--help")
    expect(result.status).toBe(0)
    for (const command of ["sim", "scenarios", "repro", "timeline", "check-history", "serve", "cluster", "replay"]) {
      expect(result.stdout).toContain(`  ${command}`)
    }
  })

  it("replay --docker refuses an unknown planted bug and --bugs with --correct, before touching Docker", () => {
    const file = join(import.meta.dirname, "..", "..", "containers", "regressions", "zoo-ackBeforePersist.json")
    const unknown = faultline("replay", file, "--docker", "--bugs", "noSuchBug")
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('unknown bug "noSuchBug"')
    const both = faultline("replay", file, "--docker", "--bugs", "followerReads", "--correct")
    expect(both.status).toBe(2)
    expect(both.stderr).toContain("--bugs and --correct exclude each other")
  })

  it("refuses an unknown command with exit 2", () => {
    const result = faultline("frobnicate")
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('unknown command "frobnicate"')
  })

  it("scenarios --json lists every scenario of the seed documents with name, phase, description and status", () => {
    const result = faultline("scenarios", "--json")
    expect(result.status).toBe(0)
    const rows = JSON.parse(result.stdout) as ReadonlyArray<{
      name: string
      phase: string
      description: string
      status: string
    }>
    const names = rows.map((row) => row.name)
    const required = [
      "baseline",
      "swizzle_clogging",
      "gray_failures",
      "multi_tenant_isolation",
      "time_compression",
      "combined",
      "byzantine_view_change_merge",
      "byzantine_commit_desync",
      "byzantine_inflated_commit",
      "byzantine_invalid_metadata",
      "byzantine_malicious_view_change",
      "byzantine_leader_race",
      "byzantine_dvc_tail_length_mismatch",
      "byzantine_dvc_identical_claims",
      "byzantine_oversized_start_view",
      "byzantine_invalid_repair_range",
      "byzantine_invalid_kernel_command",
      "corruption_bit_flip",
      "corruption_checksum_validation",
      "corruption_silent_disk_failure",
      "crash_during_commit",
      "crash_during_view_change",
      "recovery_corrupt_log",
      "gray_failure_slow_disk",
      "gray_failure_intermittent_network",
      "race_concurrent_view_changes",
      "race_commit_during_dvc",
      "clock_drift",
      "clock_offset_exceeded",
      "clock_ntp_failure",
      "client_session_crash",
      "client_session_view_change_lockout",
      "client_session_eviction",
      "repair_budget_prevents_storm",
      "repair_ewma_selection",
      "repair_sync_timeout",
      "primary_abdicate_partition",
      "commit_stall_detection",
      "scrub_detects_corruption",
      "scrub_completes_tour",
      "scrub_rate_limited",
      "scrub_triggers_repair",
      "reconfig_add_replicas",
      "reconfig_remove_replicas",
      "reconfig_during_partition",
      "smoke",
      "kv_replication",
      "cas",
      "kill_leader",
      "pause_follower",
      "pause_leader",
      "crash_recovery",
      "no_quorum",
      "partition_2_1",
      "partition_isolate_leader",
      "latency_instability",
      "catchup_after_degradation",
      "leader_failover_during_writes",
      "writes_during_election"
    ]
    for (const name of required) expect(names).toContain(name)
    for (const row of rows) {
      expect(row.phase.length).toBeGreaterThan(0)
      expect(row.description.length).toBeGreaterThan(20)
      expect(row.status === "runs" || row.status.startsWith("needs ")).toBe(true)
    }
  })

  it("sim --json prints runs, violations, speed and trace hashes, the same on a second run", () => {
    const first = faultline("sim", "--scenario", "combined", "--seeds", "2", "--json")
    const second = faultline("sim", "--scenario", "combined", "--seeds", "2", "--json")
    expect(first.status, first.stderr).toBe(0)
    const summary = JSON.parse(first.stdout) as Record<string, unknown>
    for (const field of ["runs", "violations", "eventsPerSecond", "timeRatio", "firstTraceHash", "traceHashes"]) {
      expect(summary).toHaveProperty(field)
    }
    expect(summary.runs).toBe(2)
    expect(summary.violations).toBe(0)
    expect((JSON.parse(second.stdout) as Record<string, unknown>).traceHashes).toEqual(summary.traceHashes)
  })

  it("repro refuses a file that is not a counterexample, with the reason and exit 2", () => {
    const directory = mkdtempSync(join(tmpdir(), "faultline-cli-"))
    try {
      const file = join(directory, "bad.json")
      writeFileSync(file, JSON.stringify({ version: 1, scenario: "combined" }))
      const result = faultline("repro", file)
      expect(result.status).toBe(2)
      expect(result.stderr).toContain("is not a valid counterexample")
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })

  it("the README's tour: sim with quorumOfF writes the counterexample the tour replays, and repro still fails on it", () => {
    const directory = mkdtempSync(join(tmpdir(), "faultline-tour-"))
    try {
      const campaign = faultline(
        "sim",
        "--scenario",
        "zoo_divergent_logs",
        "--seeds",
        "10",
        "--bug",
        "quorumOfF",
        "--out",
        directory
      )
      expect(campaign.status, campaign.stderr).toBe(1)
      expect(campaign.stdout).toContain("zoo_divergent_logs seed 2: election_safety")
      // README.md, "A five-minute tour", step 3 replays this file: if this changes, change the tour with it.
      const repro = faultline("repro", join(directory, "zoo_divergent_logs-seed2-quorumOfF.json"))
      expect(repro.status, repro.stderr).toBe(1)
      expect(repro.stdout).toContain('at 2500 ms: client 0 put("k0", "v0")')
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })

  describe("a command line that behaves", () => {
    it("refuses an unknown option with its reason first (naming the nearest option) and the usage after it", () => {
      const result = faultline("repro", regression, "--contxt", "40")
      expect(result.status).toBe(2)
      expect(reasonOf(result.stderr)).toBe("faultline repro: unknown option --contxt (did you mean --context?)")
      expect(result.stderr).toContain("usage: faultline repro")
    })

    it("refuses an option the command does not have, a missing value and a flag given a value", () => {
      expect(reasonOf(faultline("repro", regression, "--json").stderr)).toBe("faultline repro: unknown option --json")
      expect(reasonOf(faultline("timeline", regression, "--from").stderr)).toBe(
        "faultline timeline: --from needs a value"
      )
      expect(reasonOf(faultline("scenarios", "--jsn").stderr)).toBe("faultline scenarios: unknown option --jsn")
      expect(reasonOf(faultline("sim", "--all", "--json=yes").stderr)).toBe("faultline sim: --json takes no value")
    })

    it("refuses an option given twice rather than keeping the last (sim --scenario a --scenario b)", () => {
      const result = faultline("sim", "--scenario", "baseline", "--scenario", "combined", "--seeds", "1")
      expect(result.status).toBe(2)
      expect(reasonOf(result.stderr)).toBe("faultline sim: --scenario given more than once; give it once")
      expect(result.stdout).toBe("")
    })

    it("still takes a repeatable option more than once", () => {
      const result = faultline("timeline", regression, "--node", "0", "--node", "1", "--no-legend")
      expect(result.status, result.stderr).toBe(0)
    })

    it("gives a counterexample that fails its Schema its reason in one line", () => {
      const directory = mkdtempSync(join(tmpdir(), "faultline-cli-"))
      try {
        const file = join(directory, "bad.json")
        writeFileSync(file, JSON.stringify({ scenario: "combined" }))
        const result = faultline("repro", file)
        expect(result.status).toBe(2)
        expect(result.stderr.trim()).toBe(`faultline repro: ${file} is not a valid counterexample: version: is missing`)
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    })

    it("refuses a counterexample whose step tag is an object the Schema cannot print, rather than crashing", () => {
      const directory = mkdtempSync(join(tmpdir(), "faultline-cli-"))
      try {
        const file = join(directory, "crafted.json")
        const counterexample = JSON.parse(readFileSync(regression, "utf8")) as {
          schedule: { steps: Array<Record<string, unknown>> }
        }
        // effect's union parser calls String() on a discriminator; this object makes String() throw (schemaIssue.ts).
        counterexample.schedule.steps[0] = { ...counterexample.schedule.steps[0], _tag: { toString: 1 } }
        writeFileSync(file, JSON.stringify(counterexample))
        const result = faultline("repro", file)
        expect(result.status).toBe(2)
        expect(result.stderr.trim()).toMatch(/^faultline repro: .* is not a valid counterexample: .*cannot be decoded/)
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    })

    it("check-history detects the format when --format is not given", () => {
      expect(faultline("check-history", join(porcupine, "kv", "c01-ok.txt")).status).toBe(0)
      expect(faultline("check-history", join(porcupine, "kv", "c01-bad.txt")).status).toBe(1)
      expect(faultline("check-history", join(porcupine, "jepsen", "etcd_000.log")).status).toBe(1)
      const unknown = faultline("check-history", regression)
      expect(unknown.status).toBe(2)
      expect(unknown.stderr).toContain("cannot tell the format")
      expect(reasonOf(faultline("check-history", regression, "--format", "jepsen-etcd", "--format", "x").stderr)).toBe(
        "faultline check-history: --format given more than once; give it once"
      )
    })

    it("ends quietly when the reader closes the pipe early (| head)", () => {
      const result = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" sim --all --seeds 2 --json | head -c 1`], {
        encoding: "utf8",
        timeout: 120_000
      })
      expect(result.status).toBe(0)
      expect(result.stderr).toBe("")
    })
  })
})
