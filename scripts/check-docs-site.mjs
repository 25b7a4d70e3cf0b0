// Checks the built documentation site (`npm run docs` → docs/api), offline:
// 1. every link and anchor inside the site resolves (linkinator, fragments checked; links
//    that leave the site are not followed: there is no internet here);
// 2. every page renders in a real browser, Debian's headless Chromium driven by
//    puppeteer-core: its main content is not empty, the navigation is built (and lists
//    every document and package), and the page logs no console error, throws nothing and
//    loads nothing that is missing.
// Usage: node scripts/check-docs-site.mjs [SITE_DIR]. Exit 1 and one line per problem.
import { readFile, readdir } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, relative, resolve } from "node:path";
import { LinkChecker } from "linkinator";
import puppeteer from "puppeteer-core";

const site = resolve(process.argv[2] ?? "docs/api");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const problems = [];

async function htmlFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await htmlFiles(path)));
    else if (entry.name.endsWith(".html")) out.push(path);
  }
  return out.sort();
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json" };

/** Serves the site over HTTP on loopback, as a web server would (file: URLs block TypeDoc's SVG sprite). */
async function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(join(site, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    const file = path.endsWith("/") ? join(path, "index.html") : path;
    const body = path.startsWith(site) ? await readFile(file).catch(() => undefined) : undefined;
    res.writeHead(body === undefined ? 404 : 200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(body ?? "not found");
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

async function checkLinks(origin) {
  const result = await new LinkChecker().check({
    // Linkinator follows the links under the URL it starts from: the site's root.
    path: `${origin}/`,
    recurse: true,
    checkFragments: true,
    concurrency: 20,
    // Links that leave the site are not followed: there is no internet here.
    linksToSkip: async (link) => new URL(link).origin !== origin,
  });
  const broken = new Map(result.links.filter((l) => l.state === "BROKEN").map((l) => [l.url, l.parent]));
  for (const [url, parent] of broken) problems.push(`broken link: ${url.replace(origin, "")} (in ${parent?.replace(origin, "") ?? "?"})`);
  return result.links.filter((l) => l.state !== "SKIPPED").length;
}

/** Opens each page in Chromium, one after the other: with three tabs at once, here, the pages of the tabs in the background never finished loading. */
async function checkPages(origin, pages) {
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    let errors = [];
    // The browser asks for /favicon.ico by itself; TypeDoc's pages name none.
    const favicon = (url) => url.endsWith("/favicon.ico");
    page.on("console", (m) => {
      if (m.type() === "error" && !favicon(m.location().url ?? "")) errors.push(`console error: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`failed to load ${r.url().replace(origin, "")}`));
    page.on("response", (r) => {
      if (r.status() >= 400 && !favicon(r.url())) errors.push(`${r.status()} for ${r.url().replace(origin, "")}`);
    });
    for (const file of pages) {
      errors = [];
      const name = relative(site, file);
      await page.goto(`${origin}/${name}`, { waitUntil: "load" });
      // TypeDoc builds the navigation from its data after load: wait for its first link.
      const built = await page.waitForSelector(".tsd-navigation a", { timeout: 10_000 }).then(() => true, () => false);
      const text = await page.$eval(".col-content", (el) => el.textContent?.trim().length ?? 0).catch(() => 0);
      if (text === 0) problems.push(`${name}: no main content`);
      if (!built) problems.push(`${name}: the navigation was not built`);
      for (const e of new Set(errors)) problems.push(`${name}: ${e}`);
      if (name === "index.html") await checkNavigation(page, pages);
    }
  } finally {
    await browser.close();
  }
}

/** One navigation: the front page's lists every document (docs/*.md, docs/guides/*.md) and every package. */
async function checkNavigation(page, pages) {
  const listed = new Set(await page.$$eval(".tsd-navigation a", (links) => links.map((a) => new URL(a.href).pathname.slice(1))));
  for (const file of pages.map((p) => relative(site, p)).filter((p) => /^(documents|modules)\/[^/]+\.html$/.test(p))) {
    if (!listed.has(file)) problems.push(`index.html: the navigation does not list ${file}`);
  }
}

const pages = await htmlFiles(site);
if (pages.length === 0) {
  console.error(`check-docs-site: no pages in ${site}: run npm run docs first`);
  process.exit(1);
}
const server = await serve();
let links;
try {
  links = await checkLinks(server.origin);
  await checkPages(server.origin, pages);
} finally {
  await server.close();
}
for (const p of problems) console.error(`check-docs-site: ${p}`);
console.log(`check-docs-site: ${pages.length} pages rendered in Chromium, ${links} links inside the site checked: ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
