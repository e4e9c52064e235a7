import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to editor/dist, which the server serves at / (same origin as the API). `vite dev` proxies the API to a local
// `npm start` on :3000.
export default defineConfig(({ command }) => {
  // A build is always a production build, whatever NODE_ENV the caller has: run from vitest (NODE_ENV=test, the e2e
  // harness builds a missing dist) Vite would bundle React's development build, a third larger and twice as slow to
  // render a 1,000-node flow.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    root: import.meta.dirname,
    plugins: [react()],
    build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
    server: { proxy: { '/api': 'http://127.0.0.1:3000', '/hooks': 'http://127.0.0.1:3000' } },
  };
});
