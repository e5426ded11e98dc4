// Builds the console into dist/: one bundled, minified script (our sources and
// cytoscape.js), the stylesheet and the page. Nothing is fetched at run time: the hub
// serves dist/ at /console as it is. `npm run build` (or `make console`) runs it.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";

const dist = new URL("./dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  outfile: "dist/console.js",
  legalComments: "linked", // cytoscape's licence, kept beside the bundle
  logLevel: "warning",
});
for (const name of ["index.html", "console.css"]) {
  await copyFile(new URL(`./src/${name}`, import.meta.url), new URL(name, dist));
}
