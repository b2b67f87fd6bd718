import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` serves the app on :5173 and sends /api (HTTP and the realtime WebSocket) to the API.
// The Host header is kept (no changeOrigin): the API finds the workspace from it (acme.localhost:5173),
// and the WebSocket's same-origin check compares it with the page's origin.
const api = process.env.RAPPORT_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    allowedHosts: [".localhost"],
    proxy: {
      "/api": { target: api, ws: true, changeOrigin: false },
    },
  },
  build: {
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
});
