// The chat page: streams answers from /v1/chat/stream, opens cited pages from /v1/pages (a PDF page as printed
// beside its text), rates answers (/v1/feedback), lists and uploads sources (/v1/sources), keeps the
// conversation per browser tab (sessionStorage) and an optional API key per browser (localStorage).
"use strict";

const SESSION_KEY = "rag.session";
const API_KEY = "rag.apiKey";

const $ = (id) => document.getElementById(id);
const transcript = $("transcript");
const form = $("ask-form");
const question = $("question");
const send = $("send");
const statusLine = $("status");
const pageDialog = $("page-dialog");
const keyDialog = $("key-dialog");

let busy = false;
let turnsInSession = 0;  // answers the server stored in this session: a rating names its turn
let pendingKey = null;  // resolves when the key dialog closes

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function announce(message) {
  statusLine.textContent = "";
  window.setTimeout(() => { statusLine.textContent = message; }, 30);
}

function sessionId() { return sessionStorage.getItem(SESSION_KEY); }
function headers(extra = {}) {
  const key = localStorage.getItem(API_KEY);
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    super(detail);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function errorFrom(response) {
  let detail = `The server answered ${response.status}.`;
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") detail = body.detail;
  } catch (_) { /* not JSON: keep the status line */ }
  return new ApiError(response.status, detail, response.headers.get("Retry-After"));
}

// Every API call goes through here: a 401 asks for the key once, then repeats the call.
async function api(path, options = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const response = await fetch(path, { ...options, headers: headers(options.headers || {}) });
    if (response.status !== 401) return response;
    const error = await errorFrom(response);
    const saved = await askForKey(error.message);
    if (!saved) throw error;
  }
  throw new ApiError(401, "The API key was not accepted.");
}

function askForKey(reason) {
  $("key-reason").textContent = `${reason} The key is kept in this browser only.`;
  $("api-key").value = localStorage.getItem(API_KEY) || "";
  $("key-button").hidden = false;
  if (!keyDialog.open) keyDialog.showModal();
  $("api-key").focus();
  return new Promise((resolve) => { pendingKey = resolve; });
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (key) localStorage.setItem(API_KEY, key); else localStorage.removeItem(API_KEY);
  keyDialog.close();
  if (pendingKey) { pendingKey(Boolean(key)); pendingKey = null; }
  announce(key ? "API key saved." : "API key removed.");
});
$("key-cancel").addEventListener("click", () => keyDialog.close());
keyDialog.addEventListener("close", () => { if (pendingKey) { pendingKey(false); pendingKey = null; } });
$("key-button").addEventListener("click", () => askForKey("Change the API key used by this page."));

// Server-sent events from a fetch body: yields {event, data} as they arrive.
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: data.join("\n") };
    }
  }
}

function hideEmptyState() { const empty = $("empty"); if (empty) empty.hidden = true; }

// The language of a message, so screen readers and fonts treat Chinese text as Chinese.
function langOf(text) { return /[\u3400-\u9fff]/.test(text) ? "zh" : "en"; }

function addQuestion(text) {
  hideEmptyState();
  const node = el("article", { class: "turn question-turn", "aria-label": "Question" },
    el("p", { class: "bubble", text, lang: langOf(text) }));
  transcript.append(node);
  node.scrollIntoView({ block: "end", behavior: "smooth" });
}

function addPendingAnswer() {
  const text = el("div", { class: "answer-text" });
  const typing = el("span", { class: "typing", "aria-label": "Answering" },
    el("span"), el("span"), el("span"));
  text.append(typing);
  const node = el("article", { class: "turn answer-turn pending", "aria-busy": "true", "aria-label": "Answer" },
    el("div", { class: "bubble" }, text));
  transcript.append(node);
  return node;
}

// Two quotes of one page (the English and the Chinese text of a bilingual page) are told apart by their language.
function citationLabel(citation, all = []) {
  const label = `p. ${citation.page_label}`;
  const same = all.filter((c) => c.page_label === citation.page_label && c.source === citation.source);
  if (same.length < 2 || new Set(same.map((c) => langOf(c.quote))).size < 2) return label;
  return `${label} · ${langOf(citation.quote) === "zh" ? "中文" : "English"}`;
}

function copyText(response) {
  const sources = response.citations.map((c) => `${citationLabel(c, response.citations)} (${c.source}): “${c.quote}”`);
  return [response.answer, ...(sources.length ? ["", "Sources:", ...sources] : [])].join("\n");
}

async function copyToClipboard(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    const area = el("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

// What the generative answerer's verification did (absent for quoted, extractive answers).
const VERIFICATION_NOTES = {
  verified: "Written by the language model; every figure checked against the cited quotes.",
  repaired: "Written by the language model; sentences the quotes do not support were removed.",
  replaced: "The language model's answer did not match the quotes; the quoted answer is shown instead.",
  fallback: "The language model could not be reached or did not answer in time; the quoted answer is shown instead.",
};

function feedbackButtons(response, turn) {
  const group = el("div", { class: "feedback", role: "group", "aria-label": "Rate this answer" });
  const note = el("span", { class: "feedback-note", "aria-live": "polite" });
  const buttons = [["up", "👍", "Helpful"], ["down", "👎", "Not helpful"]].map(([rating, icon, label]) =>
    el("button", { type: "button", class: "ghost small rate", "data-rating": rating, "aria-pressed": "false",
                   "aria-label": label, title: label },
      el("span", { class: "rate-icon", "aria-hidden": "true", text: icon }), document.createTextNode(` ${label}`)));
  for (const button of buttons) {
    button.addEventListener("click", async () => {
      try {
        const reply = await api("/v1/feedback", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ session_id: response.session_id, turn, rating: button.dataset.rating }),
        });
        if (!reply.ok) throw await errorFrom(reply);
        buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        note.textContent = "Thanks for the feedback.";
      } catch (error) {
        note.textContent = error.message;
      }
    });
  }
  group.append(...buttons, note);
  return group;
}

function renderAnswer(node, response, turn) {
  node.classList.remove("pending");
  node.removeAttribute("aria-busy");
  node.classList.toggle("abstained", response.abstained);
  node.dataset.abstained = String(response.abstained);
  const bubble = node.querySelector(".bubble");
  bubble.replaceChildren();
  if (response.abstained) {
    bubble.append(el("p", { class: "badge not-in-report", text: "Not in the report" }));
  }
  bubble.append(el("div", { class: "answer-text", text: response.answer, lang: langOf(response.answer) }));
  if (response.verification && VERIFICATION_NOTES[response.verification]) {
    bubble.append(el("p", { class: "verification", "data-verdict": response.verification,
                            text: VERIFICATION_NOTES[response.verification] }));
  }
  const actions = el("div", { class: "answer-actions" });
  if (response.citations.length) {
    const list = el("ul", { class: "citations", "aria-label": "Citations" });
    response.citations.forEach((citation, n) => {
      list.append(el("li", {},
        el("button", {
          type: "button", class: n === 0 ? "cite main" : "cite",
          "aria-label": `Open page ${citation.page_label} with the quote highlighted`,
          title: `“${citation.quote}”`,
          onclick: (event) => openPage(citation, event.currentTarget),
        }, document.createTextNode(citationLabel(citation, response.citations)))));
    });
    actions.append(list);
  }
  const copy = el("button", { type: "button", class: "ghost small copy", "aria-label": "Copy the answer" },
    document.createTextNode("Copy"));
  copy.addEventListener("click", async () => {
    const ok = await copyToClipboard(copyText(response));
    copy.textContent = ok ? "Copied" : "Copy failed";
    announce(ok ? "Answer copied." : "Could not copy the answer.");
    window.setTimeout(() => { copy.textContent = "Copy"; }, 1600);
  });
  actions.append(copy);
  if (response.session_id && turn) actions.append(feedbackButtons(response, turn));
  bubble.append(actions);
}

function renderError(node, error, retry) {
  node.classList.remove("pending");
  node.removeAttribute("aria-busy");
  node.classList.add("failed");
  const bubble = node.querySelector(".bubble");
  let message = error.message || "Something went wrong.";
  if (error.status === 429 && error.retryAfter) message = `Too many questions at once. Try again in ${error.retryAfter} s.`;
  if (error instanceof TypeError) message = "The server cannot be reached. Is it running?";
  bubble.replaceChildren(
    el("p", { class: "badge error-badge", text: error.status === 503 ? "Not available right now" : "Not answered" }),
    el("p", { class: "answer-text", text: message }),
    el("div", { class: "answer-actions" },
      el("button", { type: "button", class: "ghost small", onclick: () => { node.remove(); retry(); } },
        document.createTextNode("Try again"))));
}

async function ask(text) {
  if (busy) return;
  busy = true;
  send.disabled = true;
  addQuestion(text);
  const node = addPendingAnswer();
  node.scrollIntoView({ block: "end", behavior: "smooth" });
  try {
    const response = await api("/v1/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ message: text, session_id: sessionId() }),
    });
    if (!response.ok) throw await errorFrom(response);
    const live = node.querySelector(".answer-text");
    let streamed = "";
    let final = null;
    for await (const { event, data } of readEvents(response)) {
      if (event === "delta") {
        streamed += JSON.parse(data).text;
        live.textContent = streamed;
      } else if (event === "final") {
        final = JSON.parse(data);
      } else if (event === "error") {
        const failure = JSON.parse(data);
        throw new ApiError(failure.status, failure.detail);
      }
    }
    if (!final) throw new ApiError(0, "The answer was cut off. Try again.");
    if (final.session_id !== sessionId()) turnsInSession = 0;
    sessionStorage.setItem(SESSION_KEY, final.session_id);
    turnsInSession += 1;
    renderAnswer(node, final, turnsInSession);
    announce(final.abstained ? "The report does not answer this." : "Answer ready.");
  } catch (error) {
    renderError(node, error, () => { transcript.lastElementChild.remove(); ask(text); });
    announce("The question was not answered.");
  } finally {
    busy = false;
    send.disabled = false;
    node.scrollIntoView({ block: "end", behavior: "smooth" });
  }
}

// Page text with the quote marked: offsets from the server count code points, as Array.from does.
function renderPage(page) {
  const chars = Array.from(page.text);
  const slice = (a, b) => chars.slice(a, b).join("");
  const body = $("page-body");
  body.replaceChildren();
  let list = null;  // consecutive list items share one <ul>
  for (const block of page.sections) {
    const spans = page.highlights.filter((h) => h.start < block.end && h.end > block.start);
    const node = el(block.kind === "heading" ? "h3" : block.kind === "list_item" ? "li" : "p");
    let cursor = block.start;
    for (const span of spans) {
      const from = Math.max(span.start, block.start);
      const to = Math.min(span.end, block.end);
      if (from > cursor) node.append(document.createTextNode(slice(cursor, from)));
      node.append(el("mark", { text: slice(from, to) }));
      cursor = to;
    }
    if (cursor < block.end) node.append(document.createTextNode(slice(cursor, block.end)));
    if (block.kind === "list_item") {
      if (!list) { list = el("ul", { class: "items" }); body.append(list); }
      list.append(node);
    } else {
      list = null;
      body.append(node);
    }
  }
  const notes = Object.entries(page.footnotes || {});
  if (notes.length) {
    const list = el("ol", { class: "footnotes", "aria-label": "Footnotes" });
    for (const [marker, source] of notes) {
      const item = el("li", {}, el("span", { class: "marker", text: marker }));
      const url = (source.match(/https?:\/\/\S+/) || [])[0];
      if (url) {
        const before = source.slice(0, source.indexOf(url));
        if (before) item.append(document.createTextNode(` ${before}`));
        item.append(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url }));
      } else {
        item.append(document.createTextNode(` ${source}`));
      }
      list.append(item);
    }
    body.append(el("h3", { class: "notes-title", text: "Sources cited on this page" }), list);
  }
}

async function openPage(citation, opener) {
  const path = `/v1/pages/${citation.source.split("/").map(encodeURIComponent).join("/")}/` +
    `${encodeURIComponent(citation.page)}?quote=${encodeURIComponent(citation.quote)}`;
  $("page-title").textContent = `p. ${citation.page_label}`;
  $("page-meta").textContent = citation.source;
  $("page-body").replaceChildren(el("p", { class: "loading", text: "Loading the page…" }));
  $("page-printed").hidden = true;
  pageDialog.classList.remove("with-image");
  if (!pageDialog.open) pageDialog.showModal();
  pageDialog.returnFocusTo = opener;
  try {
    const response = await api(path);
    if (!response.ok) throw await errorFrom(response);
    const page = await response.json();
    $("page-meta").textContent = [page.title, page.source].filter(Boolean).join(" · ");
    renderPage(page);
    if (page.image) await showPrinted(page);
    const mark = $("page-body").querySelector("mark");
    if (mark) {
      mark.scrollIntoView({ block: "center" });
      announce(`Page ${page.page_label} open, the quote is highlighted.`);
    } else {
      announce(`Page ${page.page_label} open.`);
    }
    $("page-body").focus({ preventScroll: true });
  } catch (error) {
    $("page-body").replaceChildren(el("p", { class: "answer-text", text: error.message }));
  }
}

// A PDF page as printed, with the quote boxed where it is printed (boxes are fractions of the page).
async function showPrinted(page) {
  const response = await api(page.image);
  if (!response.ok) return;  // the text view is still there
  const blob = await response.blob();
  const dataUrl = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = reject;
    reader.readAsDataURL(blob);
  });
  const image = $("page-image");
  image.src = dataUrl;
  image.alt = `Page ${page.page_label} of ${page.source} as printed`;
  const frame = image.parentElement;
  frame.querySelectorAll(".quote-box").forEach((box) => box.remove());
  for (const box of page.boxes) {
    const mark = el("span", { class: "quote-box", "aria-hidden": "true" });
    mark.style.left = `${box.x0 * 100}%`;
    mark.style.top = `${box.y0 * 100}%`;
    mark.style.width = `${(box.x1 - box.x0) * 100}%`;
    mark.style.height = `${(box.y1 - box.y0) * 100}%`;
    frame.append(mark);
  }
  $("page-printed").hidden = false;
  pageDialog.classList.add("with-image");
  await image.decode().catch(() => {});
  const first = frame.querySelector(".quote-box");
  if (first) first.scrollIntoView({ block: "center" });
}

// Sources: the ingested files, and an upload followed to the end of its ingest.
const sourcesDialog = $("sources-dialog");

function when(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "—";
}

async function loadSources() {
  const list = $("sources-list");
  try {
    const response = await api("/v1/sources");
    if (!response.ok) throw await errorFrom(response);
    const sources = await response.json();
    list.replaceChildren(...sources.map((s) => el("tr", {},
      el("td", { class: "source-path", text: s.path, title: s.source }),
      el("td", { text: s.kind }),
      el("td", { text: `${s.pages} (${s.page_labels.length > 6 ? `${s.page_labels.slice(0, 6).join(", ")} …`
                                                              : s.page_labels.join(", ")})` }),
      el("td", { text: String(s.chunks) }),
      el("td", { text: when(s.ingested) }))));
    if (!sources.length) list.replaceChildren(el("tr", {}, el("td", { colspan: "5", text: "No files yet." })));
  } catch (error) {
    list.replaceChildren(el("tr", {}, el("td", { colspan: "5", text: error.message })));
  }
}

async function followJob(job) {
  const bar = $("upload-progress");
  const status = $("upload-status");
  for (;;) {
    if (job.state === "done") {
      bar.value = 1;
      status.textContent = `${job.file} added: ${job.pages} pages, ${job.added} passages.`;
      announce(status.textContent);
      return loadSources();
    }
    if (job.state === "failed") {
      status.textContent = `${job.file} was not added: ${job.error}`;
      bar.hidden = true;
      return;
    }
    bar.value = job.total ? job.done / job.total : 0;
    status.textContent = `${job.file}: ${job.stage || job.state}…`;
    await new Promise((resolve) => window.setTimeout(resolve, 400));
    const response = await api(`/v1/sources/jobs/${encodeURIComponent(job.id)}`);
    if (!response.ok) throw await errorFrom(response);
    job = await response.json();
  }
}

$("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("upload-file");
  if (!input.files.length) return;
  const body = new FormData();
  body.append("file", input.files[0]);
  const button = $("upload-send");
  button.disabled = true;
  $("upload-progress").hidden = false;
  $("upload-progress").value = 0;
  $("upload-status").textContent = `Uploading ${input.files[0].name}…`;
  try {
    const response = await api("/v1/sources", { method: "POST", body });
    if (!response.ok) throw await errorFrom(response);
    await followJob(await response.json());
    input.value = "";
  } catch (error) {
    $("upload-progress").hidden = true;
    $("upload-status").textContent = error.message;
  } finally {
    button.disabled = false;
  }
});

$("sources-button").addEventListener("click", () => {
  if (!sourcesDialog.open) sourcesDialog.showModal();
  loadSources();
});
$("sources-close").addEventListener("click", () => sourcesDialog.close());

$("page-close").addEventListener("click", () => pageDialog.close());
pageDialog.addEventListener("click", (event) => { if (event.target === pageDialog) pageDialog.close(); });
pageDialog.addEventListener("close", () => { if (pageDialog.returnFocusTo) pageDialog.returnFocusTo.focus(); });

function resetConversation() {
  sessionStorage.removeItem(SESSION_KEY);
  turnsInSession = 0;
  transcript.querySelectorAll(".turn").forEach((node) => node.remove());
  const empty = $("empty");
  if (empty) empty.hidden = false;
  question.value = "";
  autosize();
  question.focus();
  announce("New chat started.");
}

async function restoreConversation() {
  const id = sessionId();
  if (!id) return;
  try {
    const response = await api(`/v1/sessions/${encodeURIComponent(id)}`);
    if (response.status === 404) { sessionStorage.removeItem(SESSION_KEY); return; }
    if (!response.ok) return;
    const history = await response.json();
    history.turns.forEach((turn, n) => {
      addQuestion(turn.question);
      renderAnswer(addPendingAnswer(), { ...turn, session_id: history.session_id }, n + 1);
    });
    turnsInSession = history.turns.length;
  } catch (_) { /* an unreachable server shows up on the next question */ }
}

function autosize() {
  question.style.height = "auto";
  question.style.height = `${Math.min(question.scrollHeight, 180)}px`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = question.value.trim();
  if (!text || busy) return;
  question.value = "";
  autosize();
  ask(text);
});
question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});
question.addEventListener("input", autosize);
$("new-chat").addEventListener("click", resetConversation);
document.querySelectorAll(".example").forEach((button) => {
  button.addEventListener("click", () => ask(button.textContent.trim()));
});
if (localStorage.getItem(API_KEY)) $("key-button").hidden = false;
restoreConversation();
question.focus();
