import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to editor/dist, which the server serves at / (same origin as the API). `vite dev` proxies the API to a local
// `npm start` on :3000.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/hooks': 'http://127.0.0.1:3000' } },
});
