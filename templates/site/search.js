// The search page: asks the Pagefind bundle in ./pagefind/ and shows each result as text, never as HTML.
const PAGE_SIZE = 20;
const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?\/\d{7})$/;
const WEB_URL = /^https?:\/\/[^\s"'<>]+$/;
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'" };

const form = document.getElementById("search");
const status = document.getElementById("status");
const list = document.getElementById("results");
const more = document.getElementById("more");
const names = JSON.parse(document.getElementById("domain-names").textContent);
let pagefind = null;
let shown = [];
let serial = 0;

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function link(href, text) {
  const anchor = element("a", text);
  anchor.href = href;
  anchor.rel = "noopener noreferrer";
  return anchor;
}

// Pagefind marks the matched words with <mark>; everything else in the excerpt is shown as plain text.
function excerpt(html) {
  const paragraph = element("p", undefined, "excerpt");
  html.split(/(<mark>|<\/mark>)/).reduce((marked, piece) => {
    if (piece === "<mark>") return true;
    if (piece === "</mark>") return false;
    const text = piece.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity]);
    paragraph.append(marked ? element("mark", text) : document.createTextNode(text));
    return marked;
  }, false);
  return paragraph;
}

// The BibTeX entry arrives on one line (Pagefind folds whitespace); put each field back on its own line.
function bibtex(entry) {
  return entry.replace(/, ([A-Za-z]+) = (?=[{\d])/g, ",\n  $1 = ").replace(/ \}$/, "\n}");
}

function result(data) {
  const meta = data.meta;
  const item = element("li", undefined, "result");
  const arxiv = ARXIV_ID.test(meta.id || "") ? `https://arxiv.org/abs/${meta.id}` : null;
  const heading = element("h3");
  heading.append(arxiv ? link(arxiv, meta.title || meta.id) : element("span", meta.title || ""));
  item.append(heading);
  const facts = [meta.authors, meta.date, meta.venue].filter(Boolean).join(" · ");
  item.append(element("p", facts, "facts"));
  item.append(excerpt(data.excerpt || ""));
  const links = element("p", undefined, "links");
  if (arxiv) links.append(link(arxiv, "arXiv"), " ", link(arxiv.replace("/abs/", "/pdf/"), "PDF"), " ");
  if (WEB_URL.test(meta.code || "")) links.append(link(meta.code, "Code"), " ");
  for (const slug of (meta.domains || "").split(" ").filter(Boolean)) links.append(element("span", names[slug] || slug, "tag"), " ");
  item.append(links);
  if (meta.bibtex) {
    const details = element("details");
    details.append(element("summary", "BibTeX"), element("pre", bibtex(meta.bibtex)));
    item.append(details);
  }
  return item;
}

function chosen() {
  const filters = {};
  const domains = [...form.querySelectorAll("input[name=domain]:checked")].map((box) => box.value);
  if (domains.length) filters.domain = { any: domains };
  for (const name of ["year", "month", "venue"]) if (form.elements[name].value) filters[name] = form.elements[name].value;
  if (form.elements.code.checked) filters.code = "yes";
  return filters;
}

async function showMore() {
  const batch = shown.splice(0, PAGE_SIZE);
  const token = serial;
  const datas = await Promise.all(batch.map((hit) => hit.data()));
  if (token !== serial) return;
  list.append(...datas.map(result));
  more.hidden = shown.length === 0;
}

async function run() {
  const token = ++serial;
  const term = form.elements.q.value.trim();
  const filters = chosen();
  const url = new URL(window.location.href);
  if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
  window.history.replaceState(null, "", url);
  if (!term && Object.keys(filters).length === 0) {
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Type a word or pick a filter.";
    list.dataset.serial = String(token);
    return;
  }
  status.textContent = "Searching…";
  const options = { filters };
  if (form.elements.sort.value === "date") options.sort = { date: "desc" };
  const found = await pagefind.search(term || null, options);
  if (token !== serial) return;
  list.replaceChildren();
  shown = [...found.results];
  status.textContent = `${shown.length.toLocaleString("en")} ${shown.length === 1 ? "paper" : "papers"} found`;
  await showMore();
  if (token !== serial) return;
  list.dataset.serial = String(token); // the search whose results are shown (the browser tests wait for it)
}

async function start() {
  const query = new URL(window.location.href).searchParams.get("q");
  if (query) form.elements.q.value = query;
  try {
    pagefind = await import("./pagefind/pagefind.js");
  } catch {
    status.textContent = "The search index is missing: no papers are archived yet, or the site was not built with Pagefind.";
    return;
  }
  await pagefind.options({ excerptLength: 40 });
  let timer = null;
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); run(); });
  more.addEventListener("click", showMore);
  document.body.dataset.ready = "true";
  if (query) await run();
}

start();
