/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import standaloneCode from "ajv/dist/standalone";

/**
 * `virtual:registration-validate`: the registration schema's Ajv validator, generated as code when the bundle is
 * built. Ajv's `compile` makes its code with `new Function`, which the window's CSP (script-src 'self') refuses.
 */
function registrationValidator() {
  const id = "virtual:registration-validate";
  return {
    name: "registration-validator",
    resolveId: (source: string) => (source === id ? `\0${id}` : null),
    load(loaded: string) {
      if (loaded !== `\0${id}`) return null;
      const { $schema: _draft, ...schema } = JSON.parse(readFileSync(new URL("./src/lib/registration.schema.json", import.meta.url), "utf8"));
      const ajv = new Ajv2020({ code: { source: true, esm: true }, allErrors: true, strict: false });
      // The one runtime helper the code asks for (minLength counts code points), without a CommonJS require.
      return standaloneCode(ajv, ajv.compile(schema)).replaceAll('require("ajv/dist/runtime/ucs2length")', "{ default: (s) => [...s].length }");
    },
  };
}

// Tauri serves ui/dist from tauri://localhost (https://tauri.localhost on Windows),
// so every asset URL must be relative; in development it loads http://localhost:5173.
export default defineConfig({
  base: "./",
  plugins: [svelte(), registrationValidator()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebView2 (Chromium) on Windows, WebKit on macOS and Linux.
    target: ["es2022", "chrome105", "safari15"],
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
