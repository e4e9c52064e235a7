// A Confluo connector plugin: load it with CONFLUO_PLUGINS=<this folder> (or its package name once installed).
import { defineConnector } from 'confluo/sdk';
import { currentAction } from './actions/current.js';
import { weatherAuth } from './auth.js';

export const weatherConnector = defineConnector({
  id: 'weather',
  name: 'Weather',
  version: '0.1.0',
  description: 'Current weather for any place, from Open-Meteo.',
  auth: weatherAuth,
  actions: [currentAction],
});

export default weatherConnector;
