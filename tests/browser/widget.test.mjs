// Real-browser test of the chat widget against a running gateway's demo page.
// Setup: apt-get install -y chromium; cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci
// Usage: node tests/browser/widget.test.mjs http://127.0.0.1:38211/
// Chromium comes from CHROMIUM_PATH (default /usr/bin/chromium). Exit code 0 = pass, 1 = fail.
// The gateway is seen only as a browser sees it: the demo page, its assets and /ws. Bot texts are
// never compared, only roles, order and counts, because the real bot words its replies freely.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE_URL = process.argv[2];
// With --streaming the gateway's engine streams its replies: the test also checks that they are
// shown while written and replaced by the stored message.
const EXPECT_STREAMING = process.argv.includes("--streaming");
// With --rep TEXT the script qualifies a lead, prints `SESSION <id>` and waits for a sales rep's
// message TEXT (sent from Slack by the harness) to arrive in the widget, shown as a person.
const REP_TEXT = process.argv.includes("--rep") ? process.argv[process.argv.indexOf("--rep") + 1] : null;
const SCREENSHOT_DIR = fileURLToPath(new URL("../../target/browser/", import.meta.url));
const REPLY_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1_000;

const VISITOR_MESSAGES = [
  "I'm Anna Nowak from Firma Sp. z o.o.",
  "anna.nowak@firma.pl, +48 601 234 567",
  "Could someone call me tomorrow morning?",
];

const problems = [];
let passed = 0;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
async function waitFor(what, probe, timeoutMs = REPLY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function step(name, body) {
  await body();
  passed += 1;
  console.log(`ok   ${name}`);
}

/** What the widget shows, read from its shadow root. */
function readWidget(page) {
  return page.evaluate(() => {
    const shadow = document.querySelector("leadgate-widget")?.shadowRoot;
    if (!shadow) return null;
    const launcher = shadow.querySelector("button[aria-expanded]");
    const dialog = shadow.querySelector('[role="dialog"]');
    const log = shadow.querySelector('[role="log"]');
    const roleOf = (bubble) => bubble.classList.contains("msg-bot") ? "bot"
      : bubble.classList.contains("msg-rep") ? "rep" : "visitor";
    const messages = [...(log?.querySelectorAll(".msg") ?? [])].map((bubble) => ({
      role: roleOf(bubble),
      author: bubble.querySelector(".author")?.textContent ?? null,
      speaker: bubble.querySelector(".sr-only")?.textContent ?? "",
      background: getComputedStyle(bubble).backgroundColor,
      text: bubble.querySelector(".text").textContent,
      seq: bubble.dataset.seq ? Number(bubble.dataset.seq) : null,
      settled: !bubble.matches(".is-pending, .is-streaming") && Boolean(bubble.dataset.id),
    }));
    const typing = shadow.querySelector(".typing");
    const notice = shadow.querySelector(".notice");
    const counter = shadow.querySelector(".counter");
    return {
      launcherLabel: launcher?.getAttribute("aria-label"),
      notice: notice && notice.checkVisibility() ? notice.textContent : null,
      counter: counter && counter.checkVisibility() ? counter.textContent : null,
      quickReplies: [...shadow.querySelectorAll(".quick-reply")].filter((b) => b.checkVisibility()).length,
      launcherFocused: document.activeElement?.shadowRoot === shadow && shadow.activeElement === launcher,
      inputFocused: document.activeElement?.shadowRoot === shadow && shadow.activeElement?.tagName === "TEXTAREA",
      expanded: launcher?.getAttribute("aria-expanded"),
      dialogOpen: Boolean(dialog && dialog.checkVisibility()),
      typing: Boolean(typing && typing.checkVisibility()),
      messages,
    };
  });
}

/** Messages that are stored (have a seq), in the order the page shows them. */
const storedMessages = (state) => state.messages.filter((m) => m.seq !== null && m.settled);

function assertNoDuplicates(state, when) {
  const seqs = state.messages.map((m) => m.seq);
  assert(new Set(seqs).size === seqs.length, `${when}: a seq is shown twice: ${seqs.join(",")}`);
  const sorted = [...seqs].sort((a, b) => a - b);
  assert(seqs.every((seq, i) => seq === sorted[i]), `${when}: messages are out of seq order: ${seqs.join(",")}`);
  const visitorTexts = state.messages.filter((m) => m.role === "visitor").map((m) => m.text);
  assert(new Set(visitorTexts).size === visitorTexts.length, `${when}: a visitor message is shown twice`);
}

/** One line per shown message, for failure messages. */
const describeLog = (state) => state.messages
  .map((m) => `\n  ${m.seq ?? "-"} ${m.role}${m.settled ? "" : " (pending)"}: ${m.text.slice(0, 60).replace(/\n/g, "⏎")}`).join("");

/** Waits until nothing is pending, typing or streaming, and the log has not changed for a while. */
async function waitForQuiet(page, what) {
  let previous = "";
  let quietSince = Date.now();
  let state = null;
  try {
    return await waitFor(what, async () => {
      state = await readWidget(page);
      const snapshot = JSON.stringify(state.messages);
      if (snapshot !== previous) {
        previous = snapshot;
        quietSince = Date.now();
        return null;
      }
      const settled = state.messages.every((m) => m.settled) && !state.typing;
      return settled && Date.now() - quietSince >= SETTLE_MS ? state : null;
    });
  } catch (error) {
    throw new Error(`${error.message}; the log shows:${state ? describeLog(state) : " nothing"}`);
  }
}

/** Types `text` into the focused widget input, sends it with Enter and waits for the bot's answer. */
async function sayAndAwaitReply(page, text) {
  const state = await readWidget(page);
  assert(state.inputFocused, "the message input does not have the focus");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await waitFor(`"${text}" to show at once`, async () =>
    (await readWidget(page)).messages.some((m) => m.role === "visitor" && m.text === text));
  await waitFor(`a bot reply to "${text}"`, async () => {
    const shown = storedMessages(await readWidget(page));
    const mine = shown.find((m) => m.role === "visitor" && m.text === text);
    return mine && shown.some((m) => m.role === "bot" && m.seq > mine.seq);
  });
  return waitForQuiet(page, `the conversation to settle after "${text}"`);
}

/** The conversation must read: greeting, then each visitor message followed by a bot reply. */
function assertConversationShape(state, visitorCount, when) {
  assertNoDuplicates(state, when);
  const shown = storedMessages(state);
  assert(shown.length === state.messages.length, `${when}: some messages are still pending`);
  assert(shown[0]?.role === "bot", `${when}: the conversation does not start with the bot's greeting`);
  const visitorTexts = shown.filter((m) => m.role === "visitor").map((m) => m.text);
  assert(
    JSON.stringify(visitorTexts) === JSON.stringify(VISITOR_MESSAGES.slice(0, visitorCount)),
    `${when}: visitor messages are ${JSON.stringify(visitorTexts)}`,
  );
  shown.forEach((m, i) => {
    if (m.role === "visitor") {
      assert(shown.slice(i + 1).some((later) => later.role === "bot"), `${when}: no bot reply after "${m.text}"`);
    }
  });
}

/** Records every websocket frame of the page, parsed, newest last. */
function recordFrames(page) {
  const frames = [];
  page.on("websocket", (socket) => {
    const record = (direction) => ({ payload }) => {
      try {
        frames.push({ direction, socket, frame: JSON.parse(payload) });
      } catch {
        frames.push({ direction, socket, frame: { type: "(not JSON)" } });
      }
    };
    socket.on("framesent", record("sent"));
    socket.on("framereceived", record("received"));
  });
  return frames;
}

function watchForProblems(page) {
  page.on("console", (message) => {
    if (message.type() === "error" || message.text().includes("Refused to")) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
}

async function run(browser) {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  watchForProblems(page);
  await page.exposeFunction("leadgateTestReportViolation", (text) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window.leadgateTestReportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
  const frames = recordFrames(page);
  // Whether a bot bubble was ever seen with text while still streaming.
  let sawStreaming = false;
  const streamWatch = setInterval(async () => {
    const state = await readWidget(page).catch(() => null);
    if (state?.messages.some((m) => m.role === "bot" && !m.settled && m.seq === null && m.text.length > 0)) {
      sawStreaming = true;
    }
  }, 20);

  await step("a. demo page loads under the gateway's Content-Security-Policy", async () => {
    // A query and a fragment that must not leave the page (the widget sends origin and path).
    const response = await page.goto(`${BASE_URL}?ref=p.brandt%40example.com#private`, { waitUntil: "load" });
    assert(response.ok(), `GET ${BASE_URL} answered ${response.status()}`);
    const csp = response.headers()["content-security-policy"] || "";
    assert(csp.includes("script-src 'self'"), `the demo page has no strict CSP header (got "${csp}")`);
    await page.locator("leadgate-widget button[aria-expanded]").waitFor({ state: "visible" });
  });

  await step("b. keyboard reaches the launcher and opens an accessible dialog", async () => {
    await waitFor("Tab to reach the launcher", async () => {
      await page.keyboard.press("Tab");
      return (await readWidget(page)).launcherFocused;
    }, 15_000);
    const launcher = page.locator("leadgate-widget button[aria-expanded]");
    assert(await launcher.getAttribute("aria-label"), "the launcher has no aria-label");
    assert((await readWidget(page)).expanded === "false", "the launcher says it is expanded before opening");
    const closedLabel = await launcher.getAttribute("aria-label");

    await page.keyboard.press("Enter");
    let state = await waitFor("the panel to open", async () => {
      const now = await readWidget(page);
      return now.dialogOpen && now;
    });
    assert(state.expanded === "true", "aria-expanded is not true on the open launcher");
    assert(state.launcherLabel && state.launcherLabel !== closedLabel,
      `the open launcher still says "${state.launcherLabel}" although it now closes the chat`);
    assert(state.inputFocused, "focus did not move to the message input when the panel opened");
    const dialog = page.locator('leadgate-widget [role="dialog"]');
    assert(await dialog.getAttribute("aria-label"), "the dialog has no aria-label");
    const log = page.locator('leadgate-widget [role="log"]');
    assert((await log.getAttribute("aria-live")) === "polite", 'the message list is not aria-live="polite"');

    await page.keyboard.press("Escape");
    state = await readWidget(page);
    assert(!state.dialogOpen && state.expanded === "false", "Escape did not close the panel");
    assert(state.launcherLabel === closedLabel, `the closed launcher says "${state.launcherLabel}"`);
    assert(state.launcherFocused, "Escape did not return the focus to the launcher");
    await page.keyboard.press("Enter");
    state = await readWidget(page);
    assert(state.dialogOpen && state.inputFocused, "Enter on the launcher did not reopen the panel");
  });

  await step("c. the bot greets, and answers the visitor's name and contact details", async () => {
    await waitFor("the bot's greeting", async () =>
      storedMessages(await readWidget(page)).some((m) => m.role === "bot"));
    const hello = frames.find((f) => f.direction === "sent" && f.frame.type === "hello");
    assert(hello, "no hello frame was sent");
    assert(hello.frame.page.url === new URL(BASE_URL).origin + new URL(BASE_URL).pathname,
      `the widget sent more than the page's origin and path: ${JSON.stringify(hello.frame.page)}`);
    const accept = page.locator("leadgate-widget .consent button.button-primary");
    if (await accept.isVisible()) {
      await accept.click();
      await accept.waitFor({ state: "hidden" });
      await page.locator("leadgate-widget textarea").focus();
    }
    await sayAndAwaitReply(page, VISITOR_MESSAGES[0]);
    const state = await sayAndAwaitReply(page, VISITOR_MESSAGES[1]);
    assertConversationShape(state, 2, "after two messages");
  });

  await step("d. a message sent while the connection drops is shown once after the resume", async () => {
    const socketsBefore = new Set(frames.map((f) => f.socket)).size;
    await page.evaluate(() => window.LeadgateWidget._debugSocket().close());
    const state = await sayAndAwaitReply(page, VISITOR_MESSAGES[2]);
    assertConversationShape(state, 3, "after the reconnect");
    const sockets = [...new Set(frames.map((f) => f.socket))];
    assert(sockets.length > socketsBefore, "the widget did not open a new websocket");
    const hello = frames.find((f) => f.socket === sockets.at(-1) && f.direction === "sent")?.frame;
    assert(hello?.type === "hello" && hello.session_id && hello.resume_token && hello.last_seq > 0,
      `the reconnect did not resume the session: ${JSON.stringify(hello)}`);
    const welcome = frames.find((f) => f.socket === sockets.at(-1) && f.frame.type === "welcome")?.frame;
    assert(welcome?.resumed === true, `the gateway did not resume the session: ${JSON.stringify(welcome)}`);
  });

  await step("e. after a reload the whole history is shown again, once, in order", async () => {
    const before = storedMessages(await readWidget(page));
    const expected = JSON.stringify(before.map(({ role, text, seq }) => ({ role, text, seq })));
    const socketsBefore = new Set(frames.map((f) => f.socket)).size;
    await page.reload({ waitUntil: "load" });
    const fromStorage = await waitFor("the widget to render its stored history", async () => {
      const state = await readWidget(page);
      return state?.messages.length ? state : null;
    }, 10_000);
    const shown = (state) => JSON.stringify(storedMessages(state).map(({ role, text, seq }) => ({ role, text, seq })));
    assert(shown(fromStorage) === expected, `history right after the reload differs:\n${shown(fromStorage)}\n${expected}`);
    assert(fromStorage.dialogOpen, "the panel did not stay open across the reload");

    await waitFor("the resume after the reload", async () => {
      const sockets = [...new Set(frames.map((f) => f.socket))];
      return sockets.length > socketsBefore &&
        frames.some((f) => f.socket === sockets.at(-1) && f.frame.type === "welcome");
    });
    const resumed = await waitForQuiet(page, "the conversation to settle after the resume");
    assertNoDuplicates(resumed, "after the reload");
    assert(shown(resumed) === expected, `history after the resume differs:\n${shown(resumed)}\n${expected}`);
  });

  if (EXPECT_STREAMING) {
    await step("streamed replies are shown while written and replaced by their stored message", async () => {
      clearInterval(streamWatch);
      const received = frames.filter((f) => f.direction === "received").map((f) => f.frame);
      const deltas = received.filter((f) => f.type === "delta");
      assert(deltas.length >= 3, `only ${deltas.length} streamed pieces arrived`);
      for (const id of new Set(deltas.map((d) => d.id))) {
        const streamed = deltas.filter((d) => d.id === id).map((d) => d.text).join("");
        const stored = received.find((f) => f.type === "message" && f.id === id);
        assert(stored, `streamed reply ${id} never got its stored message`);
        assert(stored.text === streamed, `stored "${stored.text}" differs from streamed "${streamed}"`);
      }
      assert(sawStreaming, "no reply was ever shown while it was being written");
      const state = await readWidget(page);
      assert(state.messages.every((m) => m.settled), "a streamed bubble was left behind");
    });
  }
  clearInterval(streamWatch);

  await step("an over-long message is kept in the input, with how much too long it is", async () => {
    const input = page.locator("leadgate-widget textarea");
    await input.fill("x".repeat(4096 + 37));
    let state = await readWidget(page);
    assert(state.counter && state.counter.includes("37"), `the counter does not say 37 too many: ${state.counter}`);
    const before = storedMessages(state).length;
    await input.press("Enter");
    state = await readWidget(page);
    assert(state.notice && state.notice.includes("37"), `the notice does not say by how much: ${state.notice}`);
    assert((await input.inputValue()).length === 4096 + 37, "the refused text was not kept in the input");
    await input.fill("");
    await input.press("Space");
    await input.press("Backspace");
    state = await readWidget(page);
    assert(state.counter === null, `the counter stays after the input was emptied: ${state.counter}`);
    assert(storedMessages(state).length === before, "an over-long message was sent");
  });

  await step("f. screenshot for humans", async () => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOT_DIR}widget.png` });
  });

  await step("g. on a 375×667 phone viewport the panel fills the screen", async () => {
    await page.setViewportSize({ width: 375, height: 667 });
    const box = await page.locator('leadgate-widget [role="dialog"]').boundingBox();
    assert(box, "the panel is not shown on the phone viewport");
    const fills = Math.abs(box.x) < 1 && Math.abs(box.y) < 1 && Math.abs(box.width - 375) < 1 && Math.abs(box.height - 667) < 1;
    assert(fills, `the panel is not full-screen: ${JSON.stringify(box)}`);
    const inputFontSize = await page.locator("leadgate-widget textarea").evaluate((input) => getComputedStyle(input).fontSize);
    assert(parseFloat(inputFontSize) >= 16, `the input font is ${inputFontSize}; iOS zooms below 16px`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}widget-mobile.png` });
  });

  await step("no console errors and no CSP violations", async () => {
    assert(problems.length === 0, `the page reported:\n  ${problems.join("\n  ")}`);
  });

  return page;
}

/** A lead qualifies; a sales rep answers from Slack; the widget shows them as a person. */
async function runRep(browser) {
  const context = await browser.newContext({ locale: "en-GB", viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  watchForProblems(page);
  await page.goto(BASE_URL, { waitUntil: "load" });
  await page.locator("leadgate-widget button[aria-expanded]").waitFor({ state: "visible" });
  await page.evaluate(() => window.LeadgateWidget.open());

  await step("the privacy policy is linked before anything is collected", async () => {
    const link = page.locator("leadgate-widget .privacy-line a");
    await link.waitFor({ state: "visible", timeout: REPLY_TIMEOUT_MS });
    assert((await link.getAttribute("href")).startsWith("https://"), "the privacy link has no https address");
  });

  await step("a quick reply chosen with the keyboard keeps the focus in the panel", async () => {
    await waitFor("the bot's greeting", async () =>
      storedMessages(await readWidget(page)).some((m) => m.role === "bot"));
    await sayAndAwaitReply(page, "Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.");
    await sayAndAwaitReply(page, "p.brandt@brandt-logistik.de");
    let state = await waitFor("suggested replies", async () => {
      const now = await readWidget(page);
      return now.quickReplies > 0 && now;
    }, 5_000).catch(() => null);
    assert(state, "the bot offered no suggested replies after the contact details");
    await page.locator("leadgate-widget .quick-reply").first().focus();
    await page.keyboard.press("Enter");
    state = await waitForQuiet(page, "the answer to the suggested reply");
    assert(state.inputFocused, "the focus left the panel after a suggested reply was chosen");
    await page.keyboard.press("Escape");
    state = await readWidget(page);
    assert(!state.dialogOpen, "Escape did not close the panel after a suggested reply");
    await page.keyboard.press("Enter");
    state = await readWidget(page);
    assert(state.dialogOpen && state.inputFocused, "the panel did not reopen from the launcher");
    await sayAndAwaitReply(page, "Our budget is 12.000 € and we want to start next week.");
  });

  const session = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("leadgate:") && k.endsWith(":session"));
    return key ? JSON.parse(localStorage.getItem(key)).id : null;
  });
  assert(session, "no session id in the page's storage");
  console.log(`SESSION ${session}`);

  await step("a rep's message from Slack arrives, shown by name and not as the assistant", async () => {
    const state = await waitFor("the rep's message", async () => {
      const now = await readWidget(page);
      return now.messages.some((m) => m.role === "rep" && m.text === REP_TEXT) && now;
    });
    const repMessage = state.messages.find((m) => m.role === "rep");
    const bot = state.messages.find((m) => m.role === "bot");
    assert(repMessage.author && repMessage.author.length > 1, "the rep's message does not show who wrote it");
    assert(repMessage.speaker.includes(repMessage.author), `screen readers hear "${repMessage.speaker}"`);
    assert(!repMessage.speaker.includes("Assistant"), "the rep is announced as the assistant");
    assert(repMessage.background !== bot.background, "the rep's bubble looks like the assistant's");
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rep.png` });
  });

  await step("a burst typed faster than the rate limit is stored in the order typed", async () => {
    const burst = ["one", "two", "three", "four"];
    for (const text of burst) {
      await page.keyboard.type(text);
      await page.keyboard.press("Enter");
    }
    const state = await waitFor("the burst to be stored", async () => {
      const now = await readWidget(page);
      const stored = storedMessages(now).filter((m) => burst.includes(m.text));
      return stored.length === burst.length && now.messages.every((m) => m.settled) && now;
    }, 90_000);
    assertNoDuplicates(state, "after the burst");
    const order = storedMessages(state).filter((m) => burst.includes(m.text)).map((m) => m.text);
    assert(JSON.stringify(order) === JSON.stringify(burst), `the burst was stored as ${order.join(", ")}`);
  });

  await step("no console errors and no CSP violations", async () => {
    assert(problems.length === 0, `the page reported:\n  ${problems.join("\n  ")}`);
  });
}

async function main() {
  if (!BASE_URL) {
    console.error("usage: node tests/browser/widget.test.mjs GATEWAY_BASE_URL");
    process.exit(1);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  let failed = 0;
  try {
    await (REP_TEXT ? runRep(browser) : run(browser));
  } catch (error) {
    failed = 1;
    console.error(`FAIL ${error.message}`);
    if (problems.length) console.error(`the page also reported:\n  ${problems.join("\n  ")}`);
    const page = browser.contexts()[0]?.pages()[0];
    if (page) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-failure.png` }).catch(() => {});
    }
  } finally {
    await browser.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
