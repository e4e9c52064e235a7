// The connection: none is needed for Open-Meteo's free API. A commercial key, or a self-hosted Open-Meteo (or a test
// fake) at another base URL, is set on a connection.
import type { JsonSchema } from 'confluo/sdk';

export const DEFAULT_API_BASE_URL = 'https://api.open-meteo.com';

export interface WeatherAuth {
  apiKey?: string;
  apiBaseUrl?: string;
}

export const weatherAuth: JsonSchema = {
  type: 'object',
  properties: {
    apiKey: {
      type: 'string',
      minLength: 1,
      title: 'API key',
      description: 'Commercial plans only (sent as `apikey`).',
      'x-ui': { secret: true },
    },
    apiBaseUrl: {
      type: 'string',
      format: 'uri',
      default: DEFAULT_API_BASE_URL,
      title: 'API base URL',
      description: 'e.g. https://customer-api.open-meteo.com for commercial plans, or your own Open-Meteo.',
    },
  },
  additionalProperties: false,
};
