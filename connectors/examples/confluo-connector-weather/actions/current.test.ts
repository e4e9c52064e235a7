// Runs `weather.current` against a local fake of Open-Meteo's forecast endpoint (no network).
import { actionContext, startFakeServer, type FakeReply, type FakeServer } from 'confluo/testkit';
import { isConnectorError, type ActionContext, type ChannelsService } from 'confluo/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import weather from '../index.js';
import { currentAction } from './current.js';

const noChannels: ChannelsService = {
  send: async () => {
    throw new Error('weather sends no messages');
  },
  reply: async () => {
    throw new Error('weather sends no messages');
  },
};

const BERLIN = {
  latitude: 52.52,
  longitude: 13.419998,
  generationtime_ms: 0.03,
  utc_offset_seconds: 0,
  timezone: 'GMT',
  current_units: {
    time: 'unixtime',
    interval: 'seconds',
    temperature_2m: '°C',
    relative_humidity_2m: '%',
    wind_speed_10m: 'km/h',
    weather_code: 'wmo code',
  },
  current: {
    time: 1_718_200_800,
    interval: 900,
    temperature_2m: 21.4,
    relative_humidity_2m: 48,
    wind_speed_10m: 11.9,
    weather_code: 3,
  },
};

let fake: FakeServer;
let reply: FakeReply;
const ctx = (auth: Record<string, string>): ActionContext => actionContext({ channels: noChannels }, { auth });

beforeAll(async () => {
  fake = await startFakeServer((req, f) => {
    // What Open-Meteo documents for this call: GET /v1/forecast with coordinates and the variable list.
    if (req.method !== 'GET' || req.path !== '/v1/forecast') f.violate(req, 'only GET /v1/forecast exists here');
    for (const p of ['latitude', 'longitude', 'current']) if (!req.query.get(p)) f.violate(req, `missing ${p}`);
    return reply;
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  reply = { status: 200, body: BERLIN };
});

const auth = (extra: Record<string, string> = {}) => ({ apiBaseUrl: fake.url, ...extra });

describe('weather.current', () => {
  it('is in the connector manifest with its full id', () => {
    expect(weather.manifest.id).toBe('weather');
    expect(weather.manifest.actions.map((a) => a.id)).toEqual(['weather.current']);
  });

  it('asks Open-Meteo for the current variables and maps the answer', async () => {
    const out = await currentAction.run(ctx(auth()), { latitude: 52.52, longitude: 13.41 });
    expect(out).toEqual({
      latitude: 52.52,
      longitude: 13.419998,
      time: '2024-06-12T14:00:00.000Z',
      temperature: 21.4,
      temperatureUnit: '°C',
      relativeHumidity: 48,
      windSpeedKmh: 11.9,
      weatherCode: 3,
    });
    expect(fake.requests).toHaveLength(1);
    expect(Object.fromEntries(fake.requests[0]!.query)).toEqual({
      latitude: '52.52',
      longitude: '13.41',
      current: 'temperature_2m,relative_humidity_2m,wind_speed_10m,weather_code',
      timeformat: 'unixtime',
    });
    expect(fake.violations).toEqual([]);
  });

  it('sends the commercial key and the unit when given', async () => {
    await currentAction.run(ctx(auth({ apiKey: 'k-123' })), {
      latitude: 1,
      longitude: 2,
      temperatureUnit: 'fahrenheit',
    });
    expect(fake.requests[0]!.query.get('apikey')).toBe('k-123');
    expect(fake.requests[0]!.query.get('temperature_unit')).toBe('fahrenheit');
    expect(fake.violations).toEqual([]);
  });

  it("a refused request is a non-retryable validation error carrying Open-Meteo's reason", async () => {
    reply = { status: 400, body: { error: true, reason: 'Latitude must be in range of -90 to 90°. Given: 91.0.' } };
    const err = await currentAction.run(ctx(auth()), { latitude: 91, longitude: 0 }).catch((e: unknown) => e);
    expect(isConnectorError(err)).toBe(true);
    expect(err).toMatchObject({ kind: 'validation', retryable: false, code: 'HTTP_400' });
    expect((err as Error).message).toBe(
      'Open-Meteo answered HTTP 400: Latitude must be in range of -90 to 90°. Given: 91.0.',
    );
  });

  it('429 with Retry-After is rate_limited and says when to retry', async () => {
    reply = {
      status: 429,
      body: { error: true, reason: 'Daily API request limit exceeded.' },
      headers: { 'retry-after': '30' },
    };
    const err = await currentAction.run(ctx(auth()), { latitude: 1, longitude: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 30_000 });
  });

  it("5xx is retryable; a body not in Open-Meteo's error shape is never quoted", async () => {
    reply = { status: 503, body: 'upstream down' };
    const err = await currentAction.run(ctx(auth()), { latitude: 1, longitude: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'upstream', retryable: true, code: 'HTTP_503' });
    expect((err as Error).message).toBe('Open-Meteo answered HTTP 503');
  });

  it('an answer without current weather is not retried', async () => {
    reply = { status: 200, body: { latitude: 1, longitude: 2 } };
    const err = await currentAction.run(ctx(auth()), { latitude: 1, longitude: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'upstream', retryable: false, code: 'BAD_RESPONSE' });
  });

  it('an unreachable server is a retryable upstream error that does not leak the key', async () => {
    const closed = await startFakeServer(() => ({ status: 200 }));
    await closed.close();
    const err = await currentAction
      .run(ctx({ apiBaseUrl: closed.url, apiKey: 'secret-key' }), { latitude: 1, longitude: 2 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'upstream', retryable: true, code: 'ECONNREFUSED' });
    expect((err as Error).message).not.toContain('secret-key');
  });

  it('a base URL on another host is refused unless the operator allowed it (CONFLUO_HTTP_ALLOWLIST)', async () => {
    const err = await currentAction
      .run(ctx({ apiBaseUrl: 'https://weather.evil.example' }), { latitude: 1, longitude: 2 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'config', retryable: false, code: 'BASE_URL_NOT_ALLOWED' });
  });
});
