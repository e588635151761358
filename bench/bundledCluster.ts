/**
 * A 3-node loopback cluster for the node benchmarks, running the server bundled once into its data directory: a
 * restart under tsx would compile the sources again and take seconds on a busy machine.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { bundleServer } from "../containers/image/buildImage.ts"
import { freePorts, LocalCluster } from "../src/node/localCluster.ts"

export interface BundledCluster {
  readonly cluster: LocalCluster
  readonly dataDirectory: string
}

/** Not started: the caller starts it (startAll) and stops it. */
export const bundledCluster = async (name: string, extraArgs?: ReadonlyArray<string>): Promise<BundledCluster> => {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), `faultline-${name}-`))
  const serverBundle = path.join(dataDirectory, "server.cjs")
  fs.writeFileSync(serverBundle, await bundleServer())
  const ports = await freePorts(6)
  const cluster = new LocalCluster({
    nodes: 3,
    httpPorts: ports.slice(0, 3),
    peerPorts: ports.slice(3),
    dataDirectory,
    ...(extraArgs === undefined ? {} : { extraArgs: [...extraArgs] }),
    serveCommand: [serverBundle]
  })
  return { cluster, dataDirectory }
}
