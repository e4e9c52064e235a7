// `weather.current`: the weather now at a latitude/longitude.
import { Type, defineAction, type Static } from 'confluo/sdk';
import type { WeatherAuth } from '../auth.js';
import { currentUrl, fetchCurrent } from '../client.js';

export const currentInput = Type.Object(
  {
    latitude: Type.Number({ minimum: -90, maximum: 90, title: 'Latitude' }),
    longitude: Type.Number({ minimum: -180, maximum: 180, title: 'Longitude' }),
    temperatureUnit: Type.Optional(
      Type.Enum(['celsius', 'fahrenheit'], { type: 'string', default: 'celsius', title: 'Temperature unit' }),
    ),
  },
  { additionalProperties: false },
);

export const currentOutput = Type.Object({
  latitude: Type.Number(),
  longitude: Type.Number(),
  /** When the values were measured/modelled (ISO 8601, UTC). */
  time: Type.String({ format: 'date-time' }),
  temperature: Type.Number(),
  /** `°C` or `°F`, as Open-Meteo reports it. */
  temperatureUnit: Type.String(),
  relativeHumidity: Type.Number(),
  windSpeedKmh: Type.Number(),
  /** WMO weather interpretation code (0 clear sky, 61 rain, ...). */
  weatherCode: Type.Integer(),
});
export type CurrentWeather = Static<typeof currentOutput>;

export const currentAction = defineAction({
  id: 'current',
  name: 'Current weather',
  description: 'The weather now at a place, from Open-Meteo.',
  input: currentInput,
  output: currentOutput,
  async run(ctx, input) {
    const res = await fetchCurrent(currentUrl(ctx.auth as WeatherAuth | undefined, input), ctx.signal);
    const c = res.current;
    return {
      latitude: res.latitude,
      longitude: res.longitude,
      time: new Date(c.time * 1000).toISOString(),
      temperature: c.temperature_2m,
      temperatureUnit: res.current_units.temperature_2m ?? (input.temperatureUnit === 'fahrenheit' ? '°F' : '°C'),
      relativeHumidity: c.relative_humidity_2m,
      windSpeedKmh: c.wind_speed_10m,
      weatherCode: c.weather_code,
    };
  },
});
