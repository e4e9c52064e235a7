// The connection: none is needed for Open-Meteo's free API. A commercial key, or a self-hosted Open-Meteo (or a test
// fake) at another base URL, is set on a connection.
import { Type, defineProvider, type Static } from 'confluo/sdk';

export const DEFAULT_API_BASE_URL = 'https://api.open-meteo.com';

/** Open-Meteo: its public hosts; a self-hosted instance or a test fake needs the operator's CONFLUO_HTTP_ALLOWLIST. */
export const openMeteo = defineProvider({
  name: 'Open-Meteo API',
  hosts: ['api.open-meteo.com', 'customer-api.open-meteo.com'],
  defaultBaseUrl: DEFAULT_API_BASE_URL,
});

export const weatherAuth = Type.Object(
  {
    apiKey: Type.Optional(
      Type.String({
        minLength: 1,
        title: 'API key',
        description: 'Commercial plans only (sent as `apikey`).',
        'x-ui': { secret: true },
      }),
    ),
    apiBaseUrl: Type.Optional(
      openMeteo.baseUrlField({
        description: 'e.g. https://customer-api.open-meteo.com for commercial plans, or your own Open-Meteo.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WeatherAuth = Static<typeof weatherAuth>;
