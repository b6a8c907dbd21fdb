// graphiql.mjs: Debian's Chromium, driven by playwright-core, opens
// casegraph's GraphiQL page, pastes a bearer token into the Headers editor,
// runs a query with the page's Run button and checks the answer shown in
// the result pane. Usage: node graphiql.mjs BASE_URL TOKEN SCREENSHOT
import { chromium } from "playwright-core";

const [base, token, screenshot] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: node graphiql.mjs BASE_URL TOKEN [SCREENSHOT]");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const query = "{ cases(first: 1) { totalCount edges { node { caseNo } } } }";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
let failed = null;
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // GraphiQL fetches the schema as soon as it loads, before a token is in
  // the Headers editor: that request's 401 is expected.
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
  });

  const res = await page.goto(`${base}/graphiql`, { waitUntil: "load" });
  if (!res || res.status() !== 200) throw new Error(`GET /graphiql answered ${res && res.status()}`);
  await page.waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 20000 });

  // The Headers tab is open (defaultEditorToolsVisibility); its editor holds
  // the placeholder. Replace it with the token and the query, as a user
  // pasting both would.
  await page.getByRole("button", { name: "Headers" }).click();
  const headers = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
  await page.waitForSelector(headers, { timeout: 20000 });
  await page.evaluate(([q, h, sel]) => {
    document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(q);
    document.querySelector(sel).CodeMirror.setValue(h);
  }, [query, JSON.stringify({ Authorization: `Bearer ${token}` }), headers]);

  await page.click(".graphiql-execute-button");
  const answer = await page.waitForFunction(() => {
    const cm = document.querySelector(".result-window .CodeMirror");
    const text = cm && cm.CodeMirror.getValue();
    return text && text.trim().startsWith("{") ? text : null;
  }, null, { timeout: 20000 });
  const text = await answer.jsonValue();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

  const body = JSON.parse(text);
  const total = body?.data?.cases?.totalCount;
  const caseNo = body?.data?.cases?.edges?.[0]?.node?.caseNo;
  if (body.errors || !(total > 0) || !caseNo) {
    throw new Error(`the result pane shows no cases: ${text}`);
  }
  if (problems.length) throw new Error(problems.join("\n"));
  console.log(`graphiql: ran the query with a token; the result pane shows totalCount ${total}, first case ${caseNo}`);
} catch (e) {
  failed = e;
} finally {
  await browser.close();
}
if (failed) {
  console.error(`graphiql: FAILED: ${failed.message}`);
  process.exit(1);
}
