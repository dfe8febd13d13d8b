import { defineConfig } from "vite";

// Built into dist/ and served by the API under /console/ (api/console.py). `npm run dev` serves
// it on its own and sends /graphql to a running API (make run).
export default defineConfig({
  base: "/console/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // One script and one style sheet, no inline code: the Content-Security-Policy allows 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/graphql": "http://127.0.0.1:8000", "/console/dev": "http://127.0.0.1:8000" },
  },
});
