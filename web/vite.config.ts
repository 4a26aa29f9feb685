import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the console with hot reload and sends /api to a running gateway
// (GATEWAY_URL, default http://127.0.0.1:3000), so the browser sees one origin as in production.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': { target: gateway, changeOrigin: false } } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under assets/: the gateway serves them with a year-long immutable cache.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
  },
});
