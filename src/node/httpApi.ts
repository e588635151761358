/**
 * The node's HTTP API (node:http): routing, status, health and the test-only admin endpoint. Every refusal is a
 * JSON body `{ "error": reason }` with a 4xx status, sent before anything reaches the replica.
 */
import { timingSafeEqual } from "node:crypto"
import * as http from "node:http"
import { ConnectionQueue } from "./connectionQueue.ts"
import { FaultSettings } from "./faults.ts"
import { decodeJsonBody, HttpRefusal, readBodyText, sendJson } from "./httpBody.ts"
import { handleKv, type KvAction, type KvContext } from "./kvRoutes.ts"
import { handleLedger, type LedgerAction } from "./ledgerRoutes.ts"

export interface ApiContext extends KvContext {
  readonly status: () => Record<string, unknown>
  readonly health: () => { readonly serving: boolean; readonly reason: string }
  /** Present only when the node was started with --fault-injection and an admin token. */
  readonly admin:
    | {
        readonly token: string
        readonly current: () => FaultSettings
        readonly apply: (settings: FaultSettings) => void
      }
    | undefined
}

const maxAdminBodyBytes = 64 * 1024

type Route =
  | { readonly _tag: "Kv"; readonly action: KvAction; readonly key: string }
  | { readonly _tag: "Ledger"; readonly action: LedgerAction }
  | { readonly _tag: "Status" | "Health" | "AdminFaults" }

/** Resolves a path and method to a route, or refuses with 404 (no such path) or 405 (wrong method). */
const routeOf = (method: string, pathname: string, adminEnabled: boolean): Route => {
  const simple: Record<string, { methods: ReadonlyArray<string>; route: Route }> = {
    "/status": { methods: ["GET"], route: { _tag: "Status" } },
    "/health": { methods: ["GET"], route: { _tag: "Health" } },
    ...(adminEnabled ? { "/admin/faults": { methods: ["GET", "POST"], route: { _tag: "AdminFaults" } } } : {})
  }
  const known = simple[pathname]
  if (known !== undefined) return allow(method, known.methods, known.route)
  if (pathname === "/transfers") return allow(method, ["POST"], { _tag: "Ledger", action: { _tag: "Transfer" } })
  const account = /^\/accounts\/([^/]+)(?:\/(deposit|withdraw))?$/.exec(pathname)
  if (account !== null) return ledgerRouteOf(method, decodePathSegment(account[1] ?? ""), account[2])
  const match = /^\/kv\/([^/]+)(\/cas)?$/.exec(pathname)
  if (match === null) throw new HttpRefusal({ status: 404, reason: `no route ${pathname}` })
  const key = decodePathSegment(match[1] ?? "")
  if (match[2] !== undefined) return allow(method, ["POST"], { _tag: "Kv", action: "cas", key })
  const actions: Record<string, KvAction> = { GET: "get", PUT: "put", DELETE: "delete" }
  const action = actions[method]
  if (action === undefined) return allow(method, ["GET", "PUT", "DELETE"], { _tag: "Kv", action: "get", key })
  return { _tag: "Kv", action, key }
}

const ledgerRouteOf = (method: string, account: string, operation: string | undefined): Route => {
  if (operation === "deposit") return allow(method, ["POST"], { _tag: "Ledger", action: { _tag: "Deposit", account } })
  if (operation === "withdraw")
    return allow(method, ["POST"], { _tag: "Ledger", action: { _tag: "Withdraw", account } })
  if (method === "GET") return { _tag: "Ledger", action: { _tag: "Read", account } }
  return allow(method, ["GET", "POST"], { _tag: "Ledger", action: { _tag: "Create", account } })
}

const allow = (method: string, methods: ReadonlyArray<string>, route: Route): Route => {
  if (methods.includes(method)) return route
  throw new HttpRefusal({
    status: 405,
    reason: `${method} is not allowed here; use ${methods.join(" or ")}`,
    headers: { allow: methods.join(", ") }
  })
}

const decodePathSegment = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded)
  } catch {
    throw new HttpRefusal({ status: 400, reason: "the path segment (key or account) is not valid percent-encoding" })
  }
}

const handle = async (
  context: ApiContext,
  request: http.IncomingMessage,
  response: http.ServerResponse
): Promise<void> => {
  const pathname = (request.url ?? "/").split("?")[0] ?? "/"
  const route = routeOf(request.method ?? "GET", pathname, context.admin !== undefined)
  switch (route._tag) {
    case "Status":
      return sendJson(response, 200, context.status())
    case "Health": {
      const health = context.health()
      return sendJson(response, health.serving ? 200 : 503, {
        status: health.serving ? "serving" : "unavailable",
        reason: health.reason
      })
    }
    case "AdminFaults":
      return handleAdmin(context, request, response)
    case "Kv":
      return handleKv(context, route.action, route.key, request, response)
    case "Ledger":
      return handleLedger(context, route.action, request, response)
  }
}

const handleAdmin = async (
  context: ApiContext,
  request: http.IncomingMessage,
  response: http.ServerResponse
): Promise<void> => {
  const admin = context.admin
  if (admin === undefined) throw new HttpRefusal({ status: 404, reason: "no route /admin/faults" })
  const presented = Buffer.from(request.headers.authorization ?? "")
  const expected = Buffer.from(`Bearer ${admin.token}`)
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new HttpRefusal({ status: 401, reason: "an admin token is required: Authorization: Bearer <token>" })
  }
  if (request.method === "GET") return sendJson(response, 200, admin.current())
  const settings = decodeJsonBody(await readBodyText(request, maxAdminBodyBytes), FaultSettings, "fault settings")
  admin.apply(settings)
  sendJson(response, 200, settings)
}

const handleOrRefuse = (
  context: ApiContext,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  log: (line: string) => void
): Promise<void> =>
  handle(context, request, response).catch((error: unknown) => {
    if (error instanceof HttpRefusal) {
      // An unread body would be parsed as the next request on a kept-alive connection: close after a refusal.
      const closing = request.complete ? {} : { connection: "close" }
      const body = error.body ?? { error: error.reason }
      return sendJson(response, error.status, body, { ...error.headers, ...closing })
    }
    log(`HTTP ${request.method} ${request.url} failed: ${String(error)}`)
    sendJson(response, 500, { error: "internal error" })
  })

/**
 * Every request while the node starts (the WAL being read, the replica rebuilt): 503 with the reason, /health in
 * its own shape, so that a restarted node answers at once instead of refusing connections.
 */
const refuseWhileStarting = (request: http.IncomingMessage, response: http.ServerResponse, reason: string): void => {
  const closing = request.complete ? {} : { connection: "close" }
  const body = request.url === "/health" ? { status: "unavailable", reason } : { error: reason }
  sendJson(response, 503, body, { "retry-after": "1", ...closing })
}

/**
 * The HTTP server; `queue` orders the requests pipelined on each connection (connectionQueue.ts). It listens before
 * the node has started: until `context()` gives one, every request gets 503 and `starting`'s reason.
 */
export const createApiServer = (
  context: () => ApiContext | undefined,
  log: (line: string) => void,
  queue: ConnectionQueue = new ConnectionQueue(),
  starting = "starting: reading the WAL and rebuilding the replica"
): http.Server =>
  http.createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 120_000, headersTimeout: 10_000 },
    (request, response) =>
      queue.run(request.socket, async () => {
        const started = context()
        if (started === undefined) return refuseWhileStarting(request, response, starting)
        return handleOrRefuse(started, request, response, log)
      })
  )
