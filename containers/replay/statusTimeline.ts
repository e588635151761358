/**
 * Every reachable node's /status, polled in the background while a schedule is replayed, as the status samples a
 * scripted scenario's expectations read (src/schedule/scenarios/observation.ts). A sample keeps both ends of its
 * round trip in schedule milliseconds, so a window check can tell a reading taken inside a window from one that
 * straddles its edge. A crashed or frozen node is not asked (it would only time out): it has no samples then,
 * as a down replica has no steps in the simulator.
 */
import type { StatusSample } from "../../src/schedule/scenarios/index.ts"
import { fetchStatus } from "../fixture/nodeApi.ts"

const pollIntervalMs = 100
const statusTimeoutMs = 1_000

export interface StatusSource {
  reachableEndpoints(): ReadonlyArray<{ readonly id: number; readonly endpoint: string }>
}

export class StatusTimeline {
  private readonly collected: Array<StatusSample> = []
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false

  /** `scheduleMs` maps a performance.now() reading to the schedule's time. */
  constructor(
    private readonly source: StatusSource,
    private readonly scheduleMs: (wallMs: number) => number
  ) {}

  start(): void {
    this.stopped = false
    this.next()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
  }

  /** The samples so far, in the order their round trips began. */
  samples(): ReadonlyArray<StatusSample> {
    return [...this.collected].sort((left, right) => left.fromMs - right.fromMs || left.node - right.node)
  }

  /** One round now (also between the background rounds: around a step, where windows begin and end). */
  async sampleNow(): Promise<void> {
    const endpoints = this.source.reachableEndpoints()
    await Promise.all(
      endpoints.map(async ({ id, endpoint }) => {
        const sentAt = performance.now()
        try {
          const { status } = await fetchStatus(endpoint, statusTimeoutMs)
          this.collected.push({
            node: id,
            fromMs: this.scheduleMs(sentAt),
            toMs: this.scheduleMs(performance.now()),
            role: status.role,
            term: status.term,
            commitIndex: status.commitIndex,
            lastApplied: status.lastApplied
          })
        } catch {
          // No answer (the node is going down or being frozen): nothing observed.
        }
      })
    )
  }

  private next(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.sampleNow().finally(() => this.next())
    }, pollIntervalMs)
    this.timer.unref()
  }
}
