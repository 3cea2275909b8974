// The search page: asks the Pagefind bundles under ./pagefind/ and shows each result as text, never as HTML.
// The archive is indexed in bundles of consecutive months (the "shards" JSON, newest first). Newest first, a search
// asks the newest bundle alone and the older ones only as "Show more" reaches them; by relevance it asks them all.
const PAGE_SIZE = 20;
const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?\/\d{7})$/;
const WEB_URL = /^https?:\/\/[^\s"'<>]+$/;
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'" };

const form = document.getElementById("search");
const status = document.getElementById("status");
const list = document.getElementById("results");
const more = document.getElementById("more");
const names = JSON.parse(document.getElementById("domain-names").textContent);
const shards = JSON.parse(document.getElementById("shards").textContent);
const bundles = new Map();
let state = null;
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

// Each bundle's pagefind.js is its own module, loaded on first use; it finds its index files next to itself.
function bundle(shard) {
  if (!bundles.has(shard.path)) {
    bundles.set(shard.path, import(`./${shard.path}pagefind.js`).then(async (pagefind) => {
      await pagefind.options({ excerptLength: 40 });
      return pagefind;
    }));
  }
  return bundles.get(shard.path);
}

async function ask(shard, search) {
  const pagefind = await bundle(shard);
  return (await pagefind.search(search.term || null, search.options)).results;
}

// Newest first: search older bundles until `wanted` results wait to be shown or none is left.
async function fill(search, wanted) {
  while (search.queue.length < wanted && search.left.length) {
    const shard = search.left.shift();
    const results = await ask(shard, search);
    search.queue.push(...results);
    search.found += results.length;
    search.reached = shard.from;
  }
}

function report(search) {
  const count = `${search.found.toLocaleString("en")} ${search.found === 1 ? "paper" : "papers"} found`;
  status.textContent = search.left.length ? `${count} since ${search.reached}; Show more searches earlier months` : count;
}

async function showMore() {
  const search = state;
  try {
    await fill(search, PAGE_SIZE);
    const batch = search.queue.splice(0, PAGE_SIZE);
    const datas = await Promise.all(batch.map((hit) => hit.data()));
    if (search !== state) return;
    list.append(...datas.map(result));
    more.hidden = search.queue.length === 0 && search.left.length === 0;
    report(search);
  } catch (error) {
    status.textContent = `The search index could not be loaded (${error}); rebuild the site with python -m scripts.site.`;
  }
}

async function run() {
  const token = ++serial;
  const term = form.elements.q.value.trim();
  const filters = chosen();
  const url = new URL(window.location.href);
  if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
  window.history.replaceState(null, "", url);
  list.replaceChildren();
  more.hidden = true;
  if (!term && Object.keys(filters).length === 0) {
    state = null;
    status.textContent = shards.length ? "Type a word or pick a filter." : "No papers are archived yet.";
    list.dataset.serial = String(token);
    return;
  }
  const byDate = form.elements.sort.value === "date";
  const year = filters.year;
  const left = shards.filter((shard) => !year || (shard.from.slice(0, 4) <= year && year <= shard.to.slice(0, 4)));
  const search = { term, options: byDate ? { filters, sort: { date: "desc" } } : { filters }, left, queue: [], found: 0, reached: "" };
  state = search;
  status.textContent = "Searching…";
  if (!byDate) {
    // Relevance: every bundle's results, merged by Pagefind's score.
    let all;
    try {
      all = await Promise.all(search.left.map((shard) => ask(shard, search)));
    } catch (error) {
      status.textContent = `The search index could not be loaded (${error}); rebuild the site with python -m scripts.site.`;
      return;
    }
    search.left = [];
    search.queue = all.flat().sort((a, b) => b.score - a.score);
    search.found = search.queue.length;
  }
  if (search !== state) return;
  await showMore();
  if (token !== serial) return;
  list.dataset.serial = String(token); // the search whose results are shown (the browser tests wait for it)
}

function start() {
  const query = new URL(window.location.href).searchParams.get("q");
  if (query) form.elements.q.value = query;
  let timer = null;
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); run(); });
  more.addEventListener("click", showMore);
  document.body.dataset.ready = "true";
  if (query) run();
}

start();
