/** Where the client finds the backend. */
export interface Endpoints {
  /** The gateway, the single public REST entry, e.g. http://127.0.0.1:8080. */
  gatewayUrl: string;
  /** The game server's WebSocket endpoint, e.g. ws://127.0.0.1:2567. */
  gameServerUrl: string;
}

/** Path the static server answers with the endpoints of the deployment it serves. */
export const ENDPOINTS_PATH = '/truerun-endpoints.json';

let loaded: Promise<Endpoints> | null = null;

/**
 * The endpoints of this deployment: what the static server announces at `ENDPOINTS_PATH`,
 * or the build's defaults when it announces nothing. Read once per page load.
 */
export function loadEndpoints(defaults: Endpoints): Promise<Endpoints> {
  loaded ??= fetch(ENDPOINTS_PATH, { cache: 'no-store' })
    .then(async (response) => {
      if (!response.ok) return defaults;
      const body = (await response.json()) as Partial<Endpoints>;
      return {
        gatewayUrl: typeof body.gatewayUrl === 'string' ? body.gatewayUrl : defaults.gatewayUrl,
        gameServerUrl:
          typeof body.gameServerUrl === 'string' ? body.gameServerUrl : defaults.gameServerUrl,
      };
    })
    .catch(() => defaults);
  return loaded;
}
