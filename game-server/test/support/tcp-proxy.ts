import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 port 0 in front of one local port, with switches that act like a
 * network failure: cut every open connection, and refuse new ones until restored.
 */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection, on both sides. */
  cut(): void;
  /** Cuts, and refuses new connections until `restore`. */
  down(): void;
  /**
   * Silently drops what the server sends from now on, on open connections, while the
   * connections stay up: what the server writes then is lost, as on a network that died.
   */
  mute(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  let muted = false;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server = net.createServer((downstream) => {
    track(downstream);
    if (refusing) {
      downstream.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(upstream);
    downstream.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!muted) downstream.write(chunk);
    });
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    down() {
      refusing = true;
      cut();
    },
    mute() {
      muted = true;
    },
    restore() {
      refusing = false;
      muted = false;
    },
    async close() {
      refusing = true;
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
