// The connection: none is needed for Open-Meteo's free API. A commercial key, or a self-hosted Open-Meteo (or a test
// fake) at another base URL, is set on a connection.
import { Type, type Static } from 'confluo/sdk';

export const DEFAULT_API_BASE_URL = 'https://api.open-meteo.com';

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
      Type.String({
        format: 'uri',
        default: DEFAULT_API_BASE_URL,
        title: 'API base URL',
        description: 'e.g. https://customer-api.open-meteo.com for commercial plans, or your own Open-Meteo.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WeatherAuth = Static<typeof weatherAuth>;
