import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { initBackend } from "./lib/api";
import { theme } from "./lib/themeState.svelte";

theme.init();

void initBackend().then((kind) => {
  const target = document.getElementById("app");
  if (!target) throw new Error("index.html has no #app element");
  mount(App, { target, props: { fakeBackend: kind === "fake" } });
});
