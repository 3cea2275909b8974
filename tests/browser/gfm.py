"""Markdown as GitHub shows it: GitHub's parser (cmarkgfm, GFM extensions) inside GitHub's stylesheet."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STYLESHEET = REPO / "node_modules" / "github-markdown-css" / "github-markdown.css"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]
README_WIDTH = 880  # the content width of a README on github.com
PHONE_WIDTH = 412
PHONE_PADDING = 16  # GitHub's mobile page keeps a 16 px margin either side of the Markdown
EXTENSIONS = ("table", "autolink", "strikethrough", "tagfilter")


def render_gfm(markdown: str) -> str:
    """Return the HTML GitHub's parser makes of markdown (raw HTML kept, then tag-filtered, as on github.com)."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG
    return cmarkgfm.markdown_to_html_with_extensions(markdown, options=options, extensions=list(EXTENSIONS))


def page_html(markdown: str, padding: int = 0) -> str:
    """Return a whole HTML document: the rendered markdown in an article.markdown-body with GitHub's CSS inline."""
    css = STYLESHEET.read_text(encoding="utf-8")
    frame = f"body{{margin:0}}.markdown-body{{box-sizing:border-box;padding:0 {padding}px;min-width:0}}"
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{css}{frame}</style></head>"
            f"<body><article class='markdown-body'>{render_gfm(markdown)}</article></body></html>")


# Measures the rendered article: its height, how far anything sticks out sideways (the page itself, or a scrolling
# box such as a wide table), and every YYYY-MM-DD date that a line break splits.
LAYOUT_JS = r"""() => {
  const body = document.querySelector('.markdown-body');
  let overflow = document.documentElement.scrollWidth - window.innerWidth;
  for (const element of body.querySelectorAll('*')) {
    if (element.clientWidth && getComputedStyle(element).overflowX !== 'visible')
      overflow = Math.max(overflow, element.scrollWidth - element.clientWidth);
  }
  const dates = [], wrapped = [];
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, pattern = /\d{4}-\d{2}-\d{2}/g;
    for (let match; (match = pattern.exec(node.data));) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + 10);
      const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
      dates.push(match[0]);
      if (lines.size > 1) wrapped.push(match[0]);
    }
  }
  return {height: body.getBoundingClientRect().height, overflow, dates, wrapped};
}"""


def layout(page, markdown: str, width: int) -> dict:
    """Render markdown at a viewport width (a phone's with its margins) and return LAYOUT_JS's measures."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.set_content(page_html(markdown, PHONE_PADDING if width <= PHONE_WIDTH else 0))
    return page.evaluate(LAYOUT_JS)
