// Open-Meteo's forecast endpoint, the one HTTP call of this connector, made through the SDK's provider (`openMeteo`):
// the guard checks the base URL and the address, and transport failures come back as ConnectorErrors. Answers become
// ConnectorErrors so Confluo knows whether a retry can help (5xx and 429 yes, other 4xx no).
import { ConnectorError, errorFromHttpStatus, providerText } from 'confluo/sdk';
import { openMeteo, type WeatherAuth } from './auth.js';

/** The `current` variables requested, in Open-Meteo's names. */
export const CURRENT_VARIABLES = ['temperature_2m', 'relative_humidity_2m', 'wind_speed_10m', 'weather_code'] as const;

export interface CurrentQuery {
  latitude: number;
  longitude: number;
  temperatureUnit?: 'celsius' | 'fahrenheit';
}

export interface CurrentResponse {
  latitude: number;
  longitude: number;
  current: { time: number } & Record<(typeof CURRENT_VARIABLES)[number], number>;
  current_units: Record<string, string>;
}

export function currentUrl(auth: WeatherAuth | undefined, q: CurrentQuery): URL {
  const base = openMeteo.baseUrl(auth?.apiBaseUrl || undefined);
  const url = new URL(`${base}/v1/forecast`);
  url.searchParams.set('latitude', String(q.latitude));
  url.searchParams.set('longitude', String(q.longitude));
  url.searchParams.set('current', CURRENT_VARIABLES.join(','));
  // Unix time: an unambiguous instant whatever the location's time zone.
  url.searchParams.set('timeformat', 'unixtime');
  if (q.temperatureUnit) url.searchParams.set('temperature_unit', q.temperatureUnit);
  if (auth?.apiKey) url.searchParams.set('apikey', auth.apiKey);
  return url;
}

export async function fetchCurrent(url: URL, signal: AbortSignal): Promise<CurrentResponse> {
  // keepCause false: the URL may carry the API key, and fetch's errors quote it.
  const { status, text, retryAfter } = await openMeteo.call({
    label: 'Open-Meteo forecast',
    url: url.toString(),
    init: { headers: { accept: 'application/json' } },
    signal,
    keepCause: false,
  });
  if (status < 200 || status > 299) {
    // Open-Meteo explains a refusal as { "error": true, "reason": "..." }; another body is never quoted.
    const reason = reasonOf(text);
    throw errorFromHttpStatus(status, {
      retryAfter,
      message: `Open-Meteo answered HTTP ${status}${reason ? `: ${providerText(reason)}` : ''}`,
    });
  }
  const body = parse(text);
  const current = body?.current as Record<string, unknown> | undefined;
  if (
    !body ||
    typeof current !== 'object' ||
    current === null ||
    typeof current.time !== 'number' ||
    !CURRENT_VARIABLES.every((v) => typeof current[v] === 'number')
  )
    throw new ConnectorError('upstream', 'Open-Meteo answered without the requested current weather', {
      retryable: false,
      code: 'BAD_RESPONSE',
    });
  return body as unknown as CurrentResponse;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function reasonOf(text: string): string | undefined {
  const reason = parse(text)?.reason;
  return typeof reason === 'string' && reason ? reason : undefined;
}
