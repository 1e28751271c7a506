// Kubernetes' remotecommand WebSocket protocol (k8s.io/apimachinery httpstream/wsstream and
// client-go tools/remotecommand): the subprotocols pods/exec speaks and the channel byte that starts
// every binary message. The simulator serves it and meshsync's exec client speaks it, so both read
// the numbers from here.

/** What kube-apiserver ≥1.30 serves itself; adds the close channel. */
export const EXEC_PROTOCOL_V5 = "v5.channel.k8s.io";
/** What it proxies to the kubelet; cannot say that stdin has ended. */
export const EXEC_PROTOCOL_V4 = "v4.channel.k8s.io";
export type ExecProtocol = typeof EXEC_PROTOCOL_V5 | typeof EXEC_PROTOCOL_V4;

export const ExecChannel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** The final metav1.Status: Success, or Failure with the exit code in its details. */
  error: 3,
  /** Terminal size as JSON {"Width","Height"}. */
  resize: 4,
  /** v5 only: the payload names a channel its sender has closed. */
  close: 255,
} as const;
