// `weather.current`: the weather now at a latitude/longitude.
import type { ActionContext, ActionDefinition } from 'confluo/sdk';
import type { WeatherAuth } from '../auth.js';
import { currentUrl, fetchCurrent, type CurrentQuery } from '../client.js';

export interface CurrentWeather {
  latitude: number;
  longitude: number;
  /** When the values were measured/modelled (ISO 8601, UTC). */
  time: string;
  temperature: number;
  /** `°C` or `°F`, as Open-Meteo reports it. */
  temperatureUnit: string;
  relativeHumidity: number;
  windSpeedKmh: number;
  /** WMO weather interpretation code (0 clear sky, 61 rain, ...). */
  weatherCode: number;
}

export const currentAction: ActionDefinition<CurrentQuery, CurrentWeather> = {
  id: 'current',
  name: 'Current weather',
  description: 'The weather now at a place, from Open-Meteo.',
  input: {
    type: 'object',
    properties: {
      latitude: { type: 'number', minimum: -90, maximum: 90, title: 'Latitude' },
      longitude: { type: 'number', minimum: -180, maximum: 180, title: 'Longitude' },
      temperatureUnit: {
        type: 'string',
        enum: ['celsius', 'fahrenheit'],
        default: 'celsius',
        title: 'Temperature unit',
      },
    },
    required: ['latitude', 'longitude'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      latitude: { type: 'number' },
      longitude: { type: 'number' },
      time: { type: 'string', format: 'date-time' },
      temperature: { type: 'number' },
      temperatureUnit: { type: 'string' },
      relativeHumidity: { type: 'number' },
      windSpeedKmh: { type: 'number' },
      weatherCode: { type: 'integer' },
    },
    required: [
      'latitude',
      'longitude',
      'time',
      'temperature',
      'temperatureUnit',
      'relativeHumidity',
      'windSpeedKmh',
      'weatherCode',
    ],
  },
  async run(ctx: ActionContext, input) {
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
};
