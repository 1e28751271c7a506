// The real simulator in this process, reached the way meshsync reaches a cluster: a ClusterConnection
// made from the kubeconfig the simulator hands out. For the tests of clients that talk to pods.
import { KubeConfig } from "@kubernetes/client-node";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "@meshsync/sim";
import { type ClusterConnection, connectCluster } from "../../src/kube/connect.js";

export async function connectedSimulator(
  options: SimulatorOptions,
): Promise<{ sim: RunningSimulator; connection: ClusterConnection }> {
  const sim = await startSimulator(options);
  const config = new KubeConfig();
  config.loadFromString(sim.kubeconfig());
  return { sim, connection: await connectCluster(config, config.getCurrentContext()) };
}
