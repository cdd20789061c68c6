import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { hasBackend } from "./lib/api";
import NoBackend from "./lib/components/NoBackend.svelte";
import { theme } from "./lib/themeState.svelte";

theme.init();

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
// In a plain browser (`npm run dev` without the desktop app) there is no backend to talk to: say so plainly.
mount(hasBackend() ? App : NoBackend, { target });
