// Bundles every widget entry point js/src/<name>.js into ls_notebook/static/<name>.js (ES modules,
// as anywidget loads them). The output folder is build output and git-ignored.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const entryPoints = readdirSync(src)
  .filter((f) => f.endsWith(".js") && !f.startsWith("_"))
  .map((f) => join(src, f));

const options = {
  entryPoints,
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  outdir: join(here, "..", "ls_notebook", "static"),
  loader: { ".css": "text" },
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
