// The API key of this browser session (sessionStorage: gone when the tab closes) and the route (the URL path).
import { useSyncExternalStore } from 'react';
import { createApi, type Api } from './api/client.js';

const KEY = 'confluo.apiKey';

export const savedKey = () => sessionStorage.getItem(KEY);
export const saveKey = (k: string) => sessionStorage.setItem(KEY, k);
export const forgetKey = () => sessionStorage.removeItem(KEY);

let api: Api | null = null;
export function apiFor(key: string): Api {
  api = createApi(key);
  return api;
}

const listeners = new Set<() => void>();
export function navigate(path: string) {
  history.pushState(null, '', path);
  listeners.forEach((l) => l());
}
window.addEventListener('popstate', () => listeners.forEach((l) => l()));
export function usePath(): string {
  return useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => location.pathname,
  );
}
